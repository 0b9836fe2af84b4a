"""A fixed pure-Python workload, timed before and after a benchmark run.

This 2-core VM's speed drifts by up to 2x within an hour. Figures from two runs can only
be compared when their machine speed is known, so every report prints how long this
workload took at the start and at the end of its run.
"""

from __future__ import annotations

import re
import time

WORDS = re.compile(r"\w+")
TEXT = " ".join(f"word{number % 977} gardens, parks; libraries." for number in range(20_000))
ROUNDS = 3  # the best of three: one slow round is noise, three are the machine


def machine_seconds() -> float:
    """Seconds for one round of splitting and counting words (0.025 s when this VM is fast)."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        counts: dict[str, int] = {}
        for word in WORDS.findall(TEXT):
            counts[word] = counts.get(word, 0) + 1
        best = min(best, time.perf_counter() - started)
    return best
