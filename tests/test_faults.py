"""Faults in the index store: killed writers, a full or read-only disk, a damaged generation.

Every test drives the real command line (`la2050-search index`, `stats`, `serve`) in
subprocesses over a copy of 215 real proposals: enough files that a rebuild uses worker
processes (indexer/parallel.py), few enough that one run takes seconds. A running server
must keep answering from a complete generation whatever happens to a writer.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from index_store import IndexStore
from index_store import store as store_module
from indexer.pipeline import PARALLEL_THRESHOLD, index_paths
from indexer.sources import discover, parse_source
from la2050_search.cli import main
from servers import REPO, cli, running_server

SEED = 2050  # kill moments are random, but the same on every run
KILLS = 20  # moments at which a rebuild is killed
UPDATE_KILLS = 6  # moments at which an incremental update is killed
COMPLETE_EVERY = 5  # after this many kills, one run is left to complete
RUN_TIMEOUT = 120  # seconds: any single `index` run; a hang fails instead of blocking the suite
# Queries whose ids and totals must not change while writers die around the server.
QUERIES = [
    "/api/search",
    "/api/search?q=gardens",
    "/api/search?q=youth+jobs&region=South+LA",
    "/api/search?q=art*&sort=title&per_page=50",
    "/api/search?goal=learn&page=2",
]


WORDS = "garden school youth jobs food art music park library health housing water transit bike tree clinic".split()
REGIONS = ["South LA", "Westside", "SFV", "Central LA", "East LA", "Gateway Cities"]
GOALS = ["learn", "create", "play", "connect", "live"]


def write_proposals(folder: Path, count: int, *, revised: bool = False) -> Path:
    """`count` short proposals (seeded), in the archive's format; `revised` changes every title."""
    rng = random.Random(SEED)
    for number in range(count):
        year = 2015 + number % 5
        title = " ".join(rng.sample(WORDS, 3)).title() + f" {number}"
        front = {
            "published": True,
            "project_id": str(9_000_000 + number),
            "year_submitted": year,
            "category": rng.choice(GOALS),
            "title": f"Revised: {title}" if revised else title,
            "organization_name": f"Organization {number % 37}",
            "In which areas of Los Angeles will you be directly working?": rng.sample(REGIONS, 2),
            "What does your organization do?": " ".join(rng.choice(WORDS) for _ in range(80)),
        }
        path = folder / "proposals" / str(year) / f"proposal-{number:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + json.dumps(front, indent=1) + "\n---\n", encoding="utf-8")  # JSON is YAML
    return folder


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """Just over PARALLEL_THRESHOLD short proposals: a rebuild forks workers yet takes about a second."""
    root = write_proposals(tmp_path_factory.mktemp("small-corpus"), PARALLEL_THRESHOLD + 10)
    assert len(discover([root])[0]) > PARALLEL_THRESHOLD
    return root


def index(corpus: Path, index_dir: Path, *options: str) -> subprocess.CompletedProcess:
    """`la2050-search index CORPUS --index-dir INDEX_DIR -q OPTIONS…`, run to its end."""
    return subprocess.run(
        cli("index", str(corpus), "--index-dir", str(index_dir), "-q", *options),
        cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )  # fmt: skip


def start_index(corpus: Path, index_dir: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        cli("index", str(corpus), "--index-dir", str(index_dir), "-q", *options),
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def kill_after(process: subprocess.Popen, delay: float) -> bool:
    """SIGKILL `process` after `delay` seconds and reap it; False if it had finished by then."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=RUN_TIMEOUT)
    return True


def timed_run(corpus: Path, index_dir: Path) -> float:
    """Seconds a complete `index --rebuild` takes."""
    started = time.monotonic()
    result = index(corpus, index_dir, "--rebuild")
    assert result.returncode == 0, result.stderr
    return time.monotonic() - started


def answers(server) -> dict[str, tuple[int, int, list[str]]]:
    """Status, total and ids of each query in QUERIES."""
    result = {}
    for path in QUERIES:
        status, body = server.get_json(path)
        result[path] = (status, body.get("total"), [hit["id"] for hit in body.get("results", [])])
    return result


def stats(index_dir: Path) -> dict:
    """`la2050-search stats --json`, which must succeed."""
    result = CliRunner().invoke(main, ["stats", "--json", "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def lock_holder(index_dir: Path) -> int | None:
    """The pid recorded in the writer lock file (a writer killed while holding it leaves it there)."""
    text = (index_dir / ".lock").read_text(encoding="utf-8").split(" ", 1)[0].strip()
    return int(text) if text.isdigit() else None


def leftover_processes(index_dir: Path) -> list[int]:
    """Processes still running an `index` command on `index_dir` (orphaned workers, say)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"index" in argv and str(index_dir).encode() in argv:
                found.append(int(entry))
    return found


def assert_clean(index_dir: Path) -> None:
    """After a completed run: the pointer, the lock and at most KEEP_GENERATIONS generations."""
    names = sorted(entry.name for entry in index_dir.iterdir())
    generations = [name for name in names if name.startswith("gen-")]
    assert names == sorted([".lock", "CURRENT", *generations]), names
    assert 1 <= len(generations) <= store_module.KEEP_GENERATIONS


# --- killed writers -----------------------------------------------------------------------


def test_a_rebuild_killed_at_any_moment_leaves_the_server_answering_and_the_next_run_recovers(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    duration = min(timed_run(small_corpus, index_dir) for _ in range(2))  # Python start-up included
    documents = sum(stats(index_dir)["documents"].values())
    rng = random.Random(SEED)
    moments = [rng.uniform(0.02, 0.9) * duration for _ in range(KILLS)]
    killed = 0
    with running_server(index_dir, workers=1) as server:
        baseline = answers(server)
        assert all(status == 200 for status, _total, _ids in baseline.values())
        for number, delay in enumerate(moments, start=1):
            writer = start_index(small_corpus, index_dir, "--rebuild")
            killed += kill_after(writer, delay)
            when = f"kill {number} at {delay:.2f} s of {duration:.2f} s"
            assert answers(server) == baseline, when
            assert sum(stats(index_dir)["documents"].values()) == documents, when
            if number % COMPLETE_EVERY == 0:
                held = lock_holder(index_dir) == writer.pid
                completed = index(small_corpus, index_dir, "--rebuild")
                assert completed.returncode == 0, f"{when}: {completed.stderr}"
                recovered = f"recovered a lock left by pid {writer.pid}, which is no longer running"
                assert (recovered in completed.stderr) == held, f"{when}: {completed.stderr}"
                assert f": {documents} documents;" in completed.stdout
                assert_clean(index_dir)
                assert answers(server) == baseline, when
        assert leftover_processes(index_dir) == []
        assert "Traceback" not in server.log()
    print(f"{killed} of {KILLS} rebuilds killed mid-run (a full run takes {duration:.2f} s)")
    assert killed >= KILLS // 2  # moments are within a full run: most must land inside one


def titles_on_disk(corpus: Path) -> dict[str, str]:
    """Each document's id and title as the files now say."""
    documents = (parse_source(source).document for source in discover([corpus])[0])
    return {document.id: document.title for document in documents if document is not None}


def indexed_titles(index_dir: Path) -> list[tuple[str, str]]:
    """(id, title) of every live document, duplicates included."""
    generation = IndexStore(index_dir).open_current()
    with generation.index.searcher() as searcher:
        return sorted((fields["id"], fields["title"]) for fields in searcher.all_stored_fields())


def test_an_update_killed_mid_way_loses_and_duplicates_nothing(tmp_path):
    count = PARALLEL_THRESHOLD + 10
    old, new = write_proposals(tmp_path / "old", count), write_proposals(tmp_path / "new", count, revised=True)
    old_titles, new_titles = titles_on_disk(old), titles_on_disk(new)
    assert old_titles.keys() == new_titles.keys()
    assert all(old_titles[doc_id] != new_titles[doc_id] for doc_id in old_titles)
    versions = {path.relative_to(old): (path.read_bytes(), (new / path.relative_to(old)).read_bytes())
                for path in old.rglob("*.md")}  # fmt: skip
    corpus = tmp_path / "corpus"
    shutil.copytree(old, corpus)
    index_dir = tmp_path / "index"
    started = time.monotonic()
    assert index(corpus, index_dir).returncode == 0
    duration = time.monotonic() - started
    rng = random.Random(SEED)
    for number in range(1, UPDATE_KILLS + 1):
        # Odd runs flip every file (worker processes), even runs about half (one process).
        for relpath, (old_bytes, new_bytes) in versions.items():
            current = (corpus / relpath).read_bytes()
            flipped = new_bytes if current == old_bytes else old_bytes
            (corpus / relpath).write_bytes(flipped if number % 2 or rng.random() < 0.5 else current)
        delay = rng.uniform(0.05, 0.95) * duration
        kill_after(start_index(corpus, index_dir), delay)
        indexed = indexed_titles(index_dir)
        ids = [doc_id for doc_id, _title in indexed]
        when = f"kill {number} at {delay:.2f} s of {duration:.2f} s"
        assert len(ids) == len(set(ids)), f"{when}: duplicated documents"
        assert set(ids) == old_titles.keys(), f"{when}: lost or unknown documents"
        assert all(title in (old_titles[doc_id], new_titles[doc_id]) for doc_id, title in indexed), when

    completed = index(corpus, index_dir)
    assert completed.returncode == 0, completed.stderr
    assert_clean(index_dir)
    rebuilt = tmp_path / "rebuilt"
    index_paths(IndexStore(rebuilt), [corpus], rebuild=True, workers=1)
    assert indexed_titles(index_dir) == indexed_titles(rebuilt) == sorted(titles_on_disk(corpus).items())
