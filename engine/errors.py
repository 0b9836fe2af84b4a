"""The engine's one error type: a request it cannot answer, with a message for the user.

It knows nothing of HTTP beyond the status a front end should answer with; the web app
renders it (search_app/errors.py), other callers read its message.
"""

from __future__ import annotations


class BadRequest(Exception):
    """A request parameter is invalid; the message tells the user how to fix it."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
