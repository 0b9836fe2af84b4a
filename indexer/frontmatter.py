"""Split YAML front matter from a Markdown file and load it safely.

Answers in the archive contain `---`, so the split looks for a closing fence on a line of
its own, not for the first `---` anywhere. YAML aliases are refused: no real document uses
them and they are how a "billion laughs" file exhausts memory.
"""

from __future__ import annotations

import re

import yaml

from .documents import SkipDocument

_OPENING_FENCE = re.compile(r"---[ \t]*\n")
_CLOSING_FENCE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
# An anchor (&name) or alias (*name) where YAML might read one: after a value start. Only
# consulted once the C loader has failed, to choose the loader that explains why.
_ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,:\-?])[&*][^\s,\[\]{}]+", re.MULTILINE)
MAX_NESTING = 20  # deeper than any real front matter; bounds recursion
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG, _SEQ_TAG, _MAP_TAG = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


class _GuardedLoader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases and deep nesting while composing."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise SkipDocument("YAML aliases (*name) are not allowed in front matter")
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise SkipDocument(f"front matter is nested deeper than {MAX_NESTING} levels")
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node is not None and getattr(node, "anchor", None):
            raise SkipDocument("YAML anchors (&name) are not allowed in front matter")
        return node


def split_front_matter(text: str) -> tuple[str, str] | None:
    """Return (yaml_text, body), or None when the file has no front matter."""
    # Two searches, not one `---\n(.*?)\n---` match: a lazy group tries the closing fence at
    # every character, 7x slower over the archive.
    opening = _OPENING_FENCE.match(text)
    closing = _CLOSING_FENCE.search(text, opening.end()) if opening else None
    if not (opening and closing):
        return None
    return text[opening.end() : closing.start()], text[closing.end() :]


def load_front_matter(yaml_text: str) -> dict:
    """Parse front matter into a mapping.

    :raises SkipDocument: for invalid YAML, aliases, deep nesting, or a non-mapping.
    """
    data = load_yaml(yaml_text)
    if not isinstance(data, dict):
        raise SkipDocument(
            f"front matter is a {type(data).__name__}, not a mapping of fields"
        )
    return data


def load_yaml(yaml_text: str):
    """Parse a YAML document of any shape (a data file may be a list) with the same guards.

    :raises SkipDocument: for invalid YAML, aliases or deep nesting.
    """
    try:
        data = _load_fast(yaml_text)
    except SkipDocument:
        raise
    except yaml.YAMLError as error:
        if not _ANCHOR_OR_ALIAS.search(yaml_text):
            raise _invalid(error) from None
        # libyaml's reason ("undefined alias", "maximum nesting depth") would hide the real
        # one: the guarded loader names the alias or the nesting instead.
        data = _load_guarded(yaml_text)
    except RecursionError:
        raise SkipDocument("front matter is nested too deeply") from None
    return data


def _load_fast(yaml_text: str):
    """Load with the C loader (~10x faster), refusing aliases and deep nesting before building.

    libyaml resolves an alias to the very node its anchor named, so an alias shows up in
    the composed graph as a node reached twice: checked before any value is built, an alias
    bomb costs no more than its text.
    """
    loader = _FAST_LOADER(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_node_graph(node)
        try:
            return _build(node, loader)
        except yaml.YAMLError:
            pass  # reported below
    finally:
        loader.dispose()
    # A value that cannot be built (an unknown tag, an unhashable key): yaml.load, on a text
    # now known to be safe, raises for the first problem in its order, not in `_build`'s.
    return yaml.load(yaml_text, Loader=_FAST_LOADER)  # noqa: S506 - a SafeLoader


def _check_node_graph(root: yaml.Node) -> None:
    """Refuse a composed document with an alias (a node reached twice) or deep nesting."""
    seen: set[int] = set()
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise SkipDocument("YAML aliases (*name) are not allowed in front matter")
        seen.add(id(node))
        if depth > MAX_NESTING:
            raise SkipDocument(f"front matter is nested deeper than {MAX_NESTING} levels")
        if isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def _build(node: yaml.Node, loader: yaml.constructor.SafeConstructor):
    """The value of a checked node graph, as `yaml.load` would build it.

    Front matter is strings, lists and mappings with string keys: built here directly, they
    take a quarter of the time PyYAML's generic constructor does. Any other node (numbers,
    dates, merge keys, ...) is left to the loader. No recursion limit is needed: the graph
    was checked to be at most MAX_NESTING deep.
    """
    if node.tag == _STR_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    if node.tag == _SEQ_TAG and isinstance(node, yaml.SequenceNode):
        return [_build(child, loader) for child in node.value]
    if node.tag == _MAP_TAG and isinstance(node, yaml.MappingNode) and all(
        key.tag == _STR_TAG and isinstance(key, yaml.ScalarNode) for key, _ in node.value
    ):
        return {key.value: _build(value, loader) for key, value in node.value}
    return loader.construct_object(node, deep=True)


def _load_guarded(yaml_text: str):
    """Load with the pure-Python loader that stops at the first alias or too deep a level."""
    try:
        return yaml.load(yaml_text, Loader=_GuardedLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        raise _invalid(error) from None
    except RecursionError:
        raise SkipDocument("front matter is nested too deeply") from None


def _invalid(error: yaml.YAMLError) -> SkipDocument:
    """The reason for a YAML syntax error, with the line counted in the file."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 2}" if mark else ""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return SkipDocument(f"invalid YAML front matter{where}: {problem}")
