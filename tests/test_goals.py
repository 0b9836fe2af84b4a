"""Goal mapping: 2013 indicators, later categories and form phrasings, and the whole corpus."""

from __future__ import annotations

import collections

import pytest

from conftest import proposal_front_matters
from vocabulary.goals import GOALS, match_goal, normalize_goal


def _corpus_goal_values() -> list[str]:
    """Each proposal's `category`, or its 2013 `indicator`."""
    return [str(front.get("category") or front.get("indicator") or "") for front in proposal_front_matters()]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # 2013 indicators, exactly as stored (several have a leading space)
        (" Education", "learn"),
        ("Arts & Cultural Vitality", "create"),
        (" Income & Employment", "create"),
        (" Health", "live"),
        (" Environmental Quality", "live"),
        (" Housing", "live"),
        (" Public Safety", "play"),
        (" Social Connectedness", "connect"),
        ("Transportation", "connect"),
        # 2014+ categories and the 2018-2020 phrasing
        ("learn", "learn"),
        ("CONNECT", "connect"),
        ("LA is the best place to PLAY", "play"),
        ("LA is the healthiest place to LIVE", "live"),
        ("LA is the healthiest place to CONNECT", "connect"),
        # nothing known
        ("", ""),
        (None, ""),
        ("Cooking", ""),
    ],
)
def test_normalize_goal(value, expected):
    assert normalize_goal(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("learn", "learn"),
        ("Live", "live"),
        ("education", "learn"),
        ("conn", "connect"),
        ("public safety", "play"),
        ("c", None),  # create or connect
        ("", None),
        ("weather", None),
    ],
)
def test_match_goal(text, expected):
    assert match_goal(text) == expected


def test_every_corpus_proposal_has_a_goal():
    goals = collections.Counter(normalize_goal(value) for value in _corpus_goal_values())
    print("\nproposals per goal:", dict(goals.most_common()))
    assert set(goals) == set(GOALS)
