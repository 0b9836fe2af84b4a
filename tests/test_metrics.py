"""Metric folding: real spellings from the archive, query filters, and the corpus targets."""

from __future__ import annotations

import collections

import pytest

from conftest import proposal_front_matters
from vocabulary.metrics import CANONICAL_METRICS, is_dream_metric, match_metric, normalize_metrics

SHORT_ANSWER = 150  # characters: a longer string is prose ("Please elaborate on ... metrics")
MAX_DISTINCT_METRICS = 110  # facet values over the whole corpus, "Other" included
MIN_MAPPED_SHARE = 0.97  # of metric mentions that reach a metric other than "Other"
RESPONSIVENESS = "Government responsiveness to residents' needs"
SOFT_POWER = "Global cultural and economic influence"


def _raw_metrics(front: dict) -> list[list[str]]:
    """Each metric answer as written: keys mentioning "metric" answered with choices."""
    answers: list[list[str]] = []
    for key, value in front.items():
        if "metric" not in str(key).lower():
            continue
        if isinstance(value, list):
            answers.append([str(item) for item in value])
        elif isinstance(value, str) and len(value) < SHORT_ANSWER:
            answers.append([value])
    return answers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Obesity rates", "Obesity"),
        ("Obesity", "Obesity"),
        ("Employment in the creative industries", "Employment in the creative industries"),
        ("Employment in creative industries", "Employment in the creative industries"),
        ("Government responsiveness to residents’ needs (Dream Metric)", RESPONSIVENESS),
        ("Government responsiveness to residents\u200b’ needs", RESPONSIVENESS),
        ("government  responsiveness to residents' needs", RESPONSIVENESS),
        ("Number (and quality) of informal spaces for play (Dream Metric)", "Informal spaces for play"),
        ("Measures of cultural and global economic influence (“soft power”) (Dream Metric)", SOFT_POWER),
        ("Global cultural and economic influence (“soft power”)", SOFT_POWER),
        (
            "Student education pipeline (an integrated network of pre-schools, K-12 institutions, and higher "
            "education systems that prepares students for seamless transitions between high school, higher "
            "education institutions, and the workforce) (Dream Metric)",
            "Student education pipeline",
        ),
        ("Opportunity youth (“Disengaged youth” 16-24 not working or in school)", "Opportunity youth"),
        ("Academic Performance Index* scores", "Academic Performance Index scores"),
        ("Residents within 1⁄4 mile of a park (Dream Metric)", "Residents within 1/4 mile of a park"),
        ("Number of residents with easy access to a “vibrant” park", "Easy access to a safe park"),
        ("Patents per capital", "Patents per capita"),
        ("Number of high growth startups", "High-growth startups"),
        ("Gini coefficient", "Income inequality"),
        ("Rates of mental illnesses", "Mental illness"),
        ("Arts establishments, instillations, and exhibitions", "Arts establishments"),
        ("Attendance at cultural events. ", "Attendance at cultural events"),
        ("  TRUANCY RATES IN ELEMENTARY AND MIDDLE SCHOOL  ", "Truancy rates in elementary and middle schools"),
        ("K-8 chronic absenteeism", "Truancy rates in elementary and middle schools"),
        ("Minority- and women-owned firms", "Minority- and women-owned businesses"),
        # free text is not a metric
        ("See above.", "Other"),
        ("Bryant Empathy Index", "Other"),
        ("Lowering obesity rates through active engagement opportunities", "Other"),
    ],
)
def test_normalize_metrics_folds_real_spellings(raw, expected):
    assert normalize_metrics([raw]) == [expected]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        (["", " "], []),
        (["Arts establishments", "instillations", "and exhibitions"], ["Arts establishments"]),
        (
            ["Percentage of community college students completing a certificate", "degree",
             "or transfer-related program in six years", "Obesity"],
            ["College completion", "Obesity"],
        ),
        # a lowercase answer that is no continuation stays on its own
        (["Obesity", "social, political, and interpersonal trust"], ["Obesity", "Other"]),
        (["Obesity rates", "Obesity", "Voting rates by race", "Voting rates"], ["Obesity", "Voting rates"]),
        (["See above.", "Raise more money"], ["Other"]),
        # several metrics typed into one answer
        (["Obesity; Homelessness"], ["Obesity", "Homelessness"]),
        (
            ["STEM Proficiency, Environmental Education, Drought Resilience, Service Learning "],
            ["Proficiency in STEM", "Other"],
        ),
        (["Livability; Mobility; Affordability"], ["Other"]),
    ],
)
def test_normalize_metrics_rejoins_and_deduplicates(values, expected):
    assert normalize_metrics(values) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Residential segregation (Dream Metric)", True),
        ("Percentage of tree canopy cover (dream metric)", True),
        ("Residential segregation", False),
        ("", False),
    ],
)
def test_is_dream_metric(value, expected):
    assert is_dream_metric(value) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("obesity", "Obesity"),
        ("OBESITY RATES", "Obesity"),
        ("gini coefficient", "Income inequality"),
        ("soft power", "Global cultural and economic influence"),
        ("homeless", "Homelessness"),
        ("tree canopy", "Tree canopy cover"),
        ("other", "Other"),
        ("rates", None),  # many metrics are rates
        ("quantum chromodynamics", None),
        ("", None),
    ],
)
def test_match_metric_resolves_query_filters(text, expected):
    assert match_metric(text) == expected


def test_canonical_metrics_end_with_other_and_are_unique():
    assert CANONICAL_METRICS[-1] == "Other"
    assert len(set(CANONICAL_METRICS)) == len(CANONICAL_METRICS)
    assert all(match_metric(metric) == metric for metric in CANONICAL_METRICS)


def test_corpus_metrics_meet_the_facet_targets():
    mentions: collections.Counter[str] = collections.Counter()
    for front in proposal_front_matters():
        for answer in _raw_metrics(front):
            metrics = normalize_metrics(answer)
            assert set(metrics) <= set(CANONICAL_METRICS), answer
            # one mention per raw value, scored alone: conservative, a split piece counts as "Other"
            mentions.update(normalize_metrics([value])[0] for value in answer if value.strip())
    total = sum(mentions.values())
    mapped = 1 - mentions["Other"] / total
    print(f"\nmetric mentions: {total}, distinct values: {len(mentions)}, mapped (non-Other): {mapped:.2%}")
    assert len(mentions) <= MAX_DISTINCT_METRICS
    assert mapped >= MIN_MAPPED_SHARE
