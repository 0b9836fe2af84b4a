"""The project's own query tree, and the parser that builds it (issue 23).

`query.parse_query` reads a query once with it, leniently: the tree comes back with the
notes on what was not understood (`ParsedQuery.tree`, `.notes`), never an exception.

A query is parsed once into small frozen nodes: words (`Term`), "phrases" (`Phrase`),
`prefix*` (`Prefix`), `wild?card` (`Wildcard`), words side by side (`Group`), explicit
AND / OR (`All`, `Any`), NOT, the +/- forms (`AndMaybe`, `AndNot`) and REQUIRE (`Require`); a node's `field`
is `title` or `organization` when the query names one, else None for every search
field. Typo tolerance and any-word matching are rewrites of this tree
(`with_alternatives`, `matching_any_word`), not parses of rewritten text.

The grammar is Whoosh 2.7's `MultifieldParser` as `query.py` configured it (AND between
words, +/- operators, no boosts), reproduced step by step so that the tree converts
(`to_format_query`) into exactly the query Whoosh's parser gave: rankings do not move. Where
Whoosh's parser failed (a + or - inside parentheses, NOT NOT), `parse_tree` raises
`QuerySyntaxError` and the caller searches the words literally, as before. Whoosh's
ranges (`[a TO b]`, `{a TO b}`) are kept (`Range`) for the same reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Union

from index_format import queries as wq
from index_format.schema import SEARCH_FIELDS, build_schema

__all__ = [
    "All",
    "AndMaybe",
    "AndNot",
    "Any",
    "Group",
    "Node",
    "Not",
    "Phrase",
    "Prefix",
    "QuerySyntaxError",
    "Range",
    "Require",
    "Term",
    "Wildcard",
    "field_names",
    "matching_any_word",
    "parse_tree",
    "to_format_query",
    "with_alternatives",
]


class QuerySyntaxError(ValueError):
    """The text has a form the query syntax gives no meaning to; search its words literally."""


@dataclass(frozen=True)
class Term:
    """A word as typed; analysed (folded, stemmed, stop words dropped) per field."""

    text: str
    field: str | None = None
    any_token: bool = False  # a word the analyser splits (foo/bar): any of its parts, not all


@dataclass(frozen=True)
class Phrase:
    """Words in quotes, matched in order (`slop` positions apart at most)."""

    text: str
    field: str | None = None
    slop: int = 1


@dataclass(frozen=True)
class Prefix:
    """`text*`: every indexed word starting with `text`."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Wildcard:
    """A pattern with `*` and `?`."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Range:
    """`[a TO b]`: every indexed word from a to b (`{` `}` leave an end out)."""

    start: str | None
    end: str | None
    start_excluded: bool = False
    end_excluded: bool = False
    field: str | None = None


@dataclass(frozen=True)
class Group:
    """Words side by side: all of them must match (any of them under `matching_any_word`)."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class All:
    """`a AND b`, and the words marked `+`: all must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Any:
    """`a OR b`, and the words marked `-` (the ones excluded): any matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """`NOT a`: documents without it."""

    child: Node


@dataclass(frozen=True)
class AndNot:
    """`a -b` (or `a ANDNOT b`): `positive`, without the documents matching `negative`."""

    positive: Node
    negative: Node


@dataclass(frozen=True)
class AndMaybe:
    """`+a b` (or `a ANDMAYBE b`): `required` must match; `optional` adds to the score."""

    required: Node
    optional: Node


@dataclass(frozen=True)
class Require:
    """`a REQUIRE b`: documents matching both, scored by `a` alone."""

    scored: Node
    required: Node


Node = Union[Term, Phrase, Prefix, Wildcard, Range, Group, All, Any, Not, AndNot, AndMaybe, Require]
_TEXT_NODES = (Term, Phrase, Prefix, Wildcard)
_FIELDED = (*_TEXT_NODES, Range)  # what a field name applies to


# --- Reading the text: tokens, then Whoosh's filters in its order -------------------------

_QMARKS = "?\u055e\u061f\u1367"  # Whoosh's wildcard characters: ? and three scripts' question marks
# (pattern, kind) in the order they are tried at each position; text no pattern claims is a word.
_TAGGERS = [
    (re.compile(r"(?<=\s)ANDNOT(?=\s)"), "andnot"),
    (re.compile(r"(?<=\s)ANDMAYBE(?=\s)"), "andmaybe"),
    (re.compile(r"(^|(?<=\W))'(?P<text>.*?)'(?=\s|\]|[)}]|$)"), "quoted word"),
    (re.compile(r"(?P<text>\w+|[*]):"), "field"),
    (re.compile(f"(?P<text>[*{_QMARKS}])"), "wild"),
    (re.compile(r'"(?P<text>.*?)"(~(?P<slop>[1-9][0-9]*))?'), "phrase"),
    (re.compile(r"[(]"), "open"),
    (re.compile(r"[)]"), "close"),
    (re.compile(r"(^|(?<=(\s|[()])))NOT(?=\s)"), "not"),
    (re.compile(r"(?<=\s)AND(?=\s)"), "and"),
    (re.compile(r"(?<=\s)OR(?=\s)"), "or"),
    (re.compile(r"(^|(?<=\s))REQUIRE(?=\s)"), "require"),
    (re.compile(r"\+"), "plus"),
    (re.compile(r"-"), "minus"),
    (
        re.compile(
            r"(?P<open>\{|\[)(?P<start>('[^']*?'\s+)|([^\]}]+?(?=[Tt][Oo])))?[Tt][Oo]"
            r"(?P<end>(\s+'[^']*?')|([^\]}]+?))?(?P<close>}|])"
        ),
        "range",
    ),
    (re.compile(r"\s+"), "space"),
]
_ALIASES = {"org": "organization"}  # field names a query may use for another
_INFIX = ("and", "or", "andnot", "andmaybe", "require")  # in the order Whoosh applies them, after NOT


@dataclass
class _Text:
    """A word, phrase, prefix or wildcard while it is being read."""

    kind: str  # "word", "phrase", "prefix" or "wild"
    text: str
    original: str = ""
    field: str | None = None
    slop: int = 1


@dataclass
class _Range:
    """`[a TO b]` while it is being read."""

    start: str | None
    end: str | None
    start_excluded: bool
    end_excluded: bool
    field: str | None = None


@dataclass
class _Mark:
    """Syntax that is not searched: an operator, a field name, +, -, a bracket, a space."""

    kind: str
    text: str = ""
    original: str = ""


@dataclass
class _Nodes:
    """A group while it is being read: `kind` is "group" (side by side), "all", "any", "not",
    "andnot", "andmaybe" or "require"."""

    kind: str
    items: list = field(default_factory=list)


def _tag(text: str) -> list:
    """The text as a flat list of tokens, the way Whoosh's tagger reads it."""
    tokens: list = []
    position = previous = 0
    while position < len(text):
        for pattern, kind in _TAGGERS:
            match = pattern.match(text, position)
            if match is None or match.end() <= position:
                continue
            if previous < position:
                tokens.append(_Text("word", text[previous:position]))
            if kind == "quoted word":
                tokens.append(_Text("word", match.group("text")))
            elif kind == "phrase":
                tokens.append(_Text("phrase", match.group("text"), slop=int(match.group("slop") or 1)))
            elif kind == "wild":
                tokens.append(_Text("wild", match.group("text")))
            elif kind == "range":
                tokens.append(_range(match))
            else:
                tokens.append(_Mark(kind, match.groupdict().get("text") or "", match.group(0)))
            previous = position = match.end()
            break
        else:
            position += 1
    if previous < len(text):
        tokens.append(_Text("word", text[previous:]))
    return tokens


def _range(match: re.Match) -> _Range:
    start, end = match.group("start"), match.group("end")
    if start:
        start = start.rstrip()
        if start.startswith("'") and start.endswith("'"):
            start = start[1:-1]
    if end:
        end = end.lstrip()
        if end.startswith("'") and end.endswith("'"):
            end = end[1:-1]
    return _Range(start, end, match.group("open") == "{", match.group("close") == "}")


def _bracketed(tokens: list) -> _Nodes:
    """Brackets become nested groups; unclosed ones end at the end of the text."""
    stack = [_Nodes("group")]
    for token in tokens:
        if isinstance(token, _Mark) and token.kind == "open":
            stack.append(_Nodes("group"))
        elif isinstance(token, _Mark) and token.kind == "close":
            if len(stack) > 1:
                last = stack.pop()
                stack[-1].items.append(last)
        else:
            stack[-1].items.append(token)
    top = stack[0]
    for level in stack[1:]:
        top.items.extend(level.items)
    if len(top.items) == 1 and isinstance(top.items[0], _Nodes):
        top = top.items[0]
    return top


def _join_wildcards(group: _Nodes) -> None:
    """`gard` `*` is the prefix `gard*`; `ga` `?` `den` the wildcard `ga?den`."""
    items = group.items
    i = 0
    while i < len(items):
        node = items[i]
        if isinstance(node, _Text) and node.kind == "wild":
            if i < len(items) - 1 and isinstance(items[i + 1], _Text):
                node.text += items.pop(i + 1).text
            if i > 0 and isinstance(items[i - 1], _Text):
                node.text = items.pop(i - 1).text + node.text
            else:
                i += 1
        else:
            if isinstance(node, _Nodes):
                _join_wildcards(node)
            i += 1
    for node in items:
        if isinstance(node, _Text) and node.kind == "wild":
            if len(node.text) > 1 and not any(mark in node.text for mark in _QMARKS) and node.text.find("*") == len(node.text) - 1:
                node.kind, node.text = "prefix", node.text[:-1]


def _set_field(node, name: str) -> None:
    if isinstance(node, _Nodes):
        for item in node.items:
            _set_field(item, name)
    elif isinstance(node, (_Text, _Range)) and node.field is None:
        node.field = name


def _apply_fields(group: _Nodes, known: frozenset[str]) -> _Nodes:
    """`title:x` searches x in the title; an unknown field name is part of the word."""
    kept: list = []
    unknown = None
    for node in group.items:
        if isinstance(node, _Mark) and node.kind == "field":
            node.text = _ALIASES.get(node.text, node.text)
        if isinstance(node, _Mark) and node.kind == "field" and node.text not in known:
            unknown = node
            continue
        if unknown is not None:
            if isinstance(node, _Text):
                node.text = unknown.original + node.text
            else:
                kept.append(_Text("word", unknown.original))
            unknown = None
        kept.append(node)
    if unknown is not None:
        kept.append(_Text("word", unknown.original))
    result: list = []
    i = len(kept)
    while i > 0:
        i -= 1
        node = kept[i]
        if isinstance(node, _Mark) and node.kind == "field":
            node = _Text("word", node.original)
        elif isinstance(node, _Nodes):
            node = _apply_fields(node, known)
        before = kept[i - 1] if i > 0 else None
        if before is not None and not _is_space(node) and isinstance(before, _Mark) and before.kind == "field":
            _set_field(node, before.text)
            i -= 1
        result.append(node)
    result.reverse()
    return _Nodes(group.kind, result)


def _is_space(node) -> bool:
    return isinstance(node, _Mark) and node.kind == "space"


def _without_spaces(group: _Nodes) -> _Nodes:
    return _Nodes(group.kind, [_without_spaces(n) if isinstance(n, _Nodes) else n for n in group.items if not _is_space(n)])


def _plus_minus(group: _Nodes) -> _Nodes:
    """At the top level: `+` words are required, `-` words excluded, the rest optional."""
    required, optional, banned = _Nodes("all"), _Nodes("group"), _Nodes("any")
    target = optional
    for node in group.items:
        if isinstance(node, _Mark) and node.kind == "plus":
            target = required
        elif isinstance(node, _Mark) and node.kind == "minus":
            target = banned
        else:
            target.items.append(node)
            target = optional
    result = optional
    if required.items:
        result = _Nodes("andmaybe", [required, result])
    if banned.items:
        result = _Nodes("andnot", [result, banned])
    return result


def _operators(group: _Nodes) -> _Nodes:
    """NOT binds the next item, then AND, OR, ANDNOT, ANDMAYBE and REQUIRE, left to right;
    an operator with nothing on one side is dropped."""
    items = group.items
    i = 0
    while i < len(items):
        node = items[i]
        if isinstance(node, _Mark) and node.kind == "not":
            length = len(items)
            del items[i]
            if i < length - 1:
                items[i] = _Nodes("not", [items[i]])
        else:
            i += 1
    for kind in _INFIX:
        i = 0
        while i < len(items):
            node = items[i]
            if not (isinstance(node, _Mark) and node.kind == kind):
                i += 1
                continue
            joined = {"and": "all", "or": "any"}.get(kind, kind)
            if 0 < i < len(items) - 1:
                left = items[i - 1]
                if joined in ("all", "any") and isinstance(left, _Nodes) and left.kind == joined:
                    left.items.append(items[i + 1])  # a AND b AND c: one group, as Whoosh merges them
                    del items[i : i + 2]
                else:
                    items[i - 1 : i + 2] = [_Nodes(joined, [left, items[i + 1]])]
            else:
                del items[i]
    for index, node in enumerate(items):
        if isinstance(node, _Nodes):
            items[index] = _operators(node)
    return group


def _frozen(node) -> Node:
    """The finished tree; what Whoosh's parser could not turn into a query raises."""
    if isinstance(node, _Text):
        if node.kind == "word":
            return Term(node.text, node.field)
        if node.kind == "phrase":
            return Phrase(node.text, node.field, node.slop)
        if node.kind == "prefix":
            return Prefix(node.text, node.field)
        return Wildcard(node.text, node.field)
    if isinstance(node, _Range):
        return Range(node.start, node.end, node.start_excluded, node.end_excluded, node.field)
    if isinstance(node, _Mark):
        raise QuerySyntaxError(f"{node.original or node.kind!r} has no meaning here")
    children = tuple(_frozen(item) for item in node.items)
    if node.kind == "group":
        return Group(children)
    if node.kind == "all":
        return All(children)
    if node.kind == "any":
        return Any(children)
    if node.kind == "not":
        if not children:
            raise QuerySyntaxError("NOT without anything after it")
        return Not(children[0])
    if len(children) != 2:
        raise QuerySyntaxError(f"{node.kind.upper()} needs something on both sides")
    first, second = children
    if node.kind == "andnot":
        return AndNot(first, second)
    if node.kind == "andmaybe":
        return AndMaybe(first, second)
    return Require(first, second)


def parse_tree(text: str) -> Node:
    """The query tree of `text`, read as Whoosh's parser read it.

    :raises QuerySyntaxError: where Whoosh's parser failed (a + or - inside brackets,
        NOT NOT); the caller searches the words literally.
    """
    group = _bracketed(_tag(text))
    _join_wildcards(group)
    group = _apply_fields(group, field_names())
    group = _plus_minus(_without_spaces(group))
    return _frozen(_operators(group))


@lru_cache(maxsize=1)
def _schema():
    """The index's schema, built once: every word of every search converts through it."""
    return build_schema()


@lru_cache(maxsize=1)
def field_names() -> frozenset[str]:
    """The schema's field names (built with the schema on the first call: warming.py)."""
    return frozenset(_schema().names())


# --- Rewrites ----------------------------------------------------------------------------


def matching_any_word(node: Node) -> Node:
    """The tree with words side by side matching any of them instead of all (and a word
    the analyser splits matching any of its parts): the fallback when nothing matches all."""
    if isinstance(node, Term):
        return replace(node, any_token=True)
    if isinstance(node, _FIELDED):
        return node
    if isinstance(node, Group):
        return Any(tuple(map(matching_any_word, node.children)))
    if isinstance(node, (All, Any)):
        return type(node)(tuple(map(matching_any_word, node.children)))
    if isinstance(node, Not):
        return Not(matching_any_word(node.child))
    first, second = (matching_any_word(child) for child in _pair(node))
    return type(node)(first, second)


_WORD = re.compile(r"\w+", re.UNICODE)


def with_alternatives(node: Node, alternatives: dict[str, list[str]], excluded: bool = False) -> Node:
    """The tree with each searched word that has close spellings matching them too
    (`word` -> `word OR close`), and each searched phrase holding such words also matched
    with the closest spelling of each; words and phrases that exclude are left as typed.

    :param alternatives: lower-cased word -> close spellings (typo tolerance).
    """
    if isinstance(node, Term):
        close = alternatives.get(node.text.lower()) if _WORD.fullmatch(node.text) else None
        if excluded or not close:
            return node
        return Any((node, *(Term(word, node.field, node.any_token) for word in close)))
    if isinstance(node, Phrase):
        variant = _WORD.sub(lambda m: alternatives.get(m.group(0).lower(), [m.group(0)])[0], node.text)
        if excluded or variant == node.text:
            return node
        return Any((node, replace(node, text=variant)))
    if isinstance(node, (Prefix, Wildcard, Range)):
        return node
    if isinstance(node, (Group, All, Any)):
        return type(node)(tuple(with_alternatives(child, alternatives, excluded) for child in node.children))
    if isinstance(node, Not):
        return Not(with_alternatives(node.child, alternatives, True))
    if isinstance(node, AndNot):
        return AndNot(with_alternatives(node.positive, alternatives, excluded), with_alternatives(node.negative, alternatives, True))
    first, second = (with_alternatives(child, alternatives, excluded) for child in _pair(node))
    return type(node)(first, second)


def _pair(node: AndNot | AndMaybe | Require) -> tuple[Node, Node]:
    if isinstance(node, AndNot):
        return node.positive, node.negative
    if isinstance(node, AndMaybe):
        return node.required, node.optional
    return node.scored, node.required


# --- To Whoosh's query objects, which the scoring reads ---------------------------------


def to_format_query(node: Node):
    """The query the scoring evaluates, as the format's query nodes (index_format.queries,
    Whoosh's objects behind them), normalised; the format's NullQuery when nothing is left
    to search, e.g. only stop words."""
    query = _whoosh(node)
    if not query:
        query = wq.NullQuery
    return query.normalize()


def _whoosh(node: Node):
    """Mirrors Whoosh's syntax nodes' `query()`: None where a word analyses to nothing."""
    if isinstance(node, _FIELDED):
        if node.field is not None:
            return _fielded(node, node.field)
        return wq.Or([q for q in (_fielded(node, name) for name in SEARCH_FIELDS) if q is not None])
    if isinstance(node, (Group, All)):
        return wq.And([q for q in map(_whoosh, node.children) if q is not None])
    if isinstance(node, Any):
        return wq.Or([q for q in map(_whoosh, node.children) if q is not None])
    if isinstance(node, Not):
        inner = _whoosh(node.child)
        return wq.Not(inner) if inner else None
    first, second = (_whoosh(child) for child in _pair(node))
    if first is None and second is None:
        return wq.NullQuery
    if first is None or second is None:
        return first if second is None else second
    qclass = {AndNot: wq.AndNot, AndMaybe: wq.AndMaybe, Require: wq.Require}[type(node)]
    return qclass(first, second)


def _fielded(node: Term | Phrase | Prefix | Wildcard | Range, name: str):
    field_type = _schema()[name]
    if isinstance(node, Range):
        return _range_query(node, name, field_type)
    if isinstance(node, Phrase):
        words = [token.text for token in field_type.tokenize(node.text, mode="query", chars=True)]
        return wq.Phrase(name, words, slop=node.slop)
    if field_type.self_parsing():  # a stored field such as year, named by its own name
        try:
            return field_type.parse_query(name, node.text)
        except Exception as error:  # as Whoosh's parser does: a query that matches nothing
            return wq.error_query(error)
    whole = isinstance(node, Term)  # prefixes and wildcards are folded, never split or stopped
    texts = list(field_type.process_text(node.text, mode="query", tokenize=whole, removestops=whole))
    qclass = {Term: wq.Term, Prefix: wq.Prefix, Wildcard: wq.Wildcard}[type(node)]
    if len(texts) > 1:
        join = wq.Or if isinstance(node, Term) and node.any_token else wq.And
        return join([qclass(name, text) for text in texts])
    return qclass(name, texts[0]) if texts else None


def _range_query(node: Range, name: str, field_type):
    start, end = node.start, node.end
    if field_type.self_parsing():
        try:
            query = field_type.parse_range(name, start, end, node.start_excluded, node.end_excluded)
            if query is not None:
                return query
        except Exception as error:
            return wq.error_query(error)
    if start:
        start = next(iter(field_type.process_text(start, mode="query", tokenize=False, removestops=False)), None)
    if end:
        end = next(iter(field_type.process_text(end, mode="query", tokenize=False, removestops=False)), None)
    return wq.TermRange(name, start, end, node.start_excluded, node.end_excluded)
