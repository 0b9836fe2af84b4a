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
import os
from urllib.parse import urlencode
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.http_load import memory_mb
from bench.search import load_queries
from bench.stats import percentile
from servers import REPO, index, rss_bytes, running_server

from conftest import SHARED, SHARED_CORPUS, built_once

CLIENTS = 32
WARM_UP_SECONDS = 3.0  # every worker opens the generation and fills its caches before memory is sampled
LOAD_SECONDS = 8.0  # 2,000-6,000 requests here: a worker keeping 50-160 kB of each would cross MEMORY_GROWTH_LIMIT
MEMORY_GROWTH_LIMIT = 150 * 1024**2  # bytes per worker over the run: generous, yet far below a leak's pace
INDEX_TIMEOUT = 600  # seconds for the full-corpus index (about 40 here)
ARTIFACT = REPO / "test-artifacts" / "load.json"


@pytest.fixture(scope="session")
def full_index(tmp_path_factory) -> Path:
    """An index of the whole shared corpus, built once per test run with the command line."""

    def build(index_dir: Path) -> Path:
        folders = [SHARED_CORPUS / "proposals", SHARED_CORPUS / "articles"]
        built = index(folders[0], index_dir, str(folders[1]), timeout=INDEX_TIMEOUT)
        assert built.returncode == 0, built.stderr
        return index_dir

    return built_once(tmp_path_factory, "full-index", build)


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


# --- hostile requests mixed with ordinary ones: zero 5xx, bounded worker memory ------------

# The figures are 10,000 hostile and 5,000 ordinary requests (LOAD_SCALE=1: ~13 min on
# a loaded 2-core machine, 189 MB peak per worker); `make test` runs a fifth of them.
LOAD_SCALE = float(os.environ.get("LOAD_SCALE", "0.2"))
HOSTILE_REQUESTS = int(10_000 * LOAD_SCALE)  # distinct, each built to defeat a cache or a limit
ORDINARY_REQUESTS = int(5_000 * LOAD_SCALE)  # distinct queries of two or three archive words
MIX_CLIENTS = 8
WORKER_PEAK_LIMIT = 250 * 1024**2  # bytes of a worker's peak resident memory (issue 25): generous
MIX_ARTIFACT = REPO / "test-artifacts" / "load-hostile.json"
FACET_NAMES = ("region", "metric", "goal", "year", "kind", "organization_type", "outcome", "topic")
# One hostile request in BUDGET_EVERY is of the kind that spends its whole CPU budget
# (SEARCH_REQUEST_BUDGET_MS, 500 ms: fifty times any other kind's work); the other seven kinds
# take turns in the rest. At one in eight, those 250 requests were 85% of this test's time;
# 25 distinct ones still hit the budget here, and test_health_answers_while_heavy_searches_run
# sends eight at once.
BUDGET_EVERY = 80
BUDGET_KIND = 1
OTHER_KINDS = (0, 2, 3, 4, 5, 6, 7)


def hostile_paths(count: int, rng) -> list[str]:
    """Distinct hostile requests: long and many facet values, controls and bidi marks, url_for's
    reserved names, odd digits, broad prefixes with explain, unknown organizations, matrix shapes."""


    letters = "abcdefghijklmnopqrstuvwxyzé\u202e\x1b\x00"
    paths = []
    for number in range(count):
        kind = BUDGET_KIND if number % BUDGET_EVERY == 0 else OTHER_KINDS[number % len(OTHER_KINDS)]
        word = "".join(rng.choice(letters) for _ in range(rng.randint(20, 200)))
        if kind == 0:  # the facet-links cache: 20 long values of one facet (within gunicorn's 8 kB request line)
            facet = FACET_NAMES[number % len(FACET_NAMES)]
            plain = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(150))
            params = [(facet, f"{plain}{number}-{n}") for n in range(20)] + [("q", "gardens")]
        elif kind == 1:
            params = [("q", " OR ".join(f"{rng.choice('bcdfgmprst')}{rng.choice('aeiou')}*" for _ in range(30))),
                      ("explain", "1"), ("per_page", "100")]
        elif kind == 2:
            params = [("q", f"x{number}"), (rng.choice(("endpoint", "_anchor", "_method", "_scheme", "_external")), word)]
        elif kind == 3:
            params = [("q", word[:500]), ("page", rng.choice(("１", "1_0", "٣", str(number))))]
        elif kind == 4:
            params = [("organization", f"organization/{word}"), ("q", "food")]
        elif kind == 5:
            params = [("q", f"{word[:3]}* {number}"), ("explain", "1"), ("per_page", "100")]
        elif kind == 6:
            params = [("rows", rng.choice(FACET_NAMES)), ("cols", rng.choice(FACET_NAMES)), ("q", word[:40]), ("limit", str(number))]
        else:
            params = [(word[:30], word), ("region", word), ("sort", rng.choice(("title", "newest", word[:10])))]
        path = ("/api/matrix" if kind == 6 else rng.choice(("/api/search", "/", "/map", "/api/map"))) + "?"
        paths.append(path + urlencode(params))
    return paths


def ordinary_paths(count: int, rng, vocabulary: list[str]) -> list[str]:
    """Distinct everyday searches: two or three words of the archive, sometimes a region."""


    seen: set[str] = set()
    paths = []
    while len(paths) < count:
        q = " ".join(rng.sample(vocabulary, rng.choice((2, 3))))
        if q in seen:
            continue
        seen.add(q)
        params = [("q", q)] + ([("region", rng.choice(("South LA", "Westside", "Central LA")))] if len(paths) % 4 == 0 else [])
        paths.append(rng.choice(("/api/search?", "/?")) + urlencode(params))
    return paths


def replay(port: int, paths: list[str], statuses: dict, errors: list) -> None:
    """GET each path on one keep-alive connection (a new one after a failure); count statuses."""
    connection = None
    for path in paths:
        connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request("GET", path)
            with connection.getresponse() as response:
                response.read()
                status = response.status
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{path[:200]}: {type(error).__name__}: {error}")
            connection = connection.close()  # None: reconnect
            continue
        statuses[status] = statuses.get(status, 0) + 1
        if status >= 500:
            errors.append(f"{path[:200]}: HTTP {status}")
    if connection is not None:
        connection.close()


def test_hostile_requests_mixed_with_ordinary_ones_make_no_5xx_and_workers_stay_bounded(full_index):
    import random

    rng = random.Random(2050)
    queries = load_queries(SHARED / "bench" / "queries.txt")
    vocabulary = sorted({word.lower() for query in queries for word in dict(query.params).get("q", "").split() if word.isalpha()})
    paths = hostile_paths(HOSTILE_REQUESTS, rng) + ordinary_paths(ORDINARY_REQUESTS, rng, vocabulary)
    assert len(set(paths)) == len(paths)
    rng.shuffle(paths)
    statuses: dict = {}
    errors: list = []
    with running_server(full_index, workers=2) as server:
        workers = server.worker_pids()
        started = time.perf_counter()
        threads = [threading.Thread(target=replay, args=(server.port, paths[n::MIX_CLIENTS], statuses, errors)) for n in range(MIX_CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        peaks = {pid: memory_mb(pid)["peak_mb"] * 1024**2 for pid in workers}
        assert server.worker_pids() == workers  # no worker died and was replaced
        log = server.log()
    figures = {
        "requests": len(paths), "hostile": HOSTILE_REQUESTS, "ordinary": ORDINARY_REQUESTS, "seconds": round(seconds, 1),
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "worker_peak_rss_mb": [round(peak / 1024**2, 1) for peak in peaks.values()],
    }  # fmt: skip
    MIX_ARTIFACT.parent.mkdir(exist_ok=True)
    MIX_ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nhostile mix: {json.dumps(figures)}")
    assert errors == [], errors[:20]
    assert "Traceback" not in log
    assert sum(statuses.values()) == len(paths)
    for peak in peaks.values():
        assert peak <= WORKER_PEAK_LIMIT, figures


HEAVY = 8
HEAVY_QUERY = " OR ".join(f"{a}{b}*" for a in "bcdfghlmnprstw" for b in "aeiou")  # 70 two-letter prefixes (486 characters)


def test_health_answers_while_heavy_searches_run(full_index):
    """Eight searches that each use their whole budget keep `/healthz` waiting for none of them:
    a search lets its worker's other requests in as it goes (engine/budget.py). Nor
    do they take a worker past the memory bound, however they share the two workers."""
    heavy_path = "/api/search?" + urlencode({"q": HEAVY_QUERY, "explain": "1", "per_page": "100"})
    with running_server(full_index, workers=2) as server:
        started, finished = time.perf_counter(), []
        sent = threading.Semaphore(0)

        def heavy() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            try:
                connection.request("GET", heavy_path)
                sent.release()
                response = connection.getresponse()
                response.read()
                finished.append((time.perf_counter() - started, response.status))
            finally:
                connection.close()

        threads = [threading.Thread(target=heavy) for _ in range(HEAVY)]
        for thread in threads:
            thread.start()
        for _ in threads:  # every heavy search has been asked for before /healthz is
            assert sent.acquire(timeout=60)
        asked = time.perf_counter()
        status, _headers, _body = server.get("/healthz")
        health_done = time.perf_counter() - started
        health_seconds = time.perf_counter() - asked
        for thread in threads:
            thread.join(timeout=120)
        peaks = [memory_mb(pid)["peak_mb"] * 1024**2 for pid in server.worker_pids()]
    print(f"\n/healthz during {HEAVY} heavy searches: {health_seconds:.3f} s; they ended at {sorted(round(t, 1) for t, _ in finished)}"
          f"; worker peaks {[round(peak / 1024**2, 1) for peak in peaks]} MB")
    assert status == 200
    assert len(finished) == HEAVY and {status for _, status in finished} <= {200, 400}
    assert health_done < min(seconds for seconds, _ in finished)  # answered before any heavy search ended
    assert len(peaks) == 2 and max(peaks) <= WORKER_PEAK_LIMIT, [round(peak / 1024**2, 1) for peak in peaks]
