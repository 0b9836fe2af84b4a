"""Concurrency: readers during rebuilds, and two writers at once.

The server is the real one (`la2050-search serve`, gunicorn) and the writers are real
`la2050-search index` processes. Corpora are generated (tests/servers.py) so that a
rebuild takes a second or two, and rebuilds alternate between two sizes: a response
whose total is neither size would have read a generation half-way.
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index_store import IndexStore
from indexer.pipeline import PARALLEL_THRESHOLD
from servers import index, running_server, start_index, write_proposals

CLIENTS = 8
REBUILDS = 3
SMALL, LARGE = 120, PARALLEL_THRESHOLD + 10  # one process, and worker processes
LOCK_WAIT_TIMEOUT = 60  # seconds a waiting writer may wait: far beyond a run, never reached
PATHS = [
    "/api/search",
    "/api/search?q=garden",
    "/api/search?q=youth+jobs&region=South+LA&sort=newest",
    "/api/search?q=park*&goal=learn&per_page=50",
    "/?q=library",
    "/healthz",
]


@dataclass
class Observations:
    """What the client threads saw; lists are appended to from several threads (atomic in CPython)."""

    answers: list[tuple[str, int, dict | None]] = field(default_factory=list)  # (path, status, JSON body)
    errors: list[str] = field(default_factory=list)
    generations: set[int] = field(default_factory=set)  # generations the searches were answered from

    def wait_for_generation(self, generation: int) -> None:
        """Until a search answered from `generation` has been seen (clients query without pause)."""
        deadline = time.monotonic() + LOCK_WAIT_TIMEOUT
        while generation not in self.generations:
            assert time.monotonic() < deadline, f"no answer from generation {generation}: {self.errors[:5]}"
            time.sleep(0.01)


def client(port: int, offset: int, stop: threading.Event, seen: Observations) -> None:
    """Query PATHS round-robin on one keep-alive connection until `stop` is set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = offset
    while not stop.is_set():
        path = PATHS[number % len(PATHS)]
        number += 1
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            seen.errors.append(f"{path}: {type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        answer = json.loads(body) if is_json else None
        seen.answers.append((path, response.status, answer))
        if answer is not None and path != "/healthz":
            seen.generations.add(answer["generation"])
    connection.close()


def test_queries_during_rebuilds_always_see_one_complete_generation(tmp_path):
    small, large = write_proposals(tmp_path / "small", SMALL), write_proposals(tmp_path / "large", LARGE)
    index_dir = tmp_path / "index"
    assert index(small, index_dir).returncode == 0
    size_of = {1: SMALL}  # generation -> documents
    seen = Observations()
    stop = threading.Event()
    with running_server(index_dir, workers=2) as server:
        threads = [threading.Thread(target=client, args=(server.port, n, stop, seen)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        try:
            seen.wait_for_generation(1)  # clients are querying before the first rebuild starts
            for number in range(REBUILDS):
                corpus, size = (large, LARGE) if number % 2 == 0 else (small, SMALL)
                rebuilt = index(corpus, index_dir, "--rebuild")
                assert rebuilt.returncode == 0, rebuilt.stderr
                size_of[number + 2] = size
            seen.wait_for_generation(REBUILDS + 1)  # and are answered from the last one
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        log = server.log()
    assert seen.errors == []
    assert "Traceback" not in log
    assert [(path, status) for path, status, _body in seen.answers if status != 200] == []
    totals: dict[tuple[int, str], set[int]] = defaultdict(set)
    for path, _status, body in seen.answers:
        if body is None:
            continue
        generation = body["generation"]
        if path == "/healthz":
            assert body["documents"] == size_of[generation], body
            continue
        totals[generation, path].add(body["total"])
        if path == "/api/search":
            assert body["total"] == size_of[generation], f"generation {generation}: {body['total']} documents"
            kinds = sum(value["count"] for value in body["facets"]["kind"]["values"])
            assert kinds == body["total"]  # facet counts come from the same generation
    # Any one generation gives one answer to a query, however many threads ask at once.
    assert {key: values for key, values in totals.items() if len(values) > 1} == {}
    generations = {generation for generation, _path in totals}
    assert {1, REBUILDS + 1} <= generations, generations
    print(f"{len(seen.answers)} answers from generations {sorted(generations)} during {REBUILDS} rebuilds")


@contextmanager
def reaped(*processes: subprocess.Popen) -> Iterator[None]:
    """Kill what is still running and close every pipe, even when an assertion failed."""
    try:
        yield
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def live_documents(index_dir: Path) -> list[str]:
    generation = IndexStore(index_dir).open_current()
    with generation.reader() as reader:
        return sorted(fields["id"] for _docnum, fields in reader.live_documents())


def test_two_index_commands_started_together_both_finish_one_after_the_other(tmp_path):
    corpus = write_proposals(tmp_path / "corpus", LARGE)
    index_dir = tmp_path / "index"
    writers = [start_index(corpus, index_dir, "--rebuild", "--lock-timeout", str(LOCK_WAIT_TIMEOUT), capture=True)
               for _ in range(2)]  # fmt: skip
    with reaped(*writers):
        outputs = [writer.communicate(timeout=LOCK_WAIT_TIMEOUT * 2) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], outputs
    # The lock serialised them: one built generation 1, the other (after waiting) generation 2.
    summaries = sorted(stdout.split(":")[0] for stdout, _stderr in outputs)
    assert summaries == ["generation 1", "generation 2"], outputs
    assert (index_dir / "CURRENT").read_text() == "gen-000002\n"
    assert len(live_documents(index_dir)) == LARGE
    assert sorted(entry.name for entry in index_dir.iterdir()) == [".lock", "CURRENT", "cache-parsed", "gen-000001", "gen-000002"]


def test_a_second_index_command_reports_the_lock_and_the_first_completes(tmp_path):
    corpus = write_proposals(tmp_path / "corpus", LARGE)
    index_dir = tmp_path / "index"
    first = start_index(corpus, index_dir, "--rebuild", capture=True)
    with reaped(first):
        deadline = time.monotonic() + LOCK_WAIT_TIMEOUT
        while not (index_dir / ".lock").exists() or not (index_dir / ".lock").read_text().startswith(f"{first.pid} "):
            assert first.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.01)
        first.send_signal(signal.SIGSTOP)  # a run takes a second: hold it inside the lock while the second tries
        try:
            second = index(corpus, index_dir, "--rebuild", "--lock-timeout", "0.2")
        finally:
            first.send_signal(signal.SIGCONT)
        assert second.returncode == 1
        assert second.stdout == ""
        assert second.stderr.startswith(f"Error: another indexing run holds the lock on {index_dir} (pid {first.pid}: ")
        assert second.stderr.endswith("waited 0.2 s. Try again when it finishes, or raise --lock-timeout.\n")
        stdout, stderr = first.communicate(timeout=LOCK_WAIT_TIMEOUT)
        assert first.returncode == 0, stderr
        assert stdout.startswith(f"generation 1: {LARGE} documents;")
    assert len(live_documents(index_dir)) == LARGE
