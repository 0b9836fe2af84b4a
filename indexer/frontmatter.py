"""Split YAML front matter from a Markdown file and load it safely.

Answers in the archive contain `---`, so the split looks for a closing fence on a line of
its own, not for the first `---` anywhere. YAML anchors and aliases are refused: no real
document uses them and they are how a "billion laughs" file exhausts memory.
"""

from __future__ import annotations

import re

import yaml

from .documents import SkipDocument

_FENCE = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)(.*)\Z", re.DOTALL)
# An anchor (&name) or alias (*name) where YAML would read one: after a value start.
_ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s\[{,:\-?])[&*][^\s,\[\]{}]+", re.MULTILINE)
MAX_NESTING = 20  # deeper than any real front matter; bounds recursion
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    match = _FENCE.match(text)
    if not match:
        return None
    return match.group(1), match.group(2)


def load_front_matter(yaml_text: str) -> dict:
    """Parse front matter into a mapping.

    :raises SkipDocument: for invalid YAML, aliases, deep nesting, or a non-mapping.
    """
    # The C loader is ~10x faster; files that could hold anchors take the guarded path.
    loader = _GuardedLoader if _ANCHOR_OR_ALIAS.search(yaml_text) else _FAST_LOADER
    try:
        data = yaml.load(yaml_text, Loader=loader)  # noqa: S506 - both loaders are safe
    except SkipDocument:
        raise
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SkipDocument(f"invalid YAML front matter{where}: {problem}") from None
    except RecursionError:
        raise SkipDocument("front matter is nested too deeply") from None
    if not isinstance(data, dict):
        raise SkipDocument(
            f"front matter is a {type(data).__name__}, not a mapping of fields"
        )
    if _max_depth(data) > MAX_NESTING:
        raise SkipDocument(f"front matter is nested deeper than {MAX_NESTING} levels")
    return data


def _max_depth(value, depth: int = 0) -> int:
    """Depth of nested lists/dicts, stopping early once over the limit."""
    if depth > MAX_NESTING:
        return depth
    if isinstance(value, dict):
        return max((_max_depth(v, depth + 1) for v in value.values()), default=depth)
    if isinstance(value, list):
        return max((_max_depth(v, depth + 1) for v in value), default=depth)
    return depth
