"""Turn what a user typed into a query tree plus filters, never raising.

Supported: words (all must match), "quoted phrases", -exclusion, prefix*, OR, and the
fields title:, org:, region:, metric:, goal:, kind:, year: (with ranges 2015..2018),
outcome:, topic: and type: (an organization's type).
Facet fields are taken out before the query tree reads the text and become filters, with values
folded to their canonical names (region:sfv is San Fernando Valley); values of one field
joined by OR become one filter any of them satisfies. A hyphen inside a word is never an
exclusion (low-income is the phrase "low income"), and a query of exclusions only means
every document without them. Anything malformed
(unbalanced quotes or parentheses, a lone `-`, an unknown field, a query the tree cannot
read) is searched as literal words, with a note saying so.

The text is read once into the project's query tree (query_tree.py); the scoring reads
its Whoosh form. The fallbacks rewrite that tree: any word instead of all
(`any_word_query`), close spellings accepted too (`tolerant_query`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from index_format import queries as wq
from index_format.analysis import index_term
from index_format.schema import TEXT_FIELDS, search_analyzer
from vocabulary.facets import FACETS, canonical_value

from .named_filters import Named, take_named_filters
from .query_tree import Node, matching_any_word, parse_tree, to_format_query, with_alternatives
from .sentences import has_syntax, read_sentence

FIELD_ALIASES = {"title": "title", "org": "organization", "organization": "organization"}
FILTER_ALIASES = {"type": "org_type"}  # "type:nonprofit" reads better than "org_type:nonprofit"
MIN_PREFIX = 2  # characters before `*`: shorter prefixes expand to most of the vocabulary
PREFIX_WORDS = 500  # most frequent vocabulary words a prefix also matches through their stems
# A value ends at a space or a closing parenthesis: (region:sfv OR region:westside).
_FIELD_TERM = re.compile(r'(?<![\w-])(-?)([A-Za-z_]+):("([^"]*)"|[^\s)]+)')
_FIELD_CHAIN = re.compile(r'(?<![\w-])[A-Za-z_]+:(?:"[^"]*"|[^\s)]+)(?:\s+OR\s+[A-Za-z_]+:(?:"[^"]*"|[^\s)]+))+')
_EMPTY_GROUP = re.compile(r"\(\s*\)")  # what is left of (region:a OR region:b) once taken out
_YEAR_RANGE = re.compile(r"^(\d{4})?(?:\.\.|-)?(\d{4})?$")
_WORD = re.compile(r"\w+", re.UNICODE)
_WHOLE_WORD = re.compile(r"\w+(?![\w*?])", re.UNICODE)
_HYPHENATED = re.compile(r"(?<!\w)\w+(?:-\w+)+(?![\w*?-])", re.UNICODE)  # low-income, not low-inc*
_INNER_HYPHENS = re.compile(r"(?<=[^\s(])-+")  # L.A.-based, low-inc*, foo--bar: never an exclusion
_EXCLUSION = re.compile(r'(?<!\S)-(?=[\w"(])')  # a `-` starting a word, phrase or group


@dataclass
class ParsedQuery:
    """The understood query: what to match, what to filter by, and what to tell the user."""

    text: str  # the words left after filters were taken out
    query: object | None  # the tree's Whoosh query, which the scoring reads, or None to browse everything
    filters: dict[str, set[str]] = field(default_factory=dict)  # from field syntax: AND across fields
    excluded: dict[str, set[str]] = field(default_factory=dict)  # from -region:x and the like
    year_range: tuple[int | None, int | None] | None = None
    excluded_years: list[tuple[int | None, int | None]] = field(default_factory=list)  # -year:x
    any_of: list[tuple[str, list]] = field(default_factory=list)  # region:a OR region:b: (field, values)
    words: list[str] = field(default_factory=list)  # plain words, for spelling and typo tolerance
    left_out: tuple[str, ...] = ()  # function words of a sentence that need not match (sentences.py)
    named: list[Named] = field(default_factory=list)  # filters named in plain words (named_filters.py)
    # The words as typed, field filters taken out, before function words and named filters
    # are: what meaning is read from (hybrid.py; the whole sentence embeds better: README),
    # and, as index terms, what names and phrases are measured with (ranking._boosts).
    typed: str = ""
    typed_terms: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    literal: bool = False  # the text was searched as plain words after a syntax problem
    tree: Node | None = None  # the query tree (query_tree.py), None to browse everything


def parse_query(raw: str, *, as_words: frozenset[str] = frozenset()) -> ParsedQuery:
    """Parse a user's query string.

    :param as_words: facets whose names in plain words stay words instead of filters.
    """
    parsed = ParsedQuery(text="", query=None)
    if raw.strip() and not _WORD.search(raw):  # "?!.,;": nothing a document could hold
        problem = _syntax_problem(raw)
        if problem:
            parsed.notes.append(f"{problem}.")
        parsed.notes.append("There are no words to search for: showing every document.")
        return parsed
    text = _take_filters(raw, parsed)
    left = text.split()
    if left and left != raw.split() and {token.upper() for token in left} <= {"OR", "AND"}:
        # Only operators left between filters of different fields ("region:sfv OR goal:learn").
        parsed.notes.append("Every filter here applies: OR joins words, or values of one field (region:sfv OR region:westside).")
        text = ""
    problem = _syntax_problem(text)
    if problem:
        parsed.notes.append(f"{problem}: searched for the words literally.")
        text = _literal(text)
        parsed.literal = True
    elif not has_syntax(text):
        parsed.typed = " ".join(text.split())
        parsed.typed_terms = tuple(token.text for token in search_analyzer()(parsed.typed))
        text, parsed.named = take_named_filters(text, as_words)
        _apply_named(parsed)
        sentence = read_sentence(text)
        text, parsed.left_out = sentence.text, sentence.left_out
    parsed.text = text.strip()
    # Whole words only: `gard*` is a prefix, not a misspelling to correct or tolerate.
    parsed.words = [
        w for w in _WHOLE_WORD.findall(_strip_field_names(parsed.text)) if w.upper() not in ("OR", "AND", "NOT")
    ]
    if not parsed.text:
        return parsed
    query_text = _hyphenated_as_phrases(parsed.text)
    try:
        parsed.tree = parse_tree(query_text)
        parsed.query = to_format_query(parsed.tree)
        if parsed.query is wq.NullQuery and _EXCLUSION.search(query_text):
            # Only exclusions ("-food"): a `-` with nothing to subtract it from is dropped,
            # but NOT means "every document without", which is what was asked.
            parsed.tree = parse_tree(_EXCLUSION.sub("NOT ", query_text))
            parsed.query = to_format_query(parsed.tree)
    except Exception:  # a form the syntax gives no meaning to, e.g. "NOT NOT x" (QuerySyntaxError)
        parsed.notes.append("The query could not be parsed: searched for the words literally.")
        parsed.literal = True
        parsed.tree = parse_tree(_literal(query_text))
        parsed.query = to_format_query(parsed.tree)
    if parsed.query is wq.NullQuery and parsed.words and not any(map(analyse, parsed.words)):
        # Only words too common to index ("the"): nothing to match, so show everything.
        parsed.notes.append(f"Words as common as “{' '.join(parsed.words)}” are not searched: showing every document.")
        parsed.words = []
    if parsed.query is wq.NullQuery and not parsed.words:
        parsed.query = parsed.tree = None
    return parsed


def any_word_query(parsed: ParsedQuery) -> ParsedQuery:
    """The query matching any of its words instead of all (the fallback when nothing
    matches all), everything else as parsed."""
    if parsed.tree is None:
        return parsed
    tree = matching_any_word(parsed.tree)
    return replace(parsed, tree=tree, query=to_format_query(tree))


def tolerant_query(parsed: ParsedQuery, alternatives: dict[str, list[str]]) -> ParsedQuery:
    """The query also accepting close spellings of its words (typo tolerance).

    :param alternatives: lower-cased word -> close spellings to accept too.
    """
    if parsed.tree is None:
        return parsed
    tree = with_alternatives(parsed.tree, alternatives)
    return replace(parsed, tree=tree, query=to_format_query(tree))


def _apply_named(parsed: ParsedQuery) -> None:
    """Filters named in plain words join those of the query syntax (none: no syntax here)."""
    applied = [named for named in parsed.named if named.applied]
    years = [int(named.value) for named in applied if named.facet == "year"]
    if len(years) == 1:
        parsed.year_range = (years[0], years[0])
    elif years:
        parsed.any_of.append(("year", [(year, year) for year in dict.fromkeys(years)]))
    for named in applied:
        if named.facet != "year":
            parsed.filters.setdefault(named.facet, set()).add(named.value)


def highlight_terms(parsed: ParsedQuery) -> tuple[frozenset[str], tuple[str, ...]]:
    """Analysed terms (stems) and lower-cased prefixes to mark in titles and snippets."""
    if parsed.query is None:
        return frozenset(), ()
    terms: set[str] = set()
    prefixes: list[str] = []
    for node in _positive_leaves(parsed.query):
        if isinstance(node, wq.Prefix):
            prefixes.append(str(node.text).lower())
        elif isinstance(node, wq.Phrase):
            terms.update(str(word) for word in node.words)
        elif isinstance(node, wq.Term) and node.fieldname in TEXT_FIELDS:
            terms.add(node.text.decode() if isinstance(node.text, bytes) else str(node.text))
    return frozenset(terms), tuple(prefixes)


def _positive_leaves(node):
    """Leaf queries that are not under a NOT: the words a result actually matched."""
    if isinstance(node, wq.Not):
        return
    if isinstance(node, wq.AndNot):
        yield from _positive_leaves(node.a)
        return
    children = node.children() if hasattr(node, "children") else []
    if isinstance(node, (wq.Term, wq.Prefix, wq.Phrase)) or not children:
        yield node
        return
    for child in children:
        yield from _positive_leaves(child)


def _take_filters(raw: str, parsed: ParsedQuery) -> str:
    """Remove facet-field terms from the text, turning them into filters."""
    raw = _FIELD_CHAIN.sub(lambda chain: _take_alternatives(chain.group(), parsed), raw)

    def replace(match: re.Match) -> str:
        negate, name, value = match.group(1) == "-", _filter_name(match.group(2)), _field_value(match)
        if name in FIELD_ALIASES:
            return f"{match.group(1)}{name}:{match.group(3)}"  # Whoosh's field names are lower-case
        if name not in FACETS:
            parsed.notes.append(f"Unknown field {name}: searched as words.")
            return f" {name} {value} "
        if name == "year":
            return _take_year(value, parsed, negate)
        canonical = canonical_value(name, value)
        if canonical is None:
            parsed.notes.append(f"No {name} matches {value!r}: searched as words.")
            return f" {value} "
        target = parsed.excluded if negate else parsed.filters
        target.setdefault(name, set()).add(canonical)
        return " "

    return _EMPTY_GROUP.sub(" ", _FIELD_TERM.sub(replace, raw))


def _take_alternatives(chain: str, parsed: ParsedQuery) -> str:
    """`region:sfv OR region:westside`: one filter that any of the values satisfies.

    Only a chain of one filter field, none of it negated, with at least one value
    understood (the others are left out, with a note); anything else is left to the
    term-by-term rules and their notes.
    """
    terms = list(_FIELD_TERM.finditer(chain))
    names = {_filter_name(term.group(2)) for term in terms}
    if len(names) != 1 or any(term.group(1) for term in terms) or not names <= set(FACETS):
        return chain
    name = names.pop()
    read = _year_span if name == "year" else lambda value: canonical_value(name, value)
    values = {value: read(value) for value in map(_field_value, terms)}
    understood = [value for value in values.values() if value is not None]
    if not understood:
        return chain
    for value in (value for value, known in values.items() if known is None):
        parsed.notes.append(f"No {name} matches {value!r}: left out of the {name} values joined by OR.")
    parsed.any_of.append((name, list(dict.fromkeys(understood))))
    return " "


def _filter_name(written: str) -> str:
    name = written.lower()
    return FILTER_ALIASES.get(name, name)


def _field_value(term: re.Match) -> str:
    """The value of a `_FIELD_TERM` match, without its quotes."""
    return (term.group(4) or term.group(3)).strip('"')


def _year_span(value: str) -> tuple[int | None, int | None] | None:
    """(low, high) for 2016, 2015..2018, 2019.. or ..2014 (either end open); None if not a year."""
    match = _YEAR_RANGE.match(value)
    if not match or not (match.group(1) or match.group(2)):
        return None
    low = int(match.group(1)) if match.group(1) else None
    high = int(match.group(2)) if match.group(2) else None
    if ".." not in value and "-" not in value[1:]:
        high = low  # a single year
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


def _take_year(value: str, parsed: ParsedQuery, negate: bool) -> str:
    span = _year_span(value)
    if span is None:
        parsed.notes.append(f"year:{value} is not a year or range like 2015..2018: searched as words.")
        return f" {value} "
    low, high = span
    if negate:
        parsed.excluded_years.append((low, high))
    else:
        if parsed.year_range not in (None, (low, high)):
            parsed.notes.append(
                f"Only one year filter applies: year:{value} replaced the one before it "
                "(for several years: year:2015 OR year:2017, a range such as 2015..2018, or the Year facet)."
            )
        parsed.year_range = (low, high)
    return " "


def expand_prefixes(query, words_starting_with: Callable[[str], list[str]]):
    """`query` with each `prefix*` also matching the stems of the words that start with it.

    The index holds stems: "community" is indexed as "commun", which `communit*` alone
    would never reach. `words_starting_with` gives the generation's unstemmed words with
    a prefix, most frequent first; the first PREFIX_WORDS of them are added as terms.
    """

    def expand(node):
        if not isinstance(node, wq.Prefix):
            return node
        # Only stems the prefix itself misses: most of them start with it (co* finds "commun").
        stems = dict.fromkeys(index_term(word) for word in words_starting_with(node.text)[:PREFIX_WORDS])
        shorter = [stem for stem in stems if not stem.startswith(node.text)]
        return wq.Or([node, *(wq.Term(node.fieldname, stem) for stem in shorter)]) if shorter else node

    return query.accept(expand)


def cap_expansions(query, expansion: Callable[[object, int], tuple[int, list[str]]], max_terms: int):
    """`query` with each prefix or wildcard that stands for more than `max_terms` indexed
    words replaced by its `max_terms` most frequent ones, and a note for each so capped.

    `co*` stood for thousands of words, scored one posting at a time by Whoosh: seconds of
    CPU for one request. `expansion(node, max_terms)` gives (how many words the node
    stands for, its most frequent `max_terms` words).
    """
    notes: list[str] = []

    def cap(node):
        if not isinstance(node, (wq.Prefix, wq.Wildcard)):
            return node
        count, frequent = expansion(node, max_terms)
        if count <= max_terms:
            return node
        written = f"{node.text}*" if isinstance(node, wq.Prefix) else node.text
        notes.append(
            f"{written} stands for more than {max_terms} indexed words; only the {max_terms} most frequent "
            "are searched (SEARCH_MAX_PREFIX_TERMS). Type more letters to reach the others."
        )
        return wq.Or([wq.Term(node.fieldname, word) for word in frequent])

    return query.accept(cap), list(dict.fromkeys(notes))


def _syntax_problem(text: str) -> str | None:
    """A description of malformed syntax, or None when the text is well-formed."""
    if text.count('"') % 2:
        return "Unbalanced quotes"
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth != 0:
        return "Unbalanced parentheses"
    tokens = text.split()
    if any(token in ("-", "+") for token in tokens):
        return "A lone - or +"
    if any(token.endswith(":") for token in tokens):
        return "A field name without a value"
    for token in tokens:
        stripped = token.lstrip("-+(").rstrip(")")
        if ("*" in stripped or "?" in stripped) and len(re.split(r"[*?]", stripped)[0]) < MIN_PREFIX:
            return f"Wildcards need at least {MIN_PREFIX} letters before them"
    if tokens and tokens[0].upper() in ("OR", "AND") or tokens and tokens[-1].upper() in ("OR", "AND", "NOT"):
        return "An operator without words on both sides"
    return None


def _hyphenated_as_phrases(text: str) -> str:
    """`low-income` outside quotes becomes the phrase "low income", as it is indexed, and
    any other hyphen inside a word (`L.A.-based`, `low-inc*`) a space.

    The query tree, as Whoosh's parser did, reads a `-` inside a word as an exclusion: "low-income families" excluded
    every document containing "income". Only a `-` that starts a word excludes.
    """
    parts = text.split('"')  # balanced by now: even parts are outside quotes
    parts[::2] = [
        _INNER_HYPHENS.sub(" ", _HYPHENATED.sub(lambda m: '"' + m.group().replace("-", " ") + '"', part))
        for part in parts[::2]
    ]
    return '"'.join(parts)


def _literal(text: str) -> str:
    """Just the words, with syntax characters and operators removed."""
    words = [w for w in _WORD.findall(text) if w.upper() not in ("OR", "AND", "NOT")]
    return " ".join(words)


def _strip_field_names(text: str) -> str:
    return re.sub(r"\b(title|org|organization):", " ", text, flags=re.IGNORECASE)


def analyse(word: str) -> list[str]:
    """The index terms a word becomes (lower-cased, folded, stemmed)."""
    return [token.text for token in search_analyzer()(word)]
