"""The search service: a Flask app factory with explicit configuration.

Public API: `create_app(config)` builds a fresh app, `warm_up(app)` opens the live
generation ahead of the first request, `InvalidSetting` is what a wrong setting raises.
The searching itself is the `engine` package's; this package reads requests and renders.
Settings come from `search_app.config.SETTINGS` defaults, then `SEARCH_*` environment
variables (JSON-typed), then the `config` argument. Nothing runs at import time.
"""

from __future__ import annotations

from flask import Flask
from flask.json.provider import DefaultJSONProvider

import engine
from index_store import IndexStoreError

from . import api, delivery, errors, explore, pages, security, state
from .config import InvalidSetting, default_config, validate_config


def create_app(config: dict | None = None) -> Flask:
    """Build a fresh app serving the index in `INDEX_DIR`."""
    app = Flask(__name__)
    app.config.from_mapping(default_config())
    app.config.from_prefixed_env("SEARCH")
    if config:
        app.config.from_mapping(config)
    validate_config(app.config)  # a wrong setting stops the app here, not on every request
    if isinstance(app.json, DefaultJSONProvider):  # Flask's own provider: keys in the order built
        app.json.sort_keys = False
    state.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    delivery.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(explore.bp)
    return app


def warm_up(app: Flask) -> None:
    """Open the live generation ahead of the first request; a missing index is not an error here."""
    with app.app_context():
        try:
            engine.warm_up(state.live_index())
        except IndexStoreError as error:
            app.logger.warning("index not ready: %s", error)


__all__ = ["InvalidSetting", "create_app", "warm_up"]
