"""Slow clients cannot starve the server (issue 25): 24 connections trickle their headers
one line a second while `/healthz` and a search are asked on fresh connections.

With gunicorn's threaded workers, each trickling connection held one of the 2 x 4 threads
until its headers were complete, and `/healthz` went unanswered for as long as they
trickled. gevent workers wait for the bytes in their event loop and disconnect a client
whose headers take longer than HEADER_TIMEOUT. The bound asserted is generous (the machine
is shared); the seconds measured are printed (`pytest -s`) and written to
test-artifacts/slow-clients.json.
"""

from __future__ import annotations

import json
import socket
import threading
import time

from la2050_search.server import HEADER_TIMEOUT
from servers import REPO, running_server

SLOW_CLIENTS = 24
HEADER_LINES = 3 * HEADER_TIMEOUT  # one a second: they would trickle three times as long as allowed
PROBES = 5
PROBE_TIMEOUT = 10.0  # seconds: a probe stuck behind the slow clients waits as long as they trickle
ARTIFACT = REPO / "test-artifacts" / "slow-clients.json"


def trickle(port: int, started: float, cut_at: list, trickling: threading.Semaphore) -> None:
    """Send a request's headers one line per second until the server hangs up; `trickling`
    is released once the first lines are sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            trickling.release()
            for number in range(HEADER_LINES):
                time.sleep(1.0)
                sock.sendall(f"X-Slow-{number}: {'x' * 20}\r\n".encode())
            sock.sendall(b"Connection: close\r\n\r\n")
            answer = sock.recv(64)
        except OSError:  # reset or broken pipe: the server hung up
            answer = b""
        cut_at.append(time.perf_counter() - started if not answer else None)


def probe(port: int, path: str) -> tuple[bytes, float]:
    """Status line of one request on a fresh connection, and the seconds it took."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        status = connection.recv(64).split(b"\r\n")[0]
    return status, time.perf_counter() - started


def test_slow_clients_trickling_headers_never_keep_health_or_search_waiting(index_dir):
    with running_server(index_dir, workers=2) as server:
        started, cut_at, trickling = time.perf_counter(), [], threading.Semaphore(0)
        clients = [threading.Thread(target=trickle, args=(server.port, started, cut_at, trickling)) for _ in range(SLOW_CLIENTS)]
        for client in clients:
            client.start()
        for _ in clients:  # every slow client has connected and sent its first lines
            assert trickling.acquire(timeout=60)
        answers = [probe(server.port, path) for number in range(PROBES) for path in ("/healthz", f"/api/search?q=garden+{number}")]
        probes_done = time.perf_counter() - started
        for client in clients:
            client.join(timeout=HEADER_LINES + 30)
        log = server.log()
    figures = {"slow_clients": SLOW_CLIENTS, "probe_seconds_max": round(max(seconds for _, seconds in answers), 3),
               "probes_done_at": round(probes_done, 2), "slow_clients_cut_at": sorted(round(t, 1) for t in cut_at if t)}  # fmt: skip
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"\nslow clients: {json.dumps(figures)}")
    assert [status for status, _ in answers] == [b"HTTP/1.1 200 OK"] * len(answers)
    # Every slow client was hung up on (its headers took too long), after the probes were answered.
    assert len(cut_at) == SLOW_CLIENTS and None not in cut_at, cut_at
    assert min(cut_at) > probes_done, figures
    assert "Traceback" not in log

