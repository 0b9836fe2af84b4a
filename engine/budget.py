"""A request's budget of CPU time, checked inside the loops where a search's work grows.

One request must never hold a worker for seconds: a query of seventy prefixes, or
`explain` over a hundred results, once burned a minute of CPU. The budget counts the
CPU time of the request's own thread (`time.thread_time`), not wall time, so a busy
machine slows a request without refusing it; the work a request can make is bounded
either way. Ranking code finds it in its `memo` (the per-search scratch dict every
scoring function already receives) and calls `check_budget(memo)` per unit of work:
each posting list read, every thousand postings of a Whoosh matcher, each explained hit.

Garbage collection is not the request's work: Python collects in whichever thread
allocates, and a full collection of a large heap can cost more than the search it
interrupts (an ordinary organization-name search was refused once in the test suite's
large process). The collector's time on the request's thread is measured
(`gc.callbacks`) and left out.
"""

from __future__ import annotations

import gc
import threading
import time

from .errors import BadRequest

MEMO_KEY = "request budget"  # where scoring finds the budget in its memo
YIELD_SECONDS = 0.005  # CPU a request uses before it lets the worker's other requests run
YIELD_PAUSE = 0.0001  # seconds: a timer; with sleep(0) /healthz still waited 8 s behind 8 heavy searches, with this 0.1 s


class _CollectorTime(threading.local):
    """CPU seconds the garbage collector has spent in this thread, counted by `_timed_collection`."""

    spent = 0.0
    started = 0.0


_COLLECTOR_TIME = _CollectorTime()  # per thread, so one thread's collection is never another's


def _timed_collection(phase: str, _info: dict) -> None:
    if phase == "start":
        _COLLECTOR_TIME.started = time.thread_time()
    else:
        _COLLECTOR_TIME.spent += time.thread_time() - _COLLECTOR_TIME.started


def _request_time() -> float:
    """This thread's CPU seconds, less what the garbage collector spent in it."""
    if _timed_collection not in gc.callbacks:
        gc.callbacks.append(_timed_collection)
    return time.thread_time() - _COLLECTOR_TIME.spent


class BudgetExceeded(BadRequest):
    """The search needs more work than one request may use; the message says how to narrow it."""

    def __init__(self, milliseconds: int):
        super().__init__(
            f"This search needs more than the {milliseconds} ms of work one request may use; "
            "try fewer or longer prefixes (co* → comm*), fewer words joined by OR, or without explain."
        )


class Budget:
    """CPU milliseconds this request may spend from now on.

    A check also lets the worker's other requests run every YIELD_SECONDS of CPU: under
    gevent (la2050_search/server.py) a search never waits for I/O, so without it eight
    heavy searches made `/healthz` wait 8 s behind them. `time.sleep(0)` is gevent's
    cooperative yield there (gunicorn patches it) and a GIL hand-off under threads. Only
    the CPU between a resume and the next check counts as this request's: what other
    requests do meanwhile on the same thread is theirs.
    """

    def __init__(self, milliseconds: int):
        self.milliseconds = milliseconds
        self.limit = milliseconds / 1000
        self.spent = 0.0
        self.resumed = self.yielded = _request_time()

    def check(self) -> None:
        """:raises BudgetExceeded: once the request has used its time."""
        now = _request_time()
        self.spent += now - self.resumed
        self.resumed = now
        if self.spent > self.limit:
            raise BudgetExceeded(self.milliseconds)
        if now - self.yielded > YIELD_SECONDS:
            time.sleep(YIELD_PAUSE)  # other requests of this worker run here
            self.resumed = self.yielded = _request_time()

    def memo(self) -> dict:
        """A fresh scoring memo that carries this budget."""
        return {MEMO_KEY: self}


def check_budget(memo: dict) -> None:
    """Check the budget a scoring memo carries (none: unbounded, as in benchmarks and tests)."""
    budget = memo.get(MEMO_KEY)
    if budget is not None:
        budget.check()
