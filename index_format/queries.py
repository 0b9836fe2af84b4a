"""The query tree the engine searches with, and the parser that builds it from text.

Both are Whoosh's for now: the engine's scoring evaluates these node types itself
(engine/scoring.py) and leaves any other node to Whoosh's matchers
(`Segment.matches`). Naming them here keeps that choice inside the format package.
The engine reads query text itself (engine/query_tree.py) into these nodes;
`text_parser`, Whoosh's own reading, is what its tests check it against.
"""

from __future__ import annotations

from .whoosh_compat import qparser
from .whoosh_compat import query as _query

And = _query.And  # every child matches; scores add up
Or = _query.Or  # any child matches; scores add up
AndNot = _query.AndNot  # `a` matches and `b` does not; scored as `a`
Not = _query.Not  # the parser's "-word" before it becomes an AndNot
Term = _query.Term  # one term in one field
Phrase = _query.Phrase  # words side by side in one field (`slop` 1), or near each other
Prefix = _query.Prefix  # every term starting with `text`
Wildcard = _query.Wildcard  # every term matching a pattern
AndMaybe = _query.AndMaybe  # `a` must match; `b` adds to the score where it matches too ("+a b")
Require = _query.Require  # both match; scored as `a` ("a REQUIRE b")
TermRange = _query.TermRange  # every term from `start` to `end` ("[a TO f]")
NullQuery = _query.NullQuery  # matches nothing: what an empty query parses to
error_query = _query.error_query  # matches nothing, carrying why (a value a field cannot read)


def text_parser(schema, fields: list[str], any_word: bool, aliases: dict[str, list[str]]):
    """A parser of query text over `fields`: words ANDed (ORed with `any_word`), `field:`
    prefixes with `aliases`, "+word" and "-word"; no "^boost" and no "*:*"."""
    group = qparser.OrGroup if any_word else qparser.AndGroup
    parser = qparser.MultifieldParser(fields, schema, group=group)
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.remove_plugin_class(qparser.EveryPlugin)
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    return parser


__all__ = [
    "And",
    "AndMaybe",
    "AndNot",
    "Not",
    "NullQuery",
    "Or",
    "Phrase",
    "Prefix",
    "Require",
    "Term",
    "TermRange",
    "Wildcard",
    "error_query",
    "text_parser",
]
