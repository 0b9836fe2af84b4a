"""A request's budget of CPU time, checked inside the loops where a search's work grows.

One request must never hold a worker for seconds: a query of seventy prefixes, or
`explain` over a hundred results, once burned a minute of CPU. The budget counts the
CPU time of the request's own thread (`time.thread_time`), not wall time, so a busy
machine slows a request without refusing it; the work a request can make is bounded
either way. Ranking code finds it in its `memo` (the per-search scratch dict every
scoring function already receives) and calls `check_budget(memo)` per unit of work:
each posting list read, every thousand postings of a Whoosh matcher, each explained hit.
"""

from __future__ import annotations

import time

from .errors import BadRequest

MEMO_KEY = "request budget"  # where scoring finds the budget in its memo


class BudgetExceeded(BadRequest):
    """The search needs more work than one request may use; the message says how to narrow it."""

    def __init__(self, milliseconds: int):
        super().__init__(
            f"This search needs more than the {milliseconds} ms of work one request may use; "
            "try fewer or longer prefixes (co* → comm*), fewer words joined by OR, or without explain."
        )


class Budget:
    """CPU milliseconds this thread may spend from now on."""

    def __init__(self, milliseconds: int):
        self.milliseconds = milliseconds
        self.deadline = time.thread_time() + milliseconds / 1000

    def check(self) -> None:
        """:raises BudgetExceeded: once the thread has used its time."""
        if time.thread_time() > self.deadline:
            raise BudgetExceeded(self.milliseconds)

    def memo(self) -> dict:
        """A fresh scoring memo that carries this budget."""
        return {MEMO_KEY: self}


def check_budget(memo: dict) -> None:
    """Check the budget a scoring memo carries (none: unbounded, as in benchmarks and tests)."""
    budget = memo.get(MEMO_KEY)
    if budget is not None:
        budget.check()
