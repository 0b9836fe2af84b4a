"""The `la2050-search` command line: exit codes and exact output of parse, index and stats."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click
import pytest

from index_store import IndexStore
from la2050_search.cli import main
from conftest import largest_segment_file, lock_held_by_another_thread
from index_format.block_writer import BulkSegmentWriter

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PROPOSALS = SHARED / "corpus" / "proposals"
DOCUMENT_KEYS = {"path", "id", "kind", "title", "organization", "year", "goal", "regions", "metrics", "sections", "text"}
SUMMARY = re.compile(
    r"generation (\d+): (\d+) documents; added (\d+), updated (\d+), removed (\d+), "
    r"unchanged (\d+), skipped (\d+) in \d+\.\d\d s\n"
)

needs_shared = pytest.mark.skipif(not PROPOSALS.is_dir(), reason=f"shared corpus not found at {PROPOSALS}")

GARDENS = """\
---
project_id: '9000001'
year_submitted: 2019
category: learn
title: Reading Gardens
organization_name: Garden Readers
In which areas of Los Angeles will you be directly working?:
  - South LA
  - SFV
Which metrics will your submission impact?:
  - Access to healthy food
What does your organization do?: We plant gardens.
---
"""
PARKS = GARDENS.replace("9000001", "9000002").replace("Reading Gardens", "Pocket Parks").replace("learn", "play")
POST = "---\ntitle: Parks for all\ndate: 2017-03-23\n---\nA post about parks.\n"
BROKEN = "---\n- not\n- a mapping\n---\n"


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    (root / "proposals" / "2019").mkdir(parents=True)
    (root / "articles").mkdir()
    (root / "proposals" / "2019" / "gardens.md").write_text(GARDENS, encoding="utf-8")
    (root / "proposals" / "2019" / "parks.md").write_text(PARKS, encoding="utf-8")
    (root / "articles" / "2017-03-23-parks.md").write_text(POST, encoding="utf-8")
    return root


@pytest.fixture
def index_dir(tmp_path) -> str:
    return str(tmp_path / "index")


def summary_of(result) -> dict:
    """The numbers of the summary line `index` prints on stdout."""
    match = SUMMARY.fullmatch(result.stdout)
    assert match, result.output
    keys = ("generation", "documents", "added", "updated", "removed", "unchanged", "skipped")
    return dict(zip(keys, map(int, match.groups())))


def invoke(runner, args: list[str], env: dict | None = None):
    """Run the CLI under its installed name, so usage messages read as users see them."""
    return runner.invoke(main, args, env=env, prog_name="la2050-search")


def index(runner, *args: str, env: dict | None = None):
    return invoke(runner, ["index", "--quiet", *args], env=env)


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(runner, command):
    result = invoke(runner, [command, "--help"])
    assert result.exit_code == 0
    docstring = main.commands[command].help
    assert docstring and docstring.strip()
    assert " ".join(docstring.splitlines()[0].split()) in " ".join(result.output.split())
    for param in main.commands[command].params:
        if isinstance(param, click.Option):
            assert param.help, f"{command} {param.opts[0]} has no help text"


def test_group_help_lists_every_command(runner):
    result = invoke(runner, ["--help"])
    assert result.exit_code == 0
    assert "Search the My LA2050 Ideas Archive" in result.output
    for command in ("parse", "index", "stats", "serve"):
        assert re.search(rf"^  {command}\s+\S", result.output, re.MULTILINE), command


def test_short_help_option_and_version(runner):
    assert invoke(runner, ["-h"]).exit_code == 0
    result = invoke(runner, ["--version"])
    assert result.exit_code == 0 and re.search(r"\d+\.\d+\.\d+", result.output)


# --- parse --------------------------------------------------------------------------------


def test_parse_prints_each_document(runner, corpus):
    result = invoke(runner, ["parse", str(corpus / "proposals" / "2019" / "gardens.md")])
    assert result.exit_code == 0
    assert result.output == (
        f"{corpus / 'proposals' / '2019' / 'gardens.md'}\n"
        "  id: proposal/gardens\n"
        "  kind: proposal\n"
        "  title: Reading Gardens\n"
        "  organization: Garden Readers\n"
        "  year: 2019\n"
        "  goal: learn\n"
        "  regions: South LA, San Fernando Valley\n"
        "  metrics: Access to healthy food\n"
        "  sections: 3\n"
        "  text: 17 characters\n"  # the region and metric lists are form choices, not its words
    )


def test_parse_says_why_a_file_is_skipped(runner, tmp_path):
    (tmp_path / "broken.md").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    result = invoke(
        runner, ["parse", str(tmp_path / "broken.md"), str(tmp_path / "missing"), str(tmp_path / "notes.docx")]
    )
    assert result.exit_code == 0
    assert result.output == (
        f"{tmp_path / 'missing'}: skipped: no such file or directory\n"
        f"{tmp_path / 'notes.docx'}: skipped: unsupported file type .docx\n"
        f"{tmp_path / 'broken.md'}: skipped: front matter is a list, not a mapping of fields\n"
    )


def test_parse_json_prints_one_object_per_line(runner, corpus):
    (corpus / "proposals" / "2019" / "broken.md").write_text(BROKEN, encoding="utf-8")
    result = invoke(runner, ["parse", "--json", str(corpus)])
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.output.splitlines()]
    by_path = {Path(line["path"]).name: line for line in lines}
    assert sorted(by_path) == ["2017-03-23-parks.md", "broken.md", "gardens.md", "parks.md"]
    assert by_path["broken.md"] == {
        "path": str(corpus / "proposals" / "2019" / "broken.md"),
        "skipped": "front matter is a list, not a mapping of fields",
    }
    gardens = by_path["gardens.md"]
    assert DOCUMENT_KEYS <= set(gardens)
    assert {key: gardens[key] for key in DOCUMENT_KEYS} == {
        "path": str(corpus / "proposals" / "2019" / "gardens.md"),
        "id": "proposal/2019/gardens",
        "kind": "proposal",
        "title": "Reading Gardens",
        "organization": "Garden Readers",
        "year": 2019,
        "goal": "learn",
        "regions": ["South LA", "San Fernando Valley"],
        "metrics": ["Access to healthy food"],
        "sections": [
            {"question": "In which areas of Los Angeles will you be directly working?", "answer": "South LA; SFV"},
            {"question": "Which metrics will your submission impact?", "answer": "Access to healthy food"},
            {"question": "What does your organization do?", "answer": "We plant gardens."},
        ],
        "text": "We plant gardens.",  # the lists ticked from the form are choices, not its words
    }
    post = by_path["2017-03-23-parks.md"]
    assert (post["id"], post["kind"], post["title"], post["year"]) == ("article/2017-03-23-parks", "article", "Parks for all", 2017)


@needs_shared
def test_parse_json_over_a_real_year(runner):
    result = invoke(runner, ["parse", "--json", str(PROPOSALS / "2015")])
    assert result.exit_code == 0
    # JSON Lines: records end at "\n" only; answers may hold U+2028, which str.splitlines splits on
    lines = [json.loads(line) for line in result.output.split("\n")[:-1]]
    assert len(lines) == len(list((PROPOSALS / "2015").glob("*.md")))
    skipped = [line for line in lines if "skipped" in line]
    assert [set(line) for line in skipped] == [{"path", "skipped"}]
    assert skipped[0]["skipped"] == "unpublished (published: false)"
    documents = [line for line in lines if "skipped" not in line]
    assert all(DOCUMENT_KEYS <= set(line) for line in documents)
    assert all(re.fullmatch(r"proposal/[a-z0-9-]+", line["id"]) for line in documents)  # relative to the PATH given
    assert all(isinstance(s, dict) and set(s) == {"question", "answer"} for line in documents for s in line["sections"])


def test_parse_without_paths_is_a_usage_error(runner):
    result = invoke(runner, ["parse"])
    assert result.exit_code == 2
    assert "Missing argument 'PATHS...'" in result.output
    assert "Try 'la2050-search parse --help' for help." in result.output


# --- index --------------------------------------------------------------------------------


def test_index_prints_a_summary_and_exits_0(runner, corpus, index_dir):
    result = index(runner, str(corpus), "--index-dir", index_dir)
    assert result.exit_code == 0, result.output
    assert summary_of(result) == {
        "generation": 1, "documents": 3, "added": 3, "updated": 0, "removed": 0, "unchanged": 0, "skipped": 0,
    }  # fmt: skip
    assert result.stderr == ""


def test_index_reports_progress_unless_quiet(runner, corpus, index_dir):
    result = invoke(runner, ["index", str(corpus), "--index-dir", index_dir])
    assert result.exit_code == 0
    assert re.fullmatch(r"parsed 3/3 files \(\S+ files/s, ETA 0 s\)\n", result.stderr)


def test_incremental_index_counts_each_kind_of_change(runner, corpus, index_dir):
    assert index(runner, str(corpus), "--index-dir", index_dir).exit_code == 0
    folder = corpus / "proposals" / "2019"
    (folder / "gardens.md").write_text(GARDENS.replace("We plant gardens.", "We plant more gardens."), encoding="utf-8")
    (folder / "parks.md").unlink()
    (folder / "museums.md").write_text(GARDENS.replace("Reading Gardens", "Museums"), encoding="utf-8")
    (folder / "broken.md").write_text(BROKEN, encoding="utf-8")
    result = index(runner, str(corpus), "--index-dir", index_dir)
    assert result.exit_code == 0
    assert summary_of(result) == {
        "generation": 2, "documents": 3, "added": 1, "updated": 1, "removed": 1, "unchanged": 1, "skipped": 1,
    }  # fmt: skip
    assert result.stderr == f"{folder / 'broken.md'}: front matter is a list, not a mapping of fields\n"


def test_a_file_that_breaks_is_reported_and_its_previous_version_kept(runner, corpus, index_dir):
    assert index(runner, str(corpus), "--index-dir", index_dir).exit_code == 0
    page = corpus / "proposals" / "2019" / "gardens.md"
    page.write_text(BROKEN, encoding="utf-8")
    result = index(runner, str(corpus), "--index-dir", index_dir)
    assert result.exit_code == 0
    assert result.stderr == (
        f"{page}: front matter is a list, not a mapping of fields (kept the previously indexed version)\n"
    )
    assert summary_of(result)["documents"] == 3
    strict = index(runner, str(corpus), "--index-dir", index_dir, "--strict")
    assert strict.exit_code == 1


@pytest.mark.parametrize(
    ("make_paths", "reported"),
    [
        (lambda tmp: [tmp / "empty"], []),
        (lambda tmp: [tmp / "missing"], ["{tmp}/missing: no such file or directory"]),
        (lambda tmp: [tmp / "bad"], ["{tmp}/bad/broken.md: front matter is a list, not a mapping of fields"]),
    ],
    ids=["empty folder", "missing path", "only broken files"],
)
def test_index_exits_1_when_nothing_usable_is_found(runner, tmp_path, index_dir, make_paths, reported):
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "broken.md").write_text(BROKEN, encoding="utf-8")
    result = index(runner, *map(str, make_paths(tmp_path)), "--index-dir", index_dir)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "".join(line.format(tmp=tmp_path) + "\n" for line in reported) + (
        "Error: could not build a new generation: no usable documents found: check the paths and "
        "the skipped files above; the live generation (none) is untouched\n"
    )
    assert not os.path.exists(os.path.join(index_dir, "CURRENT"))


def test_strict_exits_1_on_any_skip_but_still_indexes(runner, corpus, index_dir):
    assert index(runner, str(corpus), "--index-dir", index_dir, "--strict").exit_code == 0
    (corpus / "proposals" / "2019" / "broken.md").write_text(BROKEN, encoding="utf-8")
    (corpus / "proposals" / "2019" / "new.md").write_text(GARDENS.replace("Reading Gardens", "New"), encoding="utf-8")
    result = index(runner, str(corpus), "--index-dir", index_dir, "--strict")
    assert result.exit_code == 1
    assert summary_of(result)["added"] == 1 and summary_of(result)["skipped"] == 1
    assert "broken.md: front matter is a list" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Missing argument 'PATHS...'"),
        (["corpus", "--bogus"], "No such option '--bogus'"),
        (["corpus", "--workers", "0"], "Invalid value for '--workers'"),
        (["corpus", "--lock-timeout", "soon"], "Invalid value for '--lock-timeout'"),
    ],
)
def test_index_usage_errors_exit_2(runner, args, message):
    result = invoke(runner, ["index", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Try 'la2050-search index --help' for help." in result.output


def test_index_uses_the_environment(runner, corpus, index_dir):
    result = index(runner, str(corpus), env={"SEARCH_INDEX_DIR": index_dir})
    assert result.exit_code == 0
    assert IndexStore(index_dir).current_name() == "gen-000001"


def test_index_waits_for_the_lock_then_names_the_holder(runner, corpus, index_dir):
    with lock_held_by_another_thread(index_dir):
        result = index(runner, str(corpus), "--index-dir", index_dir, "--lock-timeout", "0.2")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: another indexing run holds the lock on {index_dir} (pid {os.getpid()}:")
    assert result.stderr.endswith("waited 0.2 s. Try again when it finishes, or raise --lock-timeout.\n")
    again = index(runner, str(corpus), "--index-dir", index_dir, env={"SEARCH_INDEX_LOCK_TIMEOUT": "1"})
    assert again.exit_code == 0


def test_a_failed_build_exits_1_and_the_live_index_keeps_serving(runner, corpus, index_dir, monkeypatch):
    assert index(runner, str(corpus), "--index-dir", index_dir).exit_code == 0

    def add_document(self, **fields):
        raise MemoryError

    monkeypatch.setattr(BulkSegmentWriter, "add_document", add_document)
    result = index(runner, str(corpus), "--index-dir", index_dir, "--rebuild")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: could not build a new generation: MemoryError; the live generation gen-000001 is untouched\n"
    )
    monkeypatch.undo()
    assert json.loads(invoke(runner, ["stats", "--json", "--index-dir", index_dir]).stdout)["generation"] == 1


# --- stats --------------------------------------------------------------------------------


def test_stats_json(runner, corpus, index_dir):
    assert index(runner, str(corpus), "--index-dir", index_dir).exit_code == 0
    result = invoke(runner, ["stats", "--json", "--index-dir", index_dir])
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    size = stats.pop("size_bytes")
    assert isinstance(size, int) and size > 0
    assert stats == {
        "generation": 1,
        "documents": {"proposal": 2, "organization": 0, "article": 1},
        "facets": {
            "region": {"San Fernando Valley": 2, "South LA": 2},
            "metric": {"Access to healthy food": 2},
            "goal": {"learn": 1, "play": 1},
            "year": {"2019": 2, "2017": 1},
            "kind": {"proposal": 2, "article": 1},
            "outcome": {},
            "topic": {},
            "org_type": {},
            "home_region": {},
        },
    }


def test_stats_text(runner, corpus, index_dir):
    assert index(runner, str(corpus), "--index-dir", index_dir).exit_code == 0
    result = invoke(runner, ["stats", "--index-dir", index_dir])
    assert result.exit_code == 0
    assert re.fullmatch(
        rf"generation 1 in {re.escape(index_dir)}: 3 documents \(2 proposals, 0 organizations, 1 articles\), \d+\.\d MB\n"
        r"region \(2 values\):\n       2  San Fernando Valley\n       2  South LA\n"
        r"metric \(1 values\):\n       2  Access to healthy food\n"
        r"goal \(2 values\):\n       1  learn\n       1  play\n"
        r"year \(2 values\):\n       2  2019\n       1  2017\n"
        r"kind \(2 values\):\n       2  proposal\n       1  article\n"
        r"outcome \(0 values\):\ntopic \(0 values\):\norg_type \(0 values\):\nhome_region \(0 values\):\n",
        result.output,
    ), result.output


def test_stats_without_an_index_says_how_to_make_one(runner, index_dir):
    result = invoke(runner, ["stats", "--index-dir", index_dir])
    assert result.exit_code == 1
    assert result.output == f"Error: no index in {index_dir}: run `la2050-search index PATH… --index-dir {index_dir}` first\n"


def test_a_corrupt_generation_fails_stats_until_a_rebuild_repairs_it(runner, corpus, index_dir):
    assert index(runner, str(corpus), "--index-dir", index_dir).exit_code == 0
    live = Path(index_dir) / "gen-000001"
    segment = largest_segment_file(live)
    with open(segment, "r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)
    result = invoke(runner, ["stats", "--index-dir", index_dir])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: generation gen-000001 in {index_dir} is damaged; "
        "run `la2050-search index PATH… --rebuild` to repair it ("
    )
    assert f"{segment.name} is " in result.output
    incremental = index(runner, str(corpus), "--index-dir", index_dir)
    assert incremental.exit_code == 1 and "--rebuild" in incremental.stderr
    repaired = index(runner, str(corpus), "--index-dir", index_dir, "--rebuild")
    assert repaired.exit_code == 0
    assert summary_of(repaired)["generation"] == 2
    stats = invoke(runner, ["stats", "--json", "--index-dir", index_dir])
    assert stats.exit_code == 0 and json.loads(stats.stdout)["documents"] == {"proposal": 2, "organization": 0, "article": 1}


# --- serve --------------------------------------------------------------------------------


def test_serve_refuses_to_start_without_an_index(runner, index_dir):
    result = invoke(runner, ["serve", "--index-dir", index_dir, "--port", "0"])
    assert result.exit_code == 1
    assert "run `la2050-search index PATH… --index-dir" in result.output


def test_serve_rejects_a_bad_port(runner, index_dir):
    result = invoke(runner, ["serve", "--index-dir", index_dir, "--port", "70000"])
    assert result.exit_code == 2
    assert "Invalid value for '--port'" in result.output
