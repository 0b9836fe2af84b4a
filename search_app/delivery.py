"""How responses travel: compressed, static files cached for a year, API answers revalidated.

- HTML, JSON, CSV, CSS, JavaScript and SVG are compressed with brotli or gzip, as the
  client's Accept-Encoding asks (flask-compress: the map page of the whole archive goes from 152 KB to 22 KB in brotli).
- Static files are linked with a fingerprint of their content (`?v=<hash>`), so a
  browser may keep them a year: a changed file has another URL.
- An API answer depends only on its URL, the index generation and the code serving it:
  its weak ETag says so, and a client that sends it back gets a 304 without a search.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, g, request
from flask_compress import Compress

from index_store import IndexStoreError

from .state import live_index

COMPRESSED_TYPES = [
    "text/html", "application/json", "text/csv", "application/x-ndjson", "text/css",
    "text/javascript", "application/javascript", "image/svg+xml",
]  # fmt: skip
YEAR = 365 * 24 * 3600
FINGERPRINTS = "la2050_search.fingerprints"  # app.extensions key: static file -> content hash
CODE_VERSION = "la2050_search.code_version"  # app.extensions key: a hash of the serving code
CODE = Path(__file__).parent


def init_app(app: Flask) -> None:
    """Compression, fingerprinted static URLs with long lifetimes, ETags on the API."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "deflate"])  # flask-compress streams no gzip
    Compress(app)
    app.extensions[FINGERPRINTS] = {}
    app.extensions[CODE_VERSION] = _code_version()

    @app.url_defaults
    def fingerprint_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            values["v"] = static_fingerprint(values["filename"])

    @app.before_request
    def answer_unchanged():
        # Taken before the view reads the index: if a rebuild lands in between, the answer
        # carries the older tag, and the next request (the tag no longer current) gets it anew.
        if request.path.startswith("/api/"):
            try:
                g.api_etag = api_etag()
            except IndexStoreError:  # no index: the view answers 503 (or, for the OpenAPI document, 200)
                return None
            if request.if_none_match and request.if_none_match.contains_weak(g.api_etag):
                response = Response(status=304)
                response.set_etag(g.api_etag, weak=True)
                return response
        return None

    @app.after_request
    def cache_headers(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") == static_fingerprint(filename):
                response.cache_control.no_cache = None  # send_file's default for an unversioned file
                response.cache_control.public = True
                response.cache_control.max_age = YEAR
                response.cache_control.immutable = True
        elif request.path.startswith("/api/") and response.status_code == 200 and "api_etag" in g:
            response.set_etag(g.api_etag, weak=True)
        return response


def static_fingerprint(filename: str) -> str:
    """The first 12 hex digits of the file's SHA-256 ("" for a file that is not there)."""
    known = current_app.extensions[FINGERPRINTS]
    if filename not in known:
        path = Path(current_app.static_folder or "") / filename
        try:
            known[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            return ""
    return known[filename]


def api_etag() -> str:
    """The validator of this API request's answer: generation, code and URL."""
    generation = live_index().generation.number
    key = f"{current_app.extensions[CODE_VERSION]}\n{request.full_path}"
    return f"g{generation}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"


def _code_version() -> str:
    """A hash of the serving code's files (names, sizes, modification times): a new
    release answers with new ETags even over the same generation."""
    digest = hashlib.sha256()
    for path in sorted(CODE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".js", ".css"):
            stat = path.stat()
            digest.update(f"{path.relative_to(CODE)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]
