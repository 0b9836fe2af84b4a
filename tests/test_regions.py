"""Region folding: real spellings from the archive, query filters, and the whole corpus."""

from __future__ import annotations

import collections

import pytest

from conftest import proposal_front_matters
from vocabulary.regions import CANONICAL_REGIONS, match_region, normalize_regions

SHORT_ANSWER = 150  # characters: a longer string is prose, not a region choice


def _raw_regions(front: dict) -> list[str]:
    """Region answers as written: `project_areas`, or keys about "area"/"where" with choices."""
    values: list[str] = []
    for key, value in front.items():
        lowered = str(key).lower()
        if key != "project_areas" and "area" not in lowered and "where" not in lowered:
            continue
        if isinstance(value, list):
            values.extend(str(item) for item in value)
        elif isinstance(value, str) and len(value) < SHORT_ANSWER:
            values.append(value)
    return values


def test_canonical_regions_are_the_agreed_list():
    assert CANONICAL_REGIONS == (
        "Antelope Valley", "Central LA", "East LA", "Gateway Cities", "San Fernando Valley",
        "San Gabriel Valley", "South Bay", "South LA", "Westside", "City of Los Angeles",
        "County of Los Angeles", "LAUSD", "Other",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # pick-list spellings, in every case and with the form's instructions
        ("SOUTH LA", ["South LA"]),
        ("SFV", ["San Fernando Valley"]),
        ("SGV", ["San Gabriel Valley"]),
        ("LA COUNTY", ["County of Los Angeles"]),
        ("L.A. County", ["County of Los Angeles"]),
        (
            "County of Los Angeles (please select only if your project has a countywide benefit)",
            ["County of Los Angeles"],
        ),
        (
            "City of Los Angeles (please select only if your project has a citywide benefit)",
            ["City of Los Angeles"],
        ),
        ("LAUSD (please select only if you have a district-wide partnership or project)", ["LAUSD"]),
        ("Gateway Cities", ["Gateway Cities"]),
        ("Other:: Inglewood", ["South Bay"]),
        # abbreviations and neighbourhoods
        ("DTLA", ["Central LA"]),
        ("NELA", ["East LA"]),
        ("Northeast Los Angeles (NELA)", ["East LA"]),
        ("Boyle Heights", ["East LA"]),
        ("Watts", ["South LA"]),
        ("Skid Row", ["Central LA"]),
        ("Hollywood ", ["Central LA"]),
        ("East Hollywood", ["Central LA"]),
        ("City of West Hollywood", ["Westside"]),
        ("Long Beach", ["Gateway Cities"]),
        ("San Pedro, CA", ["South Bay"]),
        ("Highland Park", ["East LA"]),
        ("Burbank", ["San Fernando Valley"]),
        ("Malibu", ["Westside"]),
        ("Santa Clarita Valley", ["San Fernando Valley"]),
        ("Pacoima Neighborhood", ["San Fernando Valley"]),
        ("frogtown!", ["East LA"]),
        ("SMMUSD", ["Westside"]),
        ("Southeast LA", ["Gateway Cities"]),
        ("All of the Los Angeles Unified School District ", ["LAUSD"]),
        # several places in one answer
        ("Compton, Inglewood", ["Gateway Cities", "South Bay"]),
        (
            "The 18 high-need LA Unified schools that comprise the Partnership network remain simultaneously "
            "part of the District; our schools are located in LA Unified feeder patterns located in the "
            "communities of Watts, South LA and Boyle Heights.",
            ["LAUSD", "South LA", "East LA"],
        ),
        ("Long Beach; LA County", ["Gateway Cities", "County of Los Angeles"]),
        ("South & Central LA have largest population of FY", ["South LA", "Central LA"]),
        # generic names count only when nothing specific is named
        ("Los Angeles", ["City of Los Angeles"]),
        ("Skid Row, Los Angeles ", ["Central LA"]),
        ("All low-income job seekers in Los Angeles", ["City of Los Angeles"]),
        # nothing known
        ("N/A", ["Other"]),
        ("Global", ["Other"]),
        ("Orange County and Ventura County", ["Other"]),
        ("all other sub-regions and communities of LA County", ["County of Los Angeles"]),
        ("Our project has worldwide impact.", ["Other"]),
    ],
)
def test_normalize_regions_folds_real_spellings(raw, expected):
    assert normalize_regions([raw]) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        (["", "  "], []),
        (["SFV", "San Fernando Valley", "sfv"], ["San Fernando Valley"]),
        (["Westside", "South LA", "WESTSIDE"], ["Westside", "South LA"]),
        (["n/a", "Global"], ["Other"]),
        (["---", "(please select one)"], ["Other"]),
    ],
)
def test_normalize_regions_deduplicates_in_first_seen_order(values, expected):
    assert normalize_regions(values) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sfv", "San Fernando Valley"),
        ("south la", "South LA"),
        ("South LA", "South LA"),
        ("watts", "South LA"),
        ("boyle heights", "East LA"),
        ("la county", "County of Los Angeles"),
        ("county", "County of Los Angeles"),
        ("gateway", "Gateway Cities"),
        ("lausd", "LAUSD"),
        ("other", "Other"),
        ("los angeles", "City of Los Angeles"),
        ("south", None),  # South Bay or South LA
        ("nowhere in particular", None),
        ("", None),
    ],
)
def test_match_region_resolves_query_filters(text, expected):
    assert match_region(text) == expected


def test_every_corpus_region_value_maps_to_canonical_regions():
    distribution: collections.Counter[str] = collections.Counter()
    for front in proposal_front_matters():
        raw = _raw_regions(front)
        regions = normalize_regions(raw)
        assert set(regions) <= set(CANONICAL_REGIONS), raw
        assert regions or not any(value.strip() for value in raw), raw
        distribution.update(regions)
    print("\nproposals per region:", dict(distribution.most_common()))
    assert distribution["Other"] < 0.05 * sum(distribution.values())
