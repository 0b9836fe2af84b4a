"""A bounded load test: 32 keep-alive clients against `la2050-search serve --workers 2`.

The index holds the whole ../shared corpus (proposals and articles), built once per
session; the clients replay the realistic queries of ../shared/bench/queries.txt on the
loopback interface for LOAD_SECONDS. Nothing here asserts a speed, since the machine is
shared: the test asserts zero errors and that the workers' memory does not keep growing,
and reports requests per second and latency percentiles (printed with `pytest -s`, and
written to test-artifacts/load.json).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.search import load_queries
from bench.stats import percentile
from servers import REPO, index, rss_bytes, running_server

from conftest import SHARED, SHARED_CORPUS

CLIENTS = 32
WARM_UP_SECONDS = 3.0  # every worker opens the generation and fills its caches before memory is sampled
LOAD_SECONDS = 15.0
MEMORY_GROWTH_LIMIT = 150 * 1024**2  # bytes per worker over the run: generous, yet far below a leak's pace
INDEX_TIMEOUT = 600  # seconds for the full-corpus index (about 40 here)
ARTIFACT = REPO / "test-artifacts" / "load.json"


@pytest.fixture(scope="session")
def full_index(tmp_path_factory) -> Path:
    """An index of the whole shared corpus, built once with the command line."""
    index_dir = tmp_path_factory.mktemp("full-index")
    folders = [SHARED_CORPUS / "proposals", SHARED_CORPUS / "articles"]
    built = index(folders[0], index_dir, str(folders[1]), timeout=INDEX_TIMEOUT)
    assert built.returncode == 0, built.stderr
    return index_dir


def request_paths() -> list[str]:
    """Every benchmark query as an API call and as a page (a reader's browser loads both)."""
    paths = []
    for query in load_queries(SHARED / "bench" / "queries.txt"):
        paths += [f"/api/search?{query.query_string()}", f"/?{query.query_string()}"]
    return paths


@dataclass
class Tally:
    """One client's requests; each thread has its own, so no locking."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def client(port: int, paths: list[str], offset: int, until: threading.Event, tally: Tally) -> None:
    """Replay `paths` round-robin on one keep-alive connection until `until` is set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = offset
    while not until.is_set():
        path = paths[number % len(paths)]
        number += 1
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            tally.errors.append(f"{path}: {type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            tally.errors.append(f"{path}: HTTP {response.status}")
    connection.close()


def run_clients(port: int, paths: list[str], seconds: float) -> tuple[list[Tally], float]:
    """CLIENTS threads for `seconds`; returns their tallies and the wall time taken."""
    until = threading.Event()
    tallies = [Tally() for _ in range(CLIENTS)]
    threads = [threading.Thread(target=client, args=(port, paths, n * 7, until, tallies[n])) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    until.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return tallies, time.perf_counter() - started


def test_32_clients_get_answers_without_errors_and_the_workers_memory_levels_off(full_index):
    paths = request_paths()
    with running_server(full_index, workers=2) as server:
        _status, health = server.get_json("/healthz")
        warm_up, _seconds = run_clients(server.port, paths, WARM_UP_SECONDS)
        assert [error for tally in warm_up for error in tally.errors] == []
        workers = server.worker_pids()
        assert len(workers) == 2, workers
        memory_before = {pid: rss_bytes(pid) for pid in workers}
        tallies, seconds = run_clients(server.port, paths, LOAD_SECONDS)
        memory_after = {pid: rss_bytes(pid) for pid in workers}
        assert server.worker_pids() == workers  # no worker died and was replaced
        log = server.log()
    errors = [error for tally in tallies for error in tally.errors]
    latencies = [latency for tally in tallies for latency in tally.latencies_ms]
    figures = {
        "documents": health["documents"],
        "clients": CLIENTS,
        "server_workers": 2,
        "seconds": round(seconds, 2),
        "requests": len(latencies),
        "errors": len(errors),
        "requests_per_second": round(len(latencies) / seconds, 1),
        "latency_ms": {name: round(percentile(latencies, q), 1) for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
        "worker_rss_mb": {
            "start": [round(memory_before[pid] / 1024**2, 1) for pid in workers],
            "end": [round(memory_after[pid] / 1024**2, 1) for pid in workers],
        },
    }
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nload: {json.dumps(figures)}")
    assert health["documents"] > 1500  # the whole shared corpus, not a sample
    assert errors == [], errors[:20]
    assert "Traceback" not in log
    assert len(latencies) > CLIENTS  # every client got answers
    for pid in workers:
        assert memory_after[pid] < memory_before[pid] + MEMORY_GROWTH_LIMIT, figures["worker_rss_mb"]
