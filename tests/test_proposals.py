"""The proposal reader: its rules on synthetic front matter, real files of every year, the corpus.

Region, metric and goal *folding* is tested in test_regions.py, test_metrics.py and
test_goals.py; here the point is which answers the reader hands to those normalisers.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from indexer.documents import SkipDocument
from vocabulary.values import NOT_STATED
from vocabulary.goals import GOALS
from indexer.proposals import is_proposal, read_proposal
from vocabulary.regions import CANONICAL_REGIONS
from indexer.sources import SourceFile, discover, make_id, parse_source
from conftest import read_files

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PROPOSALS = SHARED / "corpus" / "proposals"
UNPUBLISHED = "2015/we-want-to-make-la-an-affordable-place-to-live-by-organizing-in-favor-of-abundant-housing.md"
ID_PATTERN = re.compile(r"proposal/(?:19|20)\d\d/[a-z0-9]+(?:-[a-z0-9]+)*")  # URL-safe, no escaping needed

needs_shared = pytest.mark.skipif(not PROPOSALS.is_dir(), reason=f"shared corpus not found at {PROPOSALS}")


def read(front: dict, path: str = "/archive/2019/garden.md"):
    """read_proposal with a title and id filled in."""
    return read_proposal({"project_id": "1", "title": "Garden", **front}, doc_id="proposal/2019/garden", path=path)


# --- rules on synthetic front matter ------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ({"project_id": "1"}, True),
        ({"year_submitted": 2019}, True),
        ({"title": "A blog post", "date": "2019-01-01"}, False),
        ({}, False),
    ],
)
def test_is_proposal(front, expected):
    assert is_proposal(front) is expected


@pytest.mark.parametrize(
    ("key", "value", "regions"),
    [
        ("In which areas of Los Angeles will you be directly working?", ["South LA", "Westside"], ["South LA", "Westside"]),
        ("In what areas of Los Angeles will you be directly working?", "Central LA", ["Central LA"]),
        ("Which area(s) of LA does your project benefit?", ["SFV", "SGV"], ["San Fernando Valley", "San Gabriel Valley"]),
        ("Where will you be working?", ["East LA"], ["East LA"]),
        ("Where is your organization located?", "South Bay", ["South Bay"]),
        ("project_areas", ["SOUTH LA", "WESTSIDE"], ["South LA", "Westside"]),
        # not region questions: the word is there but the question is about something else
        # (nor is the answer read as prose about the project: it is about the organization, or
        # a form choice; a proposal that states no region has "Not stated")
        ("Where do you hope this activation or your organization will be in five years?", "Downtown", [NOT_STATED]),
        ("Does your project impact Los Angeles County?", "Yes (benefits all of LA County)", [NOT_STATED]),
        # prose answers to a region question are text, not choices (the county is never inferred)
        ("Where will you be working?", "We work " + "all over the county, " * 20, [NOT_STATED]),
    ],
)
def test_region_answers(key, value, regions):
    assert read({key: value}).regions == regions


@pytest.mark.parametrize(
    ("key", "value", "metrics"),
    [
        ("Which metrics will your submission impact?", ["Access to healthy food"], ["Access to healthy food"]),
        ("Which metrics will your proposal impact?\u200b", ["Arts establishments"], ["Arts establishments"]),
        ("How will your project impact the LA2050 “Connect” metrics?", ["Rates of volunteerism"], ["Rates of volunteerism"]),
        ("Which metrics will your activation impact?", "Air quality", ["Air quality"]),
        # a prose question about metrics: a short answer is not a metric choice
        ("Please elaborate on how your project will impact the above metrics.", "See above.", [NOT_STATED]),
        ("Please explain how your project will move these metrics.", "By ensuring students graduate.", [NOT_STATED]),
        ("Which LA2050 goal will your submission most impact?", "LA is the best place to CONNECT", [NOT_STATED]),
    ],
)
def test_metric_answers(key, value, metrics):
    assert read({key: value}).metrics == metrics


@pytest.mark.parametrize(
    ("front", "regions", "inferred"),
    [
        # no region question: the places the project's own words name, marked as inferred
        ({"project_summary": "A garden in Watts, then Boyle Heights."}, ["South LA", "East LA"], True),
        ({"title": "Kids play at Pershing Square"}, ["Central LA"], True),
        # answers about the organization's past and its partners name other places
        ({"What are some of your organization's most important achievements?": "Our Watts garden"}, [NOT_STATED], False),
        ({"Please identify any partners or collaborators.": "UCLA, Venice Family Clinic"}, [NOT_STATED], False),
        # words, institutions, units, the city and county, spans of the whole county
        ({"project_summary": "Ring the bell, a safe harbor, 1,000 watts, UCLA"}, [NOT_STATED], False),
        ({"project_summary": "20% of LA County residents; the City of Los Angeles"}, [NOT_STATED], False),
        ({"project_summary": "homeless people from Antelope Valley to the South Bay"}, [NOT_STATED], False),
        # an answered region question is never overridden by the text
        ({"Where will you be working?": ["Westside"], "project_summary": "Watts"}, ["Westside"], False),
    ],
)
def test_regions_of_a_proposal_that_does_not_say(front, regions, inferred):
    document = read(front)
    assert (document.regions, document.regions_inferred) == (regions, inferred)


def test_a_question_about_metrics_in_areas_is_read_as_metrics_only():
    document = read({"Which metrics will your work in these areas impact?": ["Air quality"]})
    assert (document.regions, document.metrics) == ([NOT_STATED], ["Air quality"])


def test_sections_keep_question_order_and_skip_metadata_and_empty_answers():
    document = read(
        {
            "organization_name": "Garden Co",
            "body_class": "banana",
            "What does your organization do?": "We plant gardens.",
            "Please list the organizations collaborating on this proposal.": [],
            "Are any other organizations collaborating on this proposal?": "",
            "Has your proposal changed due to COVID-19?": None,
            "Which metrics will your submission impact?": ["Air quality", "Obesity"],
            "How will you measure success?\u200b": "<p>Count <b>trees</b></p><p>Ask &amp; listen</p>",
            "What do you need?": {"money": "yes", "time": ""},
        }
    )
    assert [(s.question, s.answer) for s in document.sections] == [
        ("What does your organization do?", "We plant gardens."),
        ("Which metrics will your submission impact?", "Air quality; Obesity"),
        ("How will you measure success?", "Count trees\nAsk & listen"),
        ("What do you need?", "money: yes"),
    ]
    # The metric list is a form choice: shown, counted for the facet, not searched as text.
    assert document.text == "We plant gardens.\n\nCount trees\nAsk & listen\n\nmoney: yes"


def test_form_choices_are_shown_but_not_searched_as_the_applicants_words():
    document = read(
        {
            "What does your organization do?": "We teach children to swim.",
            "How can the LA2050 community and other stakeholders help your proposal succeed?": ["Money (financial capital)"],
            "Please describe yourself": "Collaboration (partners are signed up and ready to hit the ground running!)",
            "Which LA2050 goal will your submission most impact?": "LA is the best place to LEARN",
            "In what stage of innovation is this project?": "Pilot or new project",
            "In which areas of Los Angeles will you be directly working?": ["San Fernando Valley", "South LA"],
            "Please list the organizations collaborating on this proposal.": ["Swim Club of Pacoima"],
            "Are any other organizations collaborating on this proposal?": "The YMCA lends us its pool.",
        }
    )
    for choice in ("Money", "ready to hit", "best place to LEARN", "Pilot or new", "San Fernando Valley"):
        assert choice not in document.text
        assert any(choice in section.answer for section in document.sections)  # still shown
    assert document.regions == ["San Fernando Valley", "South LA"]
    for own in ("We teach children to swim.", "Swim Club of Pacoima", "The YMCA lends us its pool."):
        assert own in document.text


@pytest.mark.parametrize(
    ("front", "organization"),
    [
        ({"organization_name": "  Garden Co  "}, "Garden Co"),
        ({"Organization Name": "Garden Co"}, "Garden Co"),
        ({"organisation_name": "Garden Co"}, "Garden Co"),
        ({"organization_name": ["Garden Co"]}, ""),
        ({"organization_name": "x" * 201}, ""),
        ({"organization_id": "2016002"}, ""),
    ],
)
def test_organization(front, organization):
    assert read(front).organization == organization


@pytest.mark.parametrize(
    ("year_submitted", "path", "year"),
    [
        (2019, "/archive/2015/garden.md", 2019),
        ("2016", "/archive/garden.md", 2016),
        (None, "/archive/2014/garden.md", 2014),
        ("soon", "/archive/2018/garden.md", 2018),
        (None, "/archive/garden.md", None),
        # a typo must not reach the 32-bit year field, where it would fail the whole build
        (20199, "/archive/2019/garden.md", 2019),
        (99999999999999999999, "/archive/garden.md", None),
        (-2019, "/archive/2013/garden.md", 2013),
    ],
)
def test_year_from_front_matter_or_folder(year_submitted, path, year):
    front = {} if year_submitted is None else {"year_submitted": year_submitted}
    assert read(front, path=path).year == year


@pytest.mark.parametrize(
    ("front", "goal"),
    [
        ({"category": "learn"}, "learn"),
        ({"category": "CONNECT"}, "connect"),
        ({"indicator": " Housing"}, "live"),
        ({"indicator": "Arts & Cultural Vitality"}, "create"),
        ({"category": "play", "indicator": " Education"}, "play"),
        ({}, ""),
    ],
)
def test_goal_from_category_or_2013_indicator(front, goal):
    assert read(front).goal == goal


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://challenge.la2050.org/2019/learn/garden/", "https://challenge.la2050.org/2019/learn/garden/"),
        ("javascript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("", ""),
    ],
)
def test_only_http_challenge_urls_are_kept(url, kept):
    assert read({"challenge_url": url}).url == kept


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ({"published": False}, "unpublished (published: false)"),
        ({"title": ""}, "proposal has no title"),
        ({"title": "   "}, "proposal has no title"),
        ({"title": None}, "proposal has no title"),
        ({"title": {"en": "Garden"}}, "proposal has no title"),
    ],
)
def test_proposals_that_are_skipped(front, reason):
    with pytest.raises(SkipDocument, match=re.escape(reason)):
        read(front)


def test_published_other_than_false_is_indexed():
    assert read({"published": "no"}).title == "Garden"
    assert read({"published": None}).title == "Garden"


# --- ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("2015/lift-la-member2member-project.md", "proposal/2015/lift-la-member2member-project"),
        ("proposals/2015/lift-la-member2member-project.md", "proposal/2015/lift-la-member2member-project"),
        ("_projects/2015/lift-la-member2member-project.md", "proposal/2015/lift-la-member2member-project"),
        ("2019/Niños del Jardín!.md", "proposal/2019/ninos-del-jardin"),
        ("2019/<script>.md", "proposal/2019/script"),
        ("2019/¿¡.md", "proposal/2019/untitled"),
        ("garden.markdown", "proposal/garden"),
    ],
)
def test_ids_are_url_safe_and_independent_of_container_folders(relpath, expected):
    assert make_id("proposal", relpath) == expected


@needs_shared
def test_an_id_does_not_depend_on_where_the_archive_lives(tmp_path):
    name = "lift-la-member2member-project.md"
    copy = tmp_path / "somewhere" / "_projects" / "2015"
    copy.mkdir(parents=True)
    shutil.copy(PROPOSALS / "2015" / name, copy / name)
    ids = set()
    for root in (PROPOSALS, PROPOSALS / "2015" / "..", tmp_path / "somewhere" / "_projects"):
        sources, _problems = discover([root])
        (source,) = [s for s in sources if s.path.endswith(name)]
        ids.add(parse_source(source).document.id)
    assert ids == {"proposal/2015/lift-la-member2member-project"}


# --- real files from every year -----------------------------------------------------------

REAL_FILES = [
    (
        "2013/100-in-100-skid-row-innovates.md",
        {"title": "100 in 100: Skid Row Innovates!", "organization": "", "year": 2013, "goal": "live",
         "regions": ["Central LA"], "metrics": [NOT_STATED], "sections": 5, "regions_inferred": True},
    ),
    (
        "2014/100-of-la-online-faster.md",
        {"title": "100% of LA online faster!", "organization": "", "year": 2014, "goal": "connect",
         "regions": ["Central LA", "East LA", "South LA", "San Gabriel Valley", "San Fernando Valley", "South Bay", "Westside"],
         "metrics_include": ["Rates of volunteerism", "Access to free wifi"], "sections": 15},
    ),
    (
        "2015/lift-la-member2member-project.md",
        {"title": "LIFT-LA Member2Member Project", "organization": "LIFT-LA", "year": 2015, "goal": "live",
         "regions": ["County of Los Angeles", "Other"],
         "metrics": ["Access to healthy food", "Healthcare access", "Self-sufficiency", "Homelessness",
                     "Adverse childhood experiences", "Resilient communities"], "sections": 5},
    ),
    (
        "2016/3-d-space-teaches-3-d-image-creation-from-analog-photography-to-digital-virtual-reality.md",
        {"title": "3-D SPACE Teaches 3-D Image Creation: From Analog Photography to Digital Virtual Reality",
         "organization": "3-D SPACE, The Center For Stereoscopic Photography, Art, Cinema, and Education",
         "year": 2016, "goal": "create", "regions": ["Central LA", "San Fernando Valley"],
         "metrics": ["Arts establishments", "Employment in the creative industries"], "sections": 6},
    ),
    (
        "2018/51-our-reality.md",
        {"title": "51%: Our Reality", "organization": "TWIGG How-To", "year": 2018, "goal": "connect",
         "regions": ["City of Los Angeles"],
         "metrics": ["Social and emotional support", "Attendance at cultural events", "Social media friends and connections"],
         "sections": 11},
    ),
    (
        "2019/3-d-space-stereoscopic-photography-workshop.md",
        {"title": "3-D SPACE Stereoscopic Photography Workshop", "organization": "3-D SPACE", "year": 2019,
         "goal": "create", "regions": ["Central LA"], "metrics": ["Employment in the creative industries"],
         "sections": 7, "url": "https://challenge.la2050.org/2019/create/3-d-space/"},
    ),
    (
        "2020/100-murals-for-peace.md",
        {"title": "100 Murals for Peace", "organization": "Arts Bridging the Gap", "year": 2020, "goal": "connect",
         "regions": ["County of Los Angeles", "City of Los Angeles", "LAUSD"],
         "metrics": ["Social and emotional support", "Attendance at cultural events", "Rates of volunteerism"],
         "sections": 12},
    ),
]  # fmt: skip


@needs_shared
@pytest.mark.parametrize(("relpath", "expected"), REAL_FILES, ids=[path.split("/")[0] for path, _ in REAL_FILES])
def test_real_proposals_of_every_year(relpath, expected):
    parsed = parse_source(SourceFile(str(PROPOSALS / relpath), relpath))
    document = parsed.document
    assert document is not None, parsed.skipped
    assert document.id == "proposal/" + relpath.removesuffix(".md")
    assert document.kind == "proposal"
    for key in ("title", "organization", "year", "goal", "regions", "regions_inferred", "metrics", "url"):
        if key in expected:
            assert getattr(document, key) == expected[key], key
    assert set(expected.get("metrics_include", [])) <= set(document.metrics)
    assert len(document.sections) == expected["sections"]
    assert all(section.question and section.answer for section in document.sections)
    assert "\u200b" not in "".join(section.question for section in document.sections)
    # Every answer is indexed, as the applicant's words or (ticked from lists) as choices.
    assert all(section.answer in document.text or section.answer in document.choices for section in document.sections)


def test_a_2014_prose_answer_about_metrics_adds_no_other_metric():
    path = PROPOSALS / "2014" / "newfilmmakers-la.md"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    document = parse_source(SourceFile(str(path), "2014/newfilmmakers-la.md")).document
    assert "Other" not in document.metrics
    assert ("Please elaborate on how your project will impact the above metrics.", "See above.") in [
        (s.question, s.answer) for s in document.sections
    ]


# --- the whole corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_parsed():
    """Every file under ../shared/corpus/proposals, read as `index` reads it (its vector aside)."""
    if not PROPOSALS.is_dir():
        pytest.skip(f"shared corpus not found at {PROPOSALS}")
    sources, problems = discover([PROPOSALS])
    assert problems == []
    return read_files(sources)


def test_every_corpus_file_parses_except_the_unpublished_one(corpus_parsed):
    skipped = [(p.source.relpath, p.skipped) for p in corpus_parsed if p.document is None]
    assert skipped == [(UNPUBLISHED, "unpublished (published: false)")]
    assert len(corpus_parsed) == len(list(PROPOSALS.glob("*/*.md")))


def test_corpus_ids_are_stable_unique_and_url_safe(corpus_parsed):
    documents = [p.document for p in corpus_parsed if p.document]
    ids = [document.id for document in documents]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not ID_PATTERN.fullmatch(i)] == []
    for parsed in corpus_parsed:
        if parsed.document:
            relpath = parsed.source.relpath
            assert parsed.document.id == make_id("proposal", relpath)
            if re.fullmatch(r"\d{4}/[a-z0-9-]+\.md", relpath):  # already URL-safe: the id is the path
                assert parsed.document.id == "proposal/" + relpath.removesuffix(".md")
    assert "proposal/2015/lift-la-member2member-project" in ids


def test_corpus_documents_have_clean_facets(corpus_parsed):
    documents = [p.document for p in corpus_parsed if p.document]
    for document in documents:
        folder_year = int(document.id.split("/")[1])
        assert document.year == folder_year, document.id
        assert document.goal in GOALS, document.id
        assert document.title and document.title == document.title.strip(), document.id
        assert set(document.regions) <= {*CANONICAL_REGIONS, NOT_STATED}, document.id
        assert document.url == "" or document.url.startswith(("http://", "https://")), document.id
    by_year: dict[int, list] = {}
    for document in documents:
        by_year.setdefault(document.year, []).append(document)
    # From 2014 on every form asked where and which metrics; 2013 asked neither, so its
    # regions are read from the text or "Not stated", and its metrics all "Not stated".
    for year, group in by_year.items():
        assert all(d.regions and d.metrics for d in group), year
        answered = sum(d.regions != [NOT_STATED] and not d.regions_inferred for d in group) / len(group)
        with_metrics = sum(d.metrics != [NOT_STATED] for d in group) / len(group)
        if year == 2013:
            assert (answered, with_metrics) == (0, 0)
            assert all(d.regions_inferred or d.regions == [NOT_STATED] for d in group)
            assert sum(d.regions_inferred for d in group) / len(group) > 0.5
        else:
            assert answered > 0.9 and with_metrics > 0.99, year
    assert not any(d.regions_inferred and NOT_STATED in d.regions for d in documents)
    # Organization names are asked for from 2015 on.
    assert all(d.organization for d in documents if d.year >= 2016)
    # Only two 2013 entries are empty forms; every other proposal has answers.
    assert sorted(d.id for d in documents if not d.sections) == [
        "proposal/2013/axs-aksis-festival",
        "proposal/2013/roving-rao-vista-a-park-on-the-move",
    ]
