"""First-time search latency of this checkout beside another, query by query:
`python -m bench.paired --index DIR --baseline CHECKOUT --baseline-index DIR [--rounds 4]`.

A change is judged against the product as it was (issue 20: first-time p95 no more than
10% above the commit before), each over the index its own code built. Run one after the
other, two checkouts see different phases of a shared VM, which swing a p95 by a third;
here each round starts a fresh app of each (after `warm_up` and a `/healthz` probe, as
`serve` starts), and asks every benchmark query of both, one then the other (the order
alternating), so both see the same moment of the machine. The baseline runs in its own
interpreter with its own code (this file, run as a script, needs only its `search_app`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def serve_queries(index_dir: str) -> None:
    """Worker: answer each query (a JSON list of parameter pairs on stdin) with its wall and
    CPU milliseconds and status, one JSON line each, after a line saying it is ready."""
    import gc

    from werkzeug.datastructures import MultiDict

    from search_app import create_app, warm_up

    app = create_app({"INDEX_DIR": index_dir, "TESTING": True})
    warm_up(app)
    client = app.test_client()
    client.get("/healthz")  # the test client's own first-request imports (see bench/search.py)
    gc.collect()
    print("ready", flush=True)
    for line in sys.stdin:
        params: MultiDict[str, str] = MultiDict([(name, value) for name, value in json.loads(line)])
        started, cpu_started = time.perf_counter(), time.thread_time()
        status = client.get("/api/search", query_string=params).status_code
        print(json.dumps([(time.perf_counter() - started) * 1000, (time.thread_time() - cpu_started) * 1000, status]), flush=True)


class _Worker:
    """One checkout's app in its own process."""

    def __init__(self, python: str, checkout: Path, index_dir: Path):
        self.process = subprocess.Popen(
            [python, str(Path(__file__).resolve()), "--serve", str(index_dir)],
            cwd=checkout,
            env={**os.environ, "PYTHONPATH": str(checkout)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self._line() != "ready":
            raise SystemExit(f"{checkout}: the app did not start over {index_dir}")

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def ask(self, params: tuple) -> tuple[float, float]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(params) + "\n")
        self.process.stdin.flush()
        wall, cpu, status = json.loads(self._line())
        if status != 200:
            raise SystemExit(f"HTTP {status} for {params}")
        return wall, cpu

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.paired", description=__doc__.splitlines()[0])
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # worker mode
    parser.add_argument("--index", type=Path, help="This checkout's index directory.")
    parser.add_argument("--baseline", type=Path, help="The other checkout (a git worktree).")
    parser.add_argument("--baseline-index", type=Path, help="The index its code built.")
    parser.add_argument("--baseline-python", help="Its interpreter (default: CHECKOUT/.venv/bin/python).")
    parser.add_argument("--rounds", type=int, default=4, help="Fresh apps of each (default 4).")
    args = parser.parse_args(argv)
    if args.serve:
        serve_queries(args.serve)
        return 0
    if not (args.index and args.baseline and args.baseline_index) or args.rounds < 1:
        parser.error("--index, --baseline and --baseline-index are needed, and --rounds of 1 or more")
    from .search import load_queries
    from .stats import percentile

    queries = [query.params for query in load_queries()]
    sides = {
        "baseline": (args.baseline_python or str(args.baseline / ".venv" / "bin" / "python"), args.baseline, args.baseline_index),
        "this": (sys.executable, Path(__file__).resolve().parents[1], args.index),
    }
    print("| round | baseline p50 ms | baseline p95 ms | this p50 ms | this p95 ms | p50 ratio | p95 ratio | CPU p95 ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    every: dict[str, dict[str, list[float]]] = {side: {"wall": [], "cpu": []} for side in sides}
    for round_number in range(1, args.rounds + 1):
        workers: dict[str, _Worker] = {}
        measured: dict[str, dict[str, list[float]]] = {side: {"wall": [], "cpu": []} for side in sides}
        try:
            for side, spec in sides.items():
                workers[side] = _Worker(*spec)  # one that fails to start still closes the other
            for number, params in enumerate(queries):
                order = list(workers) if (number + round_number) % 2 else list(workers)[::-1]
                for side in order:
                    wall, cpu = workers[side].ask(params)
                    measured[side]["wall"].append(wall)
                    measured[side]["cpu"].append(cpu)
        finally:
            for worker in workers.values():
                worker.close()
        print(_row(str(round_number), measured, percentile), flush=True)
        for side in sides:
            for kind in ("wall", "cpu"):
                every[side][kind] += measured[side][kind]
    print(_row("all", every, percentile))
    return 0


def _row(label: str, measured: dict, percentile) -> str:
    def at(side: str, share: float, kind: str = "wall") -> float:
        return percentile(measured[side][kind], share)

    return (
        f"| {label} | {at('baseline', 0.5):.2f} | {at('baseline', 0.95):.2f} | {at('this', 0.5):.2f} | {at('this', 0.95):.2f}"
        f" | {at('this', 0.5) / at('baseline', 0.5):.2f} | {at('this', 0.95) / at('baseline', 0.95):.2f}"
        f" | {at('this', 0.95, 'cpu') / at('baseline', 0.95, 'cpu'):.2f} |"
    )


if __name__ == "__main__":
    sys.exit(main())
