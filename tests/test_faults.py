"""Faults in the index store: killed writers, a full or read-only disk, a damaged generation.

Every test drives the real command line (`la2050-search index`, `stats`, `serve`) in
subprocesses over 210 short generated proposals: enough files that a run forks worker
processes (indexer/parallel.py), small enough that one run takes a second or two, so a
writer can be killed at many moments. A running server must keep answering from a
complete generation whatever happens to a writer. Full and read-only disks are real: a
small tmpfs, filled up or remounted read-only.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from index_store import IndexStore
from index_store import store as store_module
from indexer.pipeline import PARALLEL_THRESHOLD, index_paths
from indexer.sources import discover
from la2050_search.cli import main
from search_app.errors import UNAVAILABLE
from conftest import read_documents
from servers import REPO, RUN_TIMEOUT, SEED, cli, free_port, index, running_server, start_index, write_proposals

KILLS = 20  # moments at which a rebuild is killed
UPDATE_KILLS = 6  # moments at which an incremental update is killed
COMPLETE_EVERY = 5  # after this many kills, one run is left to complete
# Queries whose ids and totals must not change while writers die around the server.
QUERIES = [
    "/api/search",
    "/api/search?q=gardens",
    "/api/search?q=youth+jobs&region=South+LA",
    "/api/search?q=art*&sort=title&per_page=50",
    "/api/search?goal=learn&page=2",
]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """Just over PARALLEL_THRESHOLD short proposals: a rebuild forks workers yet takes about a second."""
    root = write_proposals(tmp_path_factory.mktemp("small-corpus"), PARALLEL_THRESHOLD + 10)
    assert len(discover([root])[0]) > PARALLEL_THRESHOLD
    return root


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, small_corpus) -> Path:
    """`small_corpus` indexed once with the command line. A test that starts from a built index
    takes a copy (a fraction of a second; indexing again took a second or two of CPU a test):
    the same generation, manifest and parse cache as its own first run would leave."""
    index_dir = tmp_path_factory.mktemp("small-index") / "index"
    built = index(small_corpus, index_dir)
    assert built.returncode == 0, built.stderr
    return index_dir


def copy_index(index_dir: Path, target: Path) -> Path:
    """A copy of a built index at `target` (file times kept, as the manifest records them)."""
    return Path(shutil.copytree(index_dir, target))


def kill_after(process: subprocess.Popen, delay: float) -> bool:
    """SIGKILL `process` after `delay` seconds and reap it; False if it had finished by then."""
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=RUN_TIMEOUT)
    return True


def kill_mid_run(corpus: Path, index_dir: Path, delay: float) -> tuple[subprocess.Popen, float]:
    """Start `index --rebuild` and SIGKILL it `delay` seconds in; a run that finished first (the
    machine faster now than when the run was timed) is run again and killed at half the delay,
    so the kill lands inside a run however fast the machine is. The writer and the delay used."""
    while True:
        writer = start_index(corpus, index_dir, "--rebuild")
        if kill_after(writer, delay):
            return writer, delay
        assert writer.returncode == 0, f"an unkilled rebuild failed ({writer.returncode})"
        delay /= 2


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
    """After a completed run: the pointer, the lock, the parse cache and at most
    KEEP_GENERATIONS generations."""
    names = sorted(entry.name for entry in index_dir.iterdir())
    generations = [name for name in names if name.startswith("gen-")]
    assert names == sorted([".lock", "CURRENT", "cache-parsed", *generations]), names
    assert 1 <= len(generations) <= store_module.KEEP_GENERATIONS


# --- killed writers -----------------------------------------------------------------------


def test_a_rebuild_killed_at_any_moment_leaves_the_server_answering_and_the_next_run_recovers(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    duration = min(timed_run(small_corpus, index_dir) for _ in range(2))  # Python start-up included
    documents = sum(stats(index_dir)["documents"].values())
    rng = random.Random(SEED)
    moments = [rng.uniform(0.02, 0.9) * duration for _ in range(KILLS)]
    with running_server(index_dir, workers=1) as server:
        baseline = answers(server)
        assert all(status == 200 for status, _total, _ids in baseline.values())
        for number, moment in enumerate(moments, start=1):
            writer, delay = kill_mid_run(small_corpus, index_dir, moment)
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
    print(f"{KILLS} rebuilds killed mid-run (a full run takes {duration:.2f} s)")


def titles_on_disk(corpus: Path) -> dict[str, str]:
    """Each document's id and title as the files now say."""
    return {document.id: document.title for document in read_documents([corpus])}


def indexed_titles(index_dir: Path) -> list[tuple[str, str]]:
    """(id, title) of every live document, duplicates included."""
    generation = IndexStore(index_dir).open_current()
    with generation.reader() as reader:
        return sorted((fields["id"], fields["title"]) for _docnum, fields in reader.live_documents())


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


# --- a full or read-only disk -------------------------------------------------------------

DISK_BYTES = 32 * 1024 * 1024  # the tmpfs the index lives on, before it is shrunk
SPARE_BYTES = 128 * 1024  # room left beside the live generation: less than a new one needs


@contextmanager
def small_disk(mountpoint: Path) -> Iterator[Path]:
    """A real tmpfs at `mountpoint`, so full-disk and read-only errors come from the kernel.

    Mounting needs CAP_SYS_ADMIN, which the tests have here (root); elsewhere they skip.
    """
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES},mode=0755", "tmpfs", str(mountpoint)],
        capture_output=True, text=True,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "--lazy", str(mountpoint)], check=True)


def remount(mountpoint: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mountpoint)], check=True, capture_output=True)


def used_bytes(mountpoint: Path) -> int:
    info = os.statvfs(mountpoint)
    return (info.f_blocks - info.f_bfree) * info.f_frsize


def snapshot(index_dir: Path) -> dict[str, str]:
    """Name -> content hash of every file of the index directory, for 'untouched' checks.

    Not the parse cache: a failed build may still keep the documents it parsed.
    """
    return {
        path.relative_to(index_dir).as_posix(): hashlib.sha1(path.read_bytes()).hexdigest()
        for path in sorted(index_dir.rglob("*"))
        if path.is_file() and path.name != ".lock" and not path.relative_to(index_dir).as_posix().startswith("cache-")
    }


@pytest.mark.parametrize("spare", [SPARE_BYTES, 0], ids=["nearly-full", "full"])
@pytest.mark.parametrize("rebuild", [True, False], ids=["rebuild", "update"])
def test_a_full_disk_fails_the_build_clearly_and_leaves_the_live_generation_alone(tmp_path, small_corpus, small_index, rebuild, spare):
    revised = write_proposals(tmp_path / "revised", PARALLEL_THRESHOLD + 10, revised=True)
    with small_disk(tmp_path / "disk") as disk:
        index_dir = copy_index(small_index, disk / "index")
        before = snapshot(index_dir)
        remount(disk, f"size={used_bytes(disk) + spare}")
        # The update sees every title changed: it copies the live generation, then rewrites it.
        failed = index(small_corpus if rebuild else revised, index_dir, *(["--rebuild"] if rebuild else []))
        assert failed.returncode == 1, failed.stderr
        assert re.fullmatch(
            r"Error: could not build a new generation: [^\n]*No space left on device[^\n]*; "
            r"the live generation gen-000001 is untouched\n",
            failed.stderr,
        ), failed.stderr
        assert snapshot(index_dir) == before
        assert sorted(entry.name for entry in index_dir.iterdir()) == [".lock", "CURRENT", "cache-parsed", "gen-000001"]
        assert sum(stats(index_dir)["documents"].values()) == PARALLEL_THRESHOLD + 10
        remount(disk, f"size={DISK_BYTES}")
        again = index(revised, index_dir, *(["--rebuild"] if rebuild else []))
        assert again.returncode == 0, again.stderr
        assert "generation 2:" in again.stdout


def test_a_read_only_index_directory_is_reported_and_still_served(tmp_path, small_corpus, small_index):
    with small_disk(tmp_path / "disk") as disk:
        index_dir = copy_index(small_index, disk / "index")
        before = snapshot(index_dir)
        remount(disk, "ro")
        for options in (["--rebuild"], []):
            failed = index(small_corpus, index_dir, *options)
            assert failed.returncode == 1, failed.stderr
            assert failed.stderr == (
                f"Error: cannot open the writer lock {index_dir / '.lock'}: Read-only file system; "
                "indexing needs a writable index directory, and the live generation is untouched\n"
            )
        assert snapshot(index_dir) == before
        assert sum(stats(index_dir)["documents"].values()) == PARALLEL_THRESHOLD + 10
        with running_server(index_dir, workers=1) as server:
            status, body = server.get_json("/api/search?q=garden")
            assert status == 200 and body["total"] > 0
        remount(disk, "rw")
        assert index(small_corpus, index_dir, "--rebuild").returncode == 0


def test_a_failed_pointer_write_leaves_nothing_behind(tmp_path, small_corpus, small_index, monkeypatch):
    """ENOSPC exactly when CURRENT is rewritten: the last step of a build, simulated in-process."""
    index_dir = copy_index(small_index, tmp_path / "index")
    runner = CliRunner()
    before = snapshot(index_dir)

    def open_on_a_full_disk(file, mode="r", *args, **kwargs):
        if Path(file).name.startswith("CURRENT") and "w" in mode:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(file))
        return open(file, mode, *args, **kwargs)

    monkeypatch.setattr(store_module, "open", open_on_a_full_disk, raising=False)
    failed = runner.invoke(main, ["index", str(small_corpus), "--index-dir", str(index_dir), "-q", "--rebuild", "--workers", "1"])
    assert failed.exit_code == 1
    assert failed.output == (
        f"Error: could not build a new generation: No space left on device ({index_dir / 'CURRENT'}.tmp-{os.getpid()}); "
        "the live generation gen-000001 is untouched\n"
    )
    assert snapshot(index_dir) == before
    assert sorted(entry.name for entry in index_dir.iterdir()) == [".lock", "CURRENT", "cache-parsed", "gen-000001"]
    monkeypatch.undo()
    assert runner.invoke(main, ["index", str(small_corpus), "--index-dir", str(index_dir), "-q", "--rebuild"]).exit_code == 0
    assert (index_dir / "CURRENT").read_text() == "gen-000002\n"  # the number of the failed build is reused


# --- a damaged generation -----------------------------------------------------------------


def truncate_a_segment(generation: Path) -> Path:
    """Cut the largest segment file (compound `.seg`, or postings) in half."""
    segment = max(generation.glob("MAIN_*"), key=lambda path: path.stat().st_size)
    with open(segment, "r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)
    return segment


DAMAGED = "generation {name} in {index_dir} is damaged; run `la2050-search index PATH… --rebuild` to repair it ("


def test_serve_refuses_a_damaged_generation_and_says_how_to_repair_it(tmp_path, small_corpus, small_index):
    index_dir = copy_index(small_index, tmp_path / "index")
    segment = truncate_a_segment(index_dir / "gen-000001")
    refused = subprocess.run(
        cli("serve", "--index-dir", str(index_dir), "--port", str(free_port()), "--workers", "1"),
        cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT,
    )  # fmt: skip
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith("Error: " + DAMAGED.format(name="gen-000001", index_dir=index_dir))
    assert f"({segment.name} is " in refused.stderr and "Traceback" not in refused.stderr
    assert index(small_corpus, index_dir, "--rebuild").returncode == 0
    with running_server(index_dir, workers=1) as server:
        assert server.get_json("/healthz") == (200, {"ok": True, "generation": 2, "documents": PARALLEL_THRESHOLD + 10})


def test_a_running_server_answers_503_while_the_live_generation_is_damaged(tmp_path, small_corpus, small_index):
    index_dir = copy_index(small_index, tmp_path / "index")
    with running_server(index_dir, workers=1) as server:
        baseline = answers(server)
        assert index(small_corpus, index_dir, "--rebuild").returncode == 0
        truncate_a_segment(index_dir / "gen-000002")  # before any request opens it
        details = DAMAGED.format(name="gen-000002", index_dir=index_dir)
        for path in ("/api/search?q=garden", "/api/doc/proposal/2015/proposal-000", "/healthz"):
            status, headers, body = server.get(path)
            assert (status, headers["content-type"]) == (503, "application/json"), path
            error = json.loads(body)
            assert (error["ok"], error["status"]) == (False, 503)
            assert error["error"] == UNAVAILABLE, error  # the details are for the operator's log
        status, headers, body = server.get("/?q=garden")
        assert status == 503 and headers["content-type"].startswith("text/html")
        alert = BeautifulSoup(body, "html.parser").select_one("p.error[role=alert]")
        assert alert is not None and alert.get_text() == UNAVAILABLE
        assert details in server.log()
        assert index(small_corpus, index_dir, "--rebuild").returncode == 0
        assert answers(server) == baseline
        assert "Traceback" not in server.log()
