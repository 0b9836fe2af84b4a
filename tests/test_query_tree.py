"""The query tree (engine/query_tree.py): read as Whoosh's MultifieldParser read the same
text, so rankings did not move when it replaced it (issue 23); the fallbacks as rewrites."""

from __future__ import annotations

import random

import pytest

from engine.query_tree import (
    All,
    AndNot,
    Any,
    Group,
    Not,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Term,
    matching_any_word,
    parse_tree,
    to_format_query,
    with_alternatives,
)
from index_format.queries import text_parser
from index_format.schema import SEARCH_FIELDS, build_schema

# Words, operators and marks the queries below are made of; no two operators in a row
# ("food OR AND garden" is read apart from Whoosh where an operator is an operand).
WORDS = ["food", "garden", "the", "youth", "arts", "gard*", "ga?den", "foo/bar", '"food desert"', '"the"', "l.a.",
         "kids'", '"after school"~3', "co*", "'quoted word'", "title:garden", "organization:heal", "org:bay",
         "3d:printing", "[a TO f]", "{food to garden}", "x"]  # fmt: skip
OPERATORS = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"]
MARKS = ["+", "-", "(", ")", '"']


def read_by_whoosh(text: str, any_word: bool) -> str:
    """Whoosh's own reading, as query.py configured it before the tree replaced it: the oracle."""
    try:
        return repr(text_parser(build_schema(), list(SEARCH_FIELDS), any_word, {"organization": ["org"]}).parse(text))
    except Exception:
        return "cannot be parsed"


def read_by_the_tree(text: str, any_word: bool) -> str:
    try:
        tree = parse_tree(text)
    except QuerySyntaxError:
        return "cannot be parsed"
    return repr(to_format_query(matching_any_word(tree) if any_word else tree))


def queries(count: int, seed: int = 23) -> list[str]:
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        text, last_operator = "", True
        for _ in range(rng.randint(1, 7)):
            kind = rng.random()
            if kind < 0.2 and not last_operator:
                part, last_operator = rng.choice(OPERATORS), True
            elif kind < 0.35:
                part = rng.choice(MARKS)
            else:
                part, last_operator = rng.choice(WORDS), False
            text += ("" if rng.random() < 0.2 else " ") + part
        found.append(text.strip())
    return found


@pytest.mark.parametrize("any_word", [False, True])
def test_the_tree_gives_the_query_whoosh_parsed(any_word):
    texts = [
        "food access", "youth arts -music", "+bike lanes safety", "parks OR gardens", '"food desert" south',
        "NOT food", "(tree planting) OR keepers", "title:(garden OR tools) youth", "org:826LA", "gard* ga?den",
        "after school program for kids", "the", "x (a1 -b1)", "NOT NOT food", "[a TO f]", *queries(1500),
    ]  # fmt: skip
    differ = [text for text in texts if read_by_whoosh(text, any_word) != read_by_the_tree(text, any_word)]
    assert not differ, differ[:5]


def test_the_tree_is_small_frozen_nodes():
    # As in Whoosh, + and - are read before the operators: the OR joins garden* and stall.
    tree = parse_tree('"food desert" garden* -title:market OR stall')
    assert tree == AndNot(
        Group((Phrase("food desert"), Any((Prefix("garden"), Term("stall"))))),
        Any((Term("market", "title"),)),
    )
    with pytest.raises(AttributeError):
        tree.positive = None  # type: ignore[misc]


@pytest.mark.parametrize("text", ["x (a1 -b1)", "x (a1 +b1)", "NOT NOT food"])
def test_what_whoosh_could_not_parse_is_a_syntax_error(text):
    with pytest.raises(QuerySyntaxError):
        parse_tree(text)


def test_any_word_matching_rewrites_words_side_by_side_only():
    tree = parse_tree("youth arts AND music")
    assert tree == Group((Term("youth"), All((Term("arts"), Term("music")))))
    assert matching_any_word(tree) == Any((Term("youth", any_token=True), All((Term("arts", any_token=True), Term("music", any_token=True)))))


def test_close_spellings_join_searched_words_and_phrases_not_excluded_ones():
    tree = with_alternatives(parse_tree('yuoth "yuoth arts" NOT yuoth'), {"yuoth": ["youth"]})
    assert tree == Group((
        Any((Term("yuoth"), Term("youth"))),
        Any((Phrase("yuoth arts"), Phrase("youth arts"))),
        Not(Term("yuoth")),
    ))  # fmt: skip
