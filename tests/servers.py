"""Helpers for tests that run the real command line: `la2050-search serve` and `index` as subprocesses.

The server is started as a user would start it (`python -m la2050_search serve`, gunicorn)
on a free 127.0.0.1 port, polled until `/healthz` answers, and stopped afterwards
(datasette/tests/test_playwright.py `datasette_server`). `write_proposals` generates
small corpora for tests that must run `index` many times.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 20.0  # seconds for gunicorn to answer /healthz
STOP_TIMEOUT = 15.0  # seconds for gunicorn to stop after SIGTERM
RUN_TIMEOUT = 120  # seconds: any single `index` run; a hang fails instead of blocking the suite
SEED = 2050  # generated corpora and random moments are the same on every run


def cli(*args: str) -> list[str]:
    """The argv of `la2050-search ARGS…`, run with this test's Python."""
    return [sys.executable, "-m", "la2050_search", *args]


def index(corpus: Path, index_dir: Path, *options: str, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    """`la2050-search index CORPUS --index-dir INDEX_DIR -q OPTIONS…`, run to its end."""
    return subprocess.run(
        cli("index", str(corpus), "--index-dir", str(index_dir), "-q", *options),
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def start_index(corpus: Path, index_dir: Path, *options: str, capture: bool = False) -> subprocess.Popen:
    """The same command, started in the background; `capture` pipes its output for `communicate`."""
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    return subprocess.Popen(
        cli("index", str(corpus), "--index-dir", str(index_dir), "-q", *options),
        cwd=REPO, stdout=output, stderr=output, text=True,
    )  # fmt: skip


# Linux copies the exec-ing process's old peak into the new program's ru_maxrss, and
# subprocess execs from a vfork of the caller: a child of a 400 MB pytest "peaks" at 400 MB.
# A launcher this small runs the command instead, so the figure is the command's own.
_PEAK_LAUNCHER = """
import os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(str(usage.ru_maxrss * 1024))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_with_peak_memory(argv: list[str], output: IO[str], report: Path) -> tuple[int, int]:
    """Run ARGV to its end (output to OUTPUT): (exit status, the peak resident bytes of it and its children)."""
    launcher = [sys.executable, "-S", "-c", _PEAK_LAUNCHER, str(report), *argv]
    process = subprocess.Popen(launcher, cwd=REPO, stdout=output, stderr=output)
    try:
        status = process.wait(RUN_TIMEOUT)
    except BaseException:
        process.kill()
        process.wait(RUN_TIMEOUT)
        raise
    return status, int(report.read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log=lambda: "", timeout: float = STARTUP_TIMEOUT) -> None:
    """Poll /healthz until it answers 200; fail with the server's output if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"server did not answer {url}/healthz within {timeout} s")


@dataclass
class Server:
    """A running `la2050-search serve`."""

    url: str
    port: int
    process: subprocess.Popen
    log_file: IO[str]

    def get(self, path: str) -> tuple[int, dict, bytes]:
        """One GET on a fresh connection: status, lower-cased headers, body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def get_json(self, path: str) -> tuple[int, dict]:
        status, _headers, body = self.get(path)
        return status, json.loads(body)

    def worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        return children_of(self.process.pid)

    def log(self) -> str:
        """What the server printed so far."""
        self.log_file.seek(0)
        return self.log_file.read()


@contextmanager
def running_server(index_dir: Path, *, workers: int = 1) -> Iterator[Server]:
    """Start `la2050-search serve` on a free port; stop it (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    # A file, not a pipe: a server logging many errors must never block on a full pipe.
    log_file = tempfile.TemporaryFile("w+", encoding="utf-8")
    process = subprocess.Popen(
        cli("serve", "--index-dir", str(index_dir), "--port", str(port),
            "--workers", str(workers)),
        cwd=REPO,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    server = Server(url=f"http://127.0.0.1:{port}", port=port, process=process, log_file=log_file)
    try:
        wait_until_up(server.url, process, server.log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()


def children_of(pid: int) -> list[int]:
    """Pids whose parent is `pid`, from /proc."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: fields follow the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry))
    return sorted(children)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no VmRSS for pid {pid}")


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


def assert_security_headers(headers) -> None:
    """The headers every response carries, whatever its status (search_app/security.py)."""
    policy = {}
    for directive in headers["Content-Security-Policy"].split(";"):
        words = directive.split()
        if words:
            policy[words[0].lower()] = words[1:]
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts and "*" not in scripts, policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]
    assert headers.get("X-Frame-Options") in ("DENY", "SAMEORIGIN") or policy.get("frame-ancestors") == ["'none'"]
