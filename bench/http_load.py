"""HTTP load against the real `la2050-search serve` (gunicorn), and its workers' memory.

Clients are Python threads, each with one keep-alive `http.client` connection, cycling
through the benchmark queries for a fixed time. They share the machine with the server,
so on a small box the figures are a lower bound for what the server alone could do.
"""

from __future__ import annotations

import http.client
import os
import resource
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .indexing import cli_path
from .search import BenchQuery
from .stats import latency_summary

SERVER_WORKERS = 2
CLIENTS = 16  # concurrent loopback connections
START_TIMEOUT = 120  # seconds for the server to answer /healthz (opening a 10x index is slow)
STOP_TIMEOUT = 20  # seconds for gunicorn to stop its workers after SIGTERM
REQUEST_TIMEOUT = 30  # seconds before a request counts as an error
SERVER_LOG_LINES = 20  # last lines of the server's log kept in the results
WARM_UP_REQUESTS = 4  # per client, not timed: every worker opens the generation on first use


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(index_dir: Path, log_path: Path, workers: int = SERVER_WORKERS) -> Iterator[tuple[int, int]]:
    """Start `la2050-search serve`, wait until it answers, yield (pid, port), then stop it.

    :raises RuntimeError: when the server exits or does not answer in time.
    """
    port = free_port()
    command = [cli_path(), "serve", "--index-dir", str(index_dir), "--port", str(port), "--workers", str(workers)]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(server, port, log_path)
        yield server.pid, port
    finally:
        _stop(server)


def _wait_until_up(server: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server exited with {server.returncode}: {log}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer /healthz on port {port} within {START_TIMEOUT} s")


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM the gunicorn master we started; it stops its own workers."""
    if server.poll() is not None:
        return
    workers = worker_pids(server.pid)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        for pid in workers:  # children of our own server, ended by pid
            _kill_quietly(pid)
        server.kill()
        server.wait()


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_load(port: int, queries: list[BenchQuery], seconds: float, clients: int = CLIENTS) -> dict:
    """`clients` keep-alive connections requesting /api/search for `seconds`."""
    paths = [f"/api/search?{query.query_string()}" for query in queries]
    barrier = threading.Barrier(clients + 1)
    results: list[tuple[list[float], int, list[str]]] = [([], 0, []) for _ in range(clients)]
    window: dict[str, float] = {}

    def client(number: int) -> None:
        latencies: list[float] = []
        errors = ErrorLog()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        for step in range(WARM_UP_REQUESTS):
            if not _request(connection, paths[(number + step) % len(paths)], ErrorLog()):
                connection = _reconnect(connection, port)
        barrier.wait()
        step = number * 7  # clients start at different queries
        while time.perf_counter() < window["end"]:
            started = time.perf_counter()
            if _request(connection, paths[step % len(paths)], errors):
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                connection = _reconnect(connection, port)
            step += 1
        connection.close()
        results[number] = (latencies, errors.count, errors.samples)

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(clients)]
    window["end"] = float("inf")  # until every client has warmed up
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    window["end"] = started + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = [value for result in results for value in result[0]]
    error_count = sum(result[1] for result in results)
    return {
        "clients": clients,
        "seconds": elapsed,
        "requests": len(latencies),
        "requests_per_second": len(latencies) / elapsed,
        "latency_ms": latency_summary(latencies),
        "errors": error_count,
        "error_samples": [message for result in results for message in result[2]][:5],
    }


def _reconnect(connection: http.client.HTTPConnection, port: int) -> http.client.HTTPConnection:
    """A fresh connection after a failure: the old one may be mid-response."""
    connection.close()
    return http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)


class ErrorLog:
    """A count of failed requests and the first few messages (a dead server fails fast)."""

    SAMPLES = 5

    def __init__(self) -> None:
        self.count = 0
        self.samples: list[str] = []

    def append(self, message: str) -> None:
        self.count += 1
        if len(self.samples) < self.SAMPLES:
            self.samples.append(message)


def _request(connection: http.client.HTTPConnection, path: str, errors: ErrorLog) -> bool:
    """One GET; a failure is appended to `errors` and returns False."""
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as error:
        errors.append(f"{path}: {type(error).__name__}: {error}")
        return False
    if response.status != 200:
        errors.append(f"{path}: HTTP {response.status}")
        return False
    return True


def worker_pids(master: int) -> list[int]:
    """Pids whose parent is `master` (gunicorn's workers), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may contain spaces: fields follow the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == master:
            children.append(int(entry.name))
    return sorted(children)


def memory_mb(pid: int) -> dict:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024  # kB to MB
    return {"pid": pid, "rss_mb": values.get("VmRSS"), "peak_mb": values.get("VmHWM")}


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def measure_http(index_dir: Path, queries: list[BenchQuery], seconds: float, log_path: Path) -> dict:
    """Load the real server, then read each worker's memory before stopping it.

    CPU seconds of the workers and of this process (the clients) during the load show
    whether the server or the load generator was the limit on a small machine.
    """
    with running_server(index_dir, log_path) as (master, port):
        workers = worker_pids(master)
        server_cpu, client_cpu = sum(map(cpu_seconds, workers)), resource.getrusage(resource.RUSAGE_SELF)
        load = run_load(port, queries, seconds)
        used = resource.getrusage(resource.RUSAGE_SELF)
        load["server_cpu_seconds"] = sum(map(cpu_seconds, workers)) - server_cpu
        load["client_cpu_seconds"] = used.ru_utime + used.ru_stime - client_cpu.ru_utime - client_cpu.ru_stime
        load["workers"] = [memory_mb(pid) for pid in worker_pids(master)]
        load["master"] = memory_mb(master)
    # gunicorn logs warnings and worst cases only (worker timeouts, crashes): keep them.
    load["server_log"] = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-SERVER_LOG_LINES:]
    return load
