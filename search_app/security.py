"""Response headers that keep document content from running in a reader's browser."""

from __future__ import annotations

from flask import Flask, Response, request

from engine import BadRequest


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ALLOWED_METHODS = {"GET", "HEAD"}


def init_app(app: Flask) -> None:
    """Add the headers to every response and refuse methods other than GET and HEAD."""

    @app.before_request
    def only_read_methods():
        if request.method not in ALLOWED_METHODS:
            raise BadRequest(f"method {request.method} is not allowed; use GET", status=405)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if response.status_code == 405:
            response.headers["Allow"] = "GET, HEAD"
        return response
