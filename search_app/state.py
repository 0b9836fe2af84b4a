"""Per-app access to the live index, kept in `app.extensions` (no module globals)."""

from __future__ import annotations

from flask import Flask, current_app

from engine import GenerationTracker, LiveIndex
from index_store import IndexStore


EXTENSION = "la2050_search"


def init_app(app: Flask) -> None:
    """Attach a tracker for the configured index directory."""
    app.extensions[EXTENSION] = GenerationTracker(IndexStore(app.config["INDEX_DIR"]), app.config["CACHE_BYTES"])


def live_index() -> LiveIndex:
    """The live generation for this request (reopened after a rebuild)."""
    return current_app.extensions[EXTENSION].current()
