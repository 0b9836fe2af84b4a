"""Give every proposal one of the five LA2050 goals, whichever year's form it used.

2014 and later proposals name their goal (`category: learn`, "LA is the best place to
LEARN"); 2013 proposals name an "indicator" instead (" Education", "Arts & Cultural
Vitality", ...). data/goals.yaml maps those indicators to goals and documents why.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .fold import fold
from .tables import load_table

__all__ = ["GOALS", "match_goal", "normalize_goal"]

DATA_FILE = Path(__file__).parent / "data" / "goals.yaml"
GOALS: tuple[str, ...] = ("learn", "create", "play", "connect", "live")

# A goal named in a sentence, e.g. "LA is the healthiest place to LIVE".
_GOAL_WORD = re.compile(r"\b(" + "|".join(GOALS) + r")\b")


@lru_cache(maxsize=1)
def _goal_by_label() -> dict[str, str]:
    """Load data/goals.yaml once as folded label -> goal."""
    data = load_table(DATA_FILE)
    by_label = {goal: goal for goal in GOALS}
    for goal, labels in data["goals"].items():
        if goal not in GOALS:
            raise ValueError(f"{DATA_FILE.name}: unknown goal {goal!r}")
        for label in labels:
            by_label[fold(str(label))] = goal
    return by_label


def normalize_goal(value: str | None) -> str:
    """Map a `category` or 2013 `indicator` value to a goal.

    :param value: the raw value, e.g. "learn", " Education", "LA is the best place to PLAY".
    :returns: one of GOALS, or "" when the value names no goal.
    """
    key = fold(value or "")
    if not key:
        return ""
    goal = _goal_by_label().get(key)
    if goal:
        return goal
    named = _GOAL_WORD.search(key)
    return named.group(1) if named else ""


def match_goal(text: str) -> str | None:
    """Resolve a user's goal filter (``learn``, ``Education``, ``conn``) to a goal.

    :param text: the filter value as typed.
    :returns: the goal, or None when the text names no goal or is ambiguous.
    """
    goal = normalize_goal(text)
    if goal:
        return goal
    key = fold(text or "")
    if not key:
        return None
    starts = {g for label, g in _goal_by_label().items() if label.startswith(key)}
    return starts.pop() if len(starts) == 1 else None
