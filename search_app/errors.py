"""One place that renders errors as HTML or JSON; bad requests are the engine's error type."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from engine import BadRequest
from index_store import IndexStoreError

UNAVAILABLE = "The search is unavailable at the moment; please try again in a few minutes."


class PageBeyondEnd(BadRequest):
    """A page number past the last page of results; pages redirect to the last one."""

    def __init__(self, page: int, last_page: int):
        super().__init__(f"page {page} is beyond the last page ({last_page})")
        self.last_page = last_page


def error_body(message: str, status: int) -> dict:
    """The JSON error envelope every API error uses."""
    return {"ok": False, "error": message, "errors": [message], "status": status}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _respond(message: str, status: int):
    if _wants_json():
        return error_body(message, status), status
    return render_template("error.html", message=message, status=status), status


def init_app(app: Flask) -> None:
    """Register the handlers: nothing reaches the user as a bare 500 page or traceback."""

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest):
        return _respond(error.message, error.status)

    @app.errorhandler(IndexStoreError)
    def index_unavailable(error: IndexStoreError):
        # Paths, file names and the repair command are for the operator's log, not visitors.
        app.logger.error("answering 503 on %s: %s", request.path, error)
        return _respond(UNAVAILABLE, 503)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _respond(error.description or error.name, error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return _respond("Something went wrong on our side; the error has been logged.", 500)
