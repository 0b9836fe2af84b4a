"""Hostile and broken input: files that attack the indexer, documents that attack readers, bad requests.

One `la2050-search index` run reads a folder of the worst files we can write (an alias
bomb, deeply nested YAML and HTML, 50 MB, NUL bytes, UTF-16, a symlink loop) beside
documents whose titles, answers and links carry scripts. The run must survive in bounded
memory and name each bad file; the pages served from the result must not let any document
content run. test_reading.py holds the table of single bad files; this is the whole run.
Then the request side: limits with clear messages, GET and HEAD only, and the security
headers on every kind of response, errors and 503s included.
"""

from __future__ import annotations

import codecs
import json
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from search_app import create_app
from search_app.errors import UNAVAILABLE
from search_app.state import live_index
from servers import assert_security_headers, cli, run_with_peak_memory

SCRIPT_PATHS = ["/static/app.js", "/static/suggest.js"]  # our own scripts, linked by fingerprint (?v=)
MAX_RSS_BYTES = 400 * 1024**2  # an indexing run over this folder needs ~150 MB; an expanded bomb, gigabytes
BIG_FILE_BYTES = 50 * 1024**2
NESTED_TAGS = 20_000
DOCUMENTS = 9  # the good files of the hostile folder
GOOD = textwrap.dedent(
    """\
    ---
    project_id: '9000001'
    year_submitted: 2019
    category: learn
    title: Reading Gardens
    organization_name: Garden Readers
    What does your organization do?: We plant gardens and read books in them.
    ---
    """
)


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels + 1)]
    return "---\nproject_id: '1'\ntitle: lol\n" + "\n".join(lines) + "\n---\n"


# Documents whose every field tries to become markup or a link that runs code.
HOSTILE_PROPOSAL = textwrap.dedent(
    """\
    ---
    project_id: '9000002'
    year_submitted: 2019
    category: create
    title: '<script>alert("t")</script> Hostile Gardens <img src=x onerror=alert(1)>'
    organization_name: '"><svg onload=alert(2)>'
    challenge_url: 'data:text/html,<script>alert(3)</script>'
    project_summary: '<a href="javascript:alert(4)">click</a> gardens <iframe src="javascript:alert(5)"></iframe>'
    In which areas of Los Angeles will you be directly working?:
      - South LA
      - '<script>alert(6)</script>'
    Which metrics will your submission impact?:
      - 'javascript:alert(7)'
    What does your organization do?: >-
      <img src=x onerror=alert(8)> We <b onmouseover=alert(9)>plant</b> gardens.
      [a link](javascript:alert(10)) <a href=" JaVaScRiPt:alert(11)">another</a>
    ---
    """
)
QUOTING_PROPOSAL = textwrap.dedent(
    """\
    ---
    project_id: '9000003'
    year_submitted: 2018
    category: play
    title: 'Gardens" onclick="alert(12)'
    organization_name: "Org' onfocus='alert(13)"
    challenge_url: '  javascript:alert(14)'
    What does your organization do?: 'Gardens </textarea></title><script>alert(15)</script>'
    ---
    """
)
HOSTILE_POST = textwrap.dedent(
    """\
    ---
    title: '<img src=x onerror=alert(16)> Gardens post'
    date: 2017-03-23
    author: '<script>alert(17)</script>'
    url: 'javascript:alert(18)'
    excerpt: '<a href="data:text/html,x">gardens</a>'
    ---
    <script>alert(19)</script>

    Community gardens [click me](javascript:alert(20)) and ![pic](data:image/svg+xml,<svg onload=alert(21)>).

    <a href="vbscript:msgbox(22)">More</a> about gardens <style>body{display:none}</style>.
    """
)
HOSTILE_PAGE = (
    "<html><head><title>Hostile page</title>"
    '<link rel="canonical" href="javascript:alert(23)">'
    '<meta property="og:url" content="data:text/html,alert(24)"></head><body><article>'
    '<h1 onclick="alert(25)">Gardens under attack</h1>'
    + "<p>Community gardens grow food for the neighbourhood, and volunteers tend them every week. </p>" * 8
    + '<p><a href="javascript:alert(26)">a link</a> <script>alert(27)</script> <img src=x onerror=alert(28)>'
    '<iframe srcdoc="<script>alert(29)</script>"></iframe></p></article></body></html>'
)


@pytest.fixture(scope="module")
def hostile_corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The folder, and for each bad file (relative path) a fragment of the reason it must be skipped for."""
    root = tmp_path_factory.mktemp("hostile")
    proposals, articles = root / "proposals" / "2019", root / "articles"
    proposals.mkdir(parents=True)
    articles.mkdir()
    (proposals / "good.md").write_text(GOOD, encoding="utf-8")
    (proposals / "utf-16.md").write_bytes(codecs.BOM_UTF16_LE + GOOD.replace("Reading", "Sixteen").encode("utf-16-le"))
    (proposals / "hostile.md").write_text(HOSTILE_PROPOSAL, encoding="utf-8")
    (proposals / "quoting.md").write_text(QUOTING_PROPOSAL, encoding="utf-8")
    (articles / "2017-03-23-hostile-post.markdown").write_text(HOSTILE_POST, encoding="utf-8")
    (articles / "hostile-page.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    # 20,000 nested elements: reading them once took a minute (bs4 insert_after is quadratic in depth).
    nested = "<div>" * NESTED_TAGS + "<p>Deep gardens. </p>" * 20 + "</div>" * NESTED_TAGS
    (articles / "nested-page.html").write_text(f"<html><body><article>{nested}</article></body></html>", "utf-8")
    (articles / "2017-03-24-nested-post.markdown").write_text(f"---\ntitle: Nested post\n---\n{nested}\n", "utf-8")
    nested_answer = json.dumps(nested)  # a JSON string is a YAML string
    (proposals / "nested-answer.md").write_text(GOOD.replace("We plant gardens and read books in them.", nested_answer), "utf-8")

    bad = {
        "alias-bomb.md": (billion_laughs().encode(), "YAML"),
        "deep-flow.md": ((GOOD[:-4] + "deep: " + "[" * 100_000 + "]" * 100_000 + "\n---\n").encode(), "nest"),
        "deep-block.md": (
            (GOOD[:-4] + "".join("  " * n + f"k{n}:\n" for n in range(500)) + "  " * 500 + "v: 1\n---\n").encode(),
            "nested deeper than 20 levels",
        ),
        "nul-bytes.md": (GOOD.replace("We plant", "We\x00plant").encode(), "NUL bytes"),
        "utf-16-without-bom.md": (GOOD.encode("utf-16-le"), "NUL bytes"),
    }
    for name, (content, _reason) in bad.items():
        (proposals / name).write_bytes(content)
    with open(proposals / "fifty-megabytes.md", "wb") as handle:
        handle.write(GOOD[:-4].encode() + b"What else?: ")
        handle.write(b"gardens " * (BIG_FILE_BYTES // 8))
        handle.write(b"\n---\n")
    (proposals / "loop-a.md").symlink_to(proposals / "loop-b.md")
    (proposals / "loop-b.md").symlink_to(proposals / "loop-a.md")
    (proposals / "folder-loop").symlink_to(proposals, target_is_directory=True)
    reasons = {f"proposals/2019/{name}": reason for name, (_content, reason) in bad.items()}
    reasons["proposals/2019/fifty-megabytes.md"] = "bytes, over the 5,242,880-byte limit"
    reasons["proposals/2019/loop-a.md"] = "cannot read file: Too many levels of symbolic links"
    reasons["proposals/2019/loop-b.md"] = "cannot read file: Too many levels of symbolic links"
    reasons["proposals/2019/folder-loop"] = "symlink loop: a link to a folder that holds it"  # reported, never silent
    return root, reasons


@pytest.fixture(scope="module")
def hostile_run(hostile_corpus, tmp_path_factory):
    """One `la2050-search index` run over the folder: (exit status, stderr, max RSS in bytes, index dir)."""
    root, _reasons = hostile_corpus
    index_dir = tmp_path_factory.mktemp("hostile-index")
    with open(index_dir.parent / "hostile-run.log", "w+", encoding="utf-8") as log:
        argv = cli("index", str(root), "--index-dir", str(index_dir), "-q")
        status, max_rss = run_with_peak_memory(argv, log, index_dir.parent / "hostile-run.peak")
        log.seek(0)
        output = log.read()
    return status, output, max_rss, index_dir


def test_one_run_over_hostile_files_survives_in_bounded_memory_and_names_each_bad_file(hostile_corpus, hostile_run):
    root, reasons = hostile_corpus
    status, output, max_rss, _index_dir = hostile_run
    assert status == 0, output
    assert "Traceback" not in output
    print(f"indexing the hostile folder peaked at {max_rss / 1024**2:.0f} MB")
    assert max_rss < MAX_RSS_BYTES
    lines = output.splitlines()
    for relpath, reason in reasons.items():
        mentions = [line for line in lines if line.startswith(f"{root / relpath}: ")]
        assert len(mentions) == 1 and reason in mentions[0], (relpath, mentions)
    summary = lines[-1]
    # good, utf-16, nested answer, two hostile proposals, two hostile and two nested articles
    assert summary.startswith(f"generation 1: {DOCUMENTS} documents; added {DOCUMENTS},"), summary
    assert f"skipped {len(reasons)} in" in summary


@pytest.fixture(scope="module")
def hostile_client(hostile_run):
    _status, _output, _max_rss, index_dir = hostile_run
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    yield app.test_client()
    with app.app_context():
        live_index().close()  # its searchers' files, rather than leaving them to the garbage collector


def assert_inert(html: str) -> BeautifulSoup:
    """No document content became markup, a handler or a link that runs code."""
    soup = BeautifulSoup(html, "html.parser")
    scripts = soup.find_all("script")
    assert [(script.get("src", "").split("?v=")[0], script.string) for script in scripts] == [(path, None) for path in SCRIPT_PATHS]
    for element in soup.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, f"<{element.name}> has {handlers}"
        assert element.name not in ("img", "svg", "iframe", "object", "embed", "base", "style", "b"), element
        for name in ("src", "action", "formaction", "srcdoc", "srcset", "xlink:href", "style"):
            assert name not in element.attrs or element.name in ("form", "script"), element
        if element.name == "meta":
            assert "http-equiv" not in element.attrs, element
    for link in soup.find_all(href=True):
        parts = urlsplit(link["href"].strip())
        relative = not parts.scheme and not parts.netloc
        assert relative or (parts.scheme in ("http", "https") and parts.netloc), link
    for form in soup.find_all("form"):
        assert form["action"].startswith("/") and not form["action"].startswith("//"), form
    return soup


def all_documents(client) -> list[dict]:
    body = client.get("/api/search?per_page=100").get_json()
    assert body["total"] == len(body["results"]) == DOCUMENTS
    return body["results"]


def test_no_document_content_can_run_on_any_page(hostile_client):
    documents = all_documents(hostile_client)
    urls = ["/", "/?q=gardens", "/?q=alert", "/?q=script+javascript", "/?sort=title&per_page=50"]
    urls += [f"/doc/{document['id']}" for document in documents]
    # Facet links built from hostile values, followed as a reader would.
    home = BeautifulSoup(hostile_client.get("/?q=").get_data(as_text=True), "html.parser")
    urls += [label.a["href"] for label in home.select("fieldset.facet li label")]
    for url in urls:
        response = hostile_client.get(url)
        assert response.status_code == 200, url
        soup = assert_inert(response.get_data(as_text=True))
        if url.startswith("/doc/"):
            shown = soup.select_one("main.document h1").get_text()
            document = next(d for d in documents if f"/doc/{d['id']}" == url)
            assert shown == document["title"]  # escaped, not stripped: the text reads as it was written


@pytest.mark.parametrize(
    ("title", "escaped"),
    [
        ('<script>alert("t")</script> Hostile Gardens <img src=x onerror=alert(1)>', "&lt;script&gt;"),
        ('Gardens" onclick="alert(12)', "Gardens&#34; onclick=&#34;alert(12)"),
        ("<img src=x onerror=alert(16)> Gardens post", "&lt;img src=x onerror=alert(16)&gt;"),
    ],
)
def test_hostile_titles_are_escaped_where_shown(hostile_client, title, escaped):
    document = next(d for d in all_documents(hostile_client) if d["title"] == title)
    page = hostile_client.get(f"/doc/{document['id']}").get_data(as_text=True)
    assert escaped in page
    assert title not in page


def test_only_http_links_leave_the_site(hostile_client):
    """javascript:, data: and vbscript: source URLs are dropped at indexing, not just hidden."""
    for document in all_documents(hostile_client):
        source_url = hostile_client.get(f"/api/doc/{document['id']}").get_json()["source_url"]
        assert source_url == "" or urlsplit(source_url).scheme in ("http", "https"), source_url


# --- limits, methods and headers on every kind of response --------------------------------


def error_of(response, status: int) -> str:
    """The error message of an API (JSON contract) or page (alert) response."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if response.mimetype == "application/json":
        body = response.get_json()
        assert (body["ok"], body["status"], body["errors"]) == (False, status, [body["error"]])
        return body["error"]
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one("p.error[role=alert]").get_text()


@pytest.mark.parametrize("base", ["/api/search", "/"])
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "é" * 501}, "q is 501 characters long; the limit is 500"),
        ({"per_page": "101"}, "per_page must be between 1 and 100, not 101"),
        ({"per_page": "-1"}, "per_page must be between 1 and 100, not -1"),
        ({"page": str(10**30)}, f"page must be between 1 and 10000, not {10**30}"),
        ({"page": "1e3"}, "page must be a whole number, not '1e3'"),
        ({"region": [f"r{n}" for n in range(51)]}, "too many or too long values for region"),
        ({"sort": "<script>"}, "sort must be one of relevance, newest, oldest, title, not '<script>'"),
    ],
)
def test_limits_are_refused_with_a_clear_message(client, base, params, message):
    assert error_of(client.get(base, query_string=params), 400) == message


@pytest.mark.parametrize("base", ["/api/search", "/"])
def test_limits_themselves_are_accepted(client, base):
    for params in ({"q": "é" * 500}, {"per_page": "100"}, {"region": [f"r{n}" for n in range(50)]}):
        assert client.get(base, query_string=params).status_code == 200, params


@pytest.mark.parametrize("base", ["/api/search", "/"])
def test_the_last_page_is_served_and_the_next_is_refused(client, base):
    """The API refuses a page past the end; the page redirects to the last one."""
    total = client.get("/api/search", query_string={"q": "gardens", "per_page": 7}).get_json()["total"]
    last = -(-total // 7)
    assert client.get(base, query_string={"q": "gardens", "per_page": 7, "page": last}).status_code == 200
    beyond = client.get(base, query_string={"q": "gardens", "per_page": 7, "page": last + 1})
    if base == "/":
        assert beyond.status_code == 302 and beyond.headers["Location"] == f"/?q=gardens&per_page=7&page={last}"
    else:
        assert error_of(beyond, 400) == f"page {last + 1} is beyond the last page ({last})"


URLS = ["/", "/doc/proposal/2019/x", "/api/search", "/api/doc/x", "/healthz", "/api/openapi.json", "/static/app.js", "/nope"]


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PROPFIND", "CONNECT", "POST"])
@pytest.mark.parametrize("url", URLS)
def test_only_get_and_head_are_allowed(client, url, method):
    response = client.open(url, method=method)
    assert error_of(response, 405) == f"method {method} is not allowed; use GET"
    assert response.headers["Allow"] == "GET, HEAD"
    assert_security_headers(response.headers)


@pytest.mark.parametrize("url", URLS)
def test_head_answers_like_get_without_a_body(client, url):
    with client.get(url) as got, client.head(url) as head:
        assert head.status_code == got.status_code
        assert head.get_data() == b""
        assert head.headers["Content-Type"] == got.headers["Content-Type"]
        assert_security_headers(head.headers)


@pytest.fixture
def client_without_index(tmp_path):
    return create_app({"INDEX_DIR": str(tmp_path / "nothing"), "TESTING": True}).test_client()


@pytest.mark.parametrize("url", ["/", "/?q=x", "/doc/x", "/api/search", "/api/doc/x", "/healthz"])
def test_no_index_is_a_503_with_the_error_contract_and_the_headers(client_without_index, url):
    response = client_without_index.get(url)
    assert error_of(response, 503) == UNAVAILABLE
    assert_security_headers(response.headers)


@pytest.mark.parametrize(
    ("url", "status"),
    [("/?page=0", 400), ("/api/search?page=0", 400), ("/api/nope", 404), ("/nope", 404), ("/doc/nope", 404),
     ("/api/doc/nope", 404), ("/api/openapi.json", 200), ("/?q=gardens", 200)],
)  # fmt: skip
def test_security_headers_on_every_kind_of_response(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert_security_headers(response.headers)
