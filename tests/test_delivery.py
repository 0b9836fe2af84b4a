"""Compression, fingerprinted static files and API ETags (search_app/delivery.py)."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest

STATIC = Path(__file__).resolve().parents[1] / "search_app" / "static"


def decoded(response) -> bytes:
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(body)
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, encoding
    return body


@pytest.mark.parametrize(
    "url, media_type",
    [
        ("/?q=food", "text/html"),
        ("/map?q=food", "text/html"),
        ("/api/search?q=food", "application/json"),
        ("/api/matrix?rows=year&cols=region", "application/json"),
        ("/api/matrix?rows=year&cols=region&format=csv", "text/csv"),
        ("/api/export?format=csv", "text/csv"),
        ("/api/export?format=json", "application/json"),
    ],
)
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_json_and_csv_are_compressed_as_asked(client, url, media_type, encoding):
    plain = client.get(url)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    squeezed = client.get(url, headers={"Accept-Encoding": encoding})
    assert squeezed.status_code == 200
    assert squeezed.mimetype == media_type
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    if url.startswith("/api/export"):  # streamed: brotli or deflate only (flask-compress streams no gzip)
        if encoding == "gzip":
            assert "Content-Encoding" not in squeezed.headers
            return
    assert squeezed.headers["Content-Encoding"] == encoding
    body = decoded(squeezed)
    assert len(squeezed.get_data()) < len(body) / 1.5
    if media_type == "text/html":  # took_ms differs between two runs; the rest is the same
        assert re.sub(rb"\d+\.\d+ ms", b"", body) == re.sub(rb"\d+\.\d+ ms", b"", plain.get_data())
    elif url.startswith("/api/export") or media_type == "text/csv":
        assert body == plain.get_data()


def test_a_tiny_answer_is_not_compressed(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in response.headers


def test_static_files_are_linked_by_fingerprint_and_kept_a_year(client):
    page = client.get("/?q=food").get_data(as_text=True)
    for name in ("style.css", "app.js", "favicon.svg"):
        fingerprint = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
        url = f"/static/{name}?v={fingerprint}"
        assert url in page
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.cache_control.max_age == 365 * 24 * 3600
            assert response.cache_control.public and response.cache_control.immutable
            assert not response.cache_control.no_cache
        with client.get(f"/static/{name}?v=000000000000") as stale:  # an old page's link: revalidated
            assert stale.cache_control.no_cache and not stale.cache_control.max_age


def test_api_answers_carry_an_etag_of_the_generation_and_revalidate(client):
    first = client.get("/api/search?q=food")
    etag = first.headers["ETag"]
    generation = first.get_json()["generation"]
    assert re.fullmatch(rf'W/"g{generation}-[0-9a-f]{{16}}"', etag)
    assert client.get("/api/search?q=food").headers["ETag"] == etag  # the same question, the same tag
    assert client.get("/api/search?q=gardens").headers["ETag"] != etag
    unchanged = client.get("/api/search?q=food", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert client.get("/api/search?q=food", headers={"If-None-Match": 'W/"g0-0"'}).status_code == 200
    for url in ("/api/matrix", "/api/map", "/api/doc/" + first.get_json()["results"][0]["id"], "/api/suggest?q=gar"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["ETag"].startswith(f'W/"g{generation}-'), url


def test_an_error_has_no_etag(client):
    assert "ETag" not in client.get("/api/search?page=0").headers


def test_every_page_has_a_meta_description(client):
    for url in ("/", "/?q=food", "/matrix", "/map", "/doc/nowhere"):
        page = client.get(url).get_data(as_text=True)
        assert re.search(r'<meta name="description" content="[^"]{40,}">', page), url
