"""Summaries of repeated measurements: min, median, percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (0..1) with linear interpolation, as numpy's default does.

    :raises ValueError: when there are no samples.
    """
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(samples: Sequence[float]) -> dict:
    """`{"n", "min", "median", "p95", "max"}` of the samples (all None when there are none)."""
    if not samples:
        return {"n": 0, "min": None, "median": None, "p95": None, "max": None}
    return {
        "n": len(samples),
        "min": min(samples),
        "median": percentile(samples, 0.5),
        "p95": percentile(samples, 0.95),
        "max": max(samples),
    }


def latency_summary(samples_ms: Sequence[float]) -> dict:
    """`summarize` plus p50 and p99, for request latencies in milliseconds."""
    summary = summarize(samples_ms)
    summary["p50"] = summary["median"]
    summary["p99"] = percentile(samples_ms, 0.99) if samples_ms else None
    return summary
