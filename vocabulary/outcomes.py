"""The outcomes of the archive's lists, and the words that name them (in a file name or a query)."""

from __future__ import annotations

__all__ = ["OUTCOMES", "match_outcome"]

# (word in the file name, outcome): first match wins, so "honorable_mentions" is not "mention" twice.
OUTCOME_WORDS = (
    ("winner", "Winner"),
    ("finalist", "Finalist"),
    ("honorable", "Honorable mention"),
    ("honourable", "Honorable mention"),
    ("mention", "Honorable mention"),
    ("featured", "Featured"),
)
OUTCOMES = ("Winner", "Finalist", "Honorable mention", "Featured")

def match_outcome(text: str) -> str | None:
    """The outcome a user means ("winner", "winners", "honorable mention"), or None."""
    folded = " ".join(str(text).lower().replace("_", " ").replace("-", " ").split())
    return next((label for word, label in OUTCOME_WORDS if word in folded), None)
