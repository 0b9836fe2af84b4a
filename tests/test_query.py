"""Query parsing: syntax, field filters folded to canonical values, malformed input."""

from __future__ import annotations

import pytest

from engine.query import parse_query, tolerant_query


@pytest.mark.parametrize(
    ("raw", "filters", "year_range", "text"),
    [
        ("parks region:sfv", {"region": {"San Fernando Valley"}}, None, "parks"),
        ('region:"south la" food', {"region": {"South LA"}}, None, "food"),
        ("metric:obesity", {"metric": {"Obesity"}}, None, ""),
        ("goal:LEARN tutoring", {"goal": {"learn"}}, None, "tutoring"),
        ("kind:article", {"kind": {"article"}}, None, ""),
        ("year:2015..2018 arts", {}, (2015, 2018), "arts"),
        ("year:2016", {}, (2016, 2016), ""),
        ("year:2019..", {}, (2019, None), ""),
        ("year:..2014", {}, (None, 2014), ""),
        ("year:2018..2015", {}, (2015, 2018), ""),
    ],
)
def test_field_filters_are_taken_out_and_folded(raw, filters, year_range, text):
    parsed = parse_query(raw)
    assert parsed.filters == filters
    assert parsed.year_range == year_range
    assert parsed.text == text
    assert not parsed.notes


def test_negated_field_is_an_exclusion():
    parsed = parse_query("food -region:westside")
    assert parsed.excluded == {"region": {"Westside"}}


def test_negated_year_is_an_exclusion_not_a_filter():
    parsed = parse_query("food -year:2015 -year:..2013")
    assert parsed.excluded_years == [(2015, 2015), (None, 2013)]
    assert parsed.year_range is None
    assert parsed.text == "food"


@pytest.mark.parametrize(
    ("raw", "any_of"),
    [
        ("region:sfv OR region:westside", [("region", ["San Fernando Valley", "Westside"])]),
        ("Metric:obesity OR metric:obesity", [("metric", ["Obesity"])]),
        ("year:2015 OR year:2017..2018", [("year", [(2015, 2015), (2017, 2018)])]),
    ],
)
def test_or_between_values_of_one_field(raw, any_of):
    parsed = parse_query(raw)
    assert parsed.any_of == any_of
    assert parsed.filters == {} and parsed.query is None and not parsed.notes


@pytest.mark.parametrize("raw", ["-region:sfv OR region:westside", "region:nowhere OR region:narnia", "region:sfv OR goal:learn"])
def test_or_chains_that_are_not_one_fields_values_are_left_alone(raw):
    assert parse_query(raw).any_of == []


def test_a_value_no_one_has_is_left_out_of_an_or_chain():
    parsed = parse_query("region:sfv OR region:westside OR region:narnia")
    assert parsed.any_of == [("region", ["San Fernando Valley", "Westside"])]
    assert parsed.notes == ["No region matches 'narnia': left out of the region values joined by OR."]


@pytest.mark.parametrize("raw", ["(region:sfv OR region:westside) food -water", "food (year:2015 OR year:2016..2017)"])
def test_or_chain_in_parentheses(raw):
    parsed = parse_query(raw)
    assert len(parsed.any_of) == 1 and not parsed.notes and not parsed.literal
    assert "food" in repr(parsed.query)


def test_a_second_year_filter_is_reported():
    parsed = parse_query("year:2015 year:2016")
    assert parsed.year_range == (2016, 2016)
    assert any("Only one year filter" in note for note in parsed.notes)


@pytest.mark.parametrize("raw", ["-food", '-"food access"', "-food -garden", "-(food OR garden)"])
def test_only_exclusions_become_not(raw):
    parsed = parse_query(raw)
    assert "Not(" in repr(parsed.query)
    assert not parsed.notes


@pytest.mark.parametrize("raw", ["low-income families", "well-being", "title:after-school", '"low-income"'])
def test_hyphenated_words_are_not_exclusions(raw):
    query = repr(parse_query(raw).query)
    assert "Not" not in query
    assert "Phrase" in query


@pytest.mark.parametrize("raw", ["low-inc*", "L.A.-based", "foo--bar", "kids'-club", "community-based*", "title:low-inc*"])
def test_no_hyphen_inside_a_word_excludes(raw):
    parsed = parse_query(raw)
    assert "Not" not in repr(parsed.query) and not parsed.notes


def test_typo_tolerance_keeps_a_hyphenated_word_a_phrase():
    query = repr(tolerant_query(parse_query("colege-students"), {"colege": ["college"]}).query)
    assert "Not" not in query
    assert "Phrase('body', ['colleg', 'student']" in query and "Phrase('body', ['coleg', 'student']" in query


@pytest.mark.parametrize(
    "raw",
    ['"unbalanced quote', "(open paren", "close)", "-", "NOT OR x", "food AND", "OR food", "a*", "*", "title:", "year:abc"],
)
def test_malformed_queries_become_literal_words_with_a_note(raw):
    parsed = parse_query(raw)
    assert parsed.notes, raw


def test_unknown_field_is_searched_as_words():
    parsed = parse_query("colour:blue gardens")
    assert any("Unknown field colour" in note for note in parsed.notes)
    assert "blue" in parsed.words and "gardens" in parsed.words


def test_unknown_region_value_is_searched_as_words():
    parsed = parse_query("region:atlantis")
    assert parsed.filters == {}
    assert parsed.words == ["atlantis"]


@pytest.mark.parametrize("raw", ["food access", '"community college"', "arts -music", "educ*", "parks OR gardens", "title:garden", "org:826LA"])
def test_well_formed_queries_parse_without_notes(raw):
    parsed = parse_query(raw)
    assert parsed.query is not None
    assert parsed.notes == []


def test_empty_query_browses():
    assert parse_query("").query is None
    assert parse_query("   ").query is None
