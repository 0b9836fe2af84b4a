"""Reading files defensively: size, encoding, front matter, and a table of bad input.

Every bad file becomes a `path: reason` skip; none stops a run or disappears silently.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index_store import IndexStore
from indexer import reading
from indexer.documents import SkipDocument
from indexer.frontmatter import MAX_NESTING, load_front_matter, split_front_matter
from indexer.pipeline import index_paths
from indexer.sources import SYMLINK_LOOP, SourceFile, discover, parse_source

REPO = Path(__file__).resolve().parents[1]
SMALL_LIMIT = 1_000  # bytes: the size limit used for the over-the-limit case
# CPU seconds of the reading process (time.process_time, not the wall clock: other processes on a
# shared machine do not count): a refused alias bomb takes milliseconds; expanding it takes minutes.
BOMB_CPU_SECONDS = 5.0
BOMB_MEMORY = 1024**3  # bytes of address space the child parsing a bomb may use

GOOD = (
    "---\n"
    "project_id: '9000001'\n"
    "year_submitted: 2019\n"
    "category: learn\n"
    "title: Reading Gardens\n"
    "organization_name: Garden Readers\n"
    "What does your organization do?: We plant gardens and read books in them.\n"
    "---\n"
)


def good_with(title: str = "Reading Gardens", answer: str = "We plant gardens and read books in them.") -> str:
    return GOOD.replace("Reading Gardens", title).replace("We plant gardens and read books in them.", answer)


def billion_laughs(levels: int = 9, separator: str = ", ") -> str:
    """The classic alias bomb: each level repeats the previous one nine times."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        items = separator.join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{items}]")
    return "---\nproject_id: '1'\ntitle: lol\n" + "\n".join(lines) + "\n---\n"


def merge_key_bomb(levels: int = 9) -> str:
    """An alias bomb through `<<` merge keys instead of sequences."""
    lines = ["m0: &m0 {k0: lol, k1: lol, k2: lol}"]
    for level in range(1, levels + 1):
        lines.append(f"m{level}: &m{level}")
        lines.extend(f"  c{i}: {{<<: *m{level - 1}}}" for i in range(9))
    return "---\nproject_id: '1'\ntitle: lol\n" + "\n".join(lines) + "\n---\n"


def parse_file(path: Path, max_bytes: int = reading.MAX_FILE_BYTES):
    """Parse one file the way an indexing run does."""
    return parse_source(SourceFile(str(path), path.name), max_bytes)


# --- the bad-input table ------------------------------------------------------------------
# (file name, content, a fragment of the reason it is skipped)
BAD_INPUT = [
    ("invalid-yaml.md", b"---\ntitle: [unclosed\nproject_id: '1'\n---\n", "invalid YAML front matter at line 3"),
    ("tab-indent.md", b"---\ntitle: x\n\tproject_id: '1'\n---\n", "invalid YAML front matter"),
    ("no-front-matter.md", b"# Just a heading\n\nSome text.\n", "no YAML front matter"),
    ("unclosed-front-matter.md", b"---\ntitle: x\nproject_id: '1'\n", "no YAML front matter"),
    ("list-front-matter.md", b"---\n- title\n- project_id\n---\n", "front matter is a list, not a mapping"),
    ("scalar-front-matter.md", b"---\njust a sentence\n---\n", "front matter is a str, not a mapping"),
    ("number-front-matter.md", b"---\n2019\n---\n", "front matter is a int, not a mapping"),
    ("null-front-matter.md", b"---\n~\n---\n", "front matter is a NoneType, not a mapping"),
    ("latin-1.md", GOOD.replace("Gardens", "Jard\xedn").encode("latin-1"), "not valid UTF-8 (byte 0xed"),
    ("utf-16-no-bom.md", GOOD.encode("utf-16-le"), "NUL bytes"),
    ("broken-utf-16.md", codecs.BOM_UTF16_LE + b"-\x00-\x00-\x00\n\x00\x00\xd8", "not valid UTF-16"),
    ("empty.md", b"", "file is empty"),
    ("whitespace.md", b" \n\t\n\n", "file is empty"),
    ("binary.md", bytes(range(256)) * 8, "NUL bytes"),
    ("nul-in-title.md", GOOD.replace("Reading", "Read\x00ing").encode(), "NUL bytes"),
    ("too-big.md", GOOD.encode() + b"x" * SMALL_LIMIT, f"over the {SMALL_LIMIT:,}-byte limit"),
    ("small-alias.md", b"---\nproject_id: '1'\ntitle: &t Gardens\nsubtitle: *t\n---\n", "aliases"),
    ("billion-laughs.md", billion_laughs().encode(), "aliases"),
    ("deep-flow.md", ("---\nproject_id: '1'\ntitle: x\nq: " + "[" * 5000 + "]" * 5000 + "\n---\n").encode(), "nest"),
    (
        "deep-flow-with-anchor.md",
        ("---\nproject_id: '1'\ntitle: x\nq: &a " + "[" * 100_000 + "]" * 100_000 + "\n---\n").encode(),
        f"nested deeper than {MAX_NESTING} levels",
    ),
    ("deep-map.md", ("---\nproject_id: '1'\ntitle: x\nq: " + "{a: " * 30 + "1" + "}" * 30 + "\n---\n").encode(), "nested deeper"),
    (
        "deep-block.md",
        ("---\nproject_id: '1'\ntitle: x\n" + "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n---\n").encode(),
        "nested deeper",
    ),
    ("python-tag.md", b"---\nproject_id: !!python/object/apply:os.system ['true']\ntitle: x\n---\n", "could not determine a constructor"),
    ("unhashable-key.md", b"---\nproject_id: '1'\ntitle: x\n? [a, b]\n: c\n---\n", "unhashable key"),
    ("unpublished.md", GOOD.replace("category", "published: false\ncategory").encode(), "unpublished (published: false)"),
    ("no-title.md", b"---\nproject_id: '1'\nyear_submitted: 2019\n---\n", "proposal has no title"),
    ("list-title.md", b"---\nproject_id: '1'\ntitle: [a, b]\n---\n", "proposal has no title"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT])
def test_bad_input_is_skipped_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    started = time.process_time()
    parsed = parse_file(path, max_bytes=SMALL_LIMIT if name == "too-big.md" else reading.MAX_FILE_BYTES)
    assert parsed.document is None
    assert reason in parsed.skipped
    assert time.process_time() - started < BOMB_CPU_SECONDS


# (file name, content, title, the answer to "What does your organization do?")
GOOD_INPUT = [
    ("plain.md", GOOD.encode(), "Reading Gardens", "We plant gardens and read books in them."),
    ("utf-8-bom.md", codecs.BOM_UTF8 + GOOD.encode(), "Reading Gardens", "We plant gardens and read books in them."),
    ("utf-16-le.md", codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"), "Reading Gardens", "We plant gardens and read books in them."),
    ("utf-16-be.md", codecs.BOM_UTF16_BE + GOOD.encode("utf-16-be"), "Reading Gardens", "We plant gardens and read books in them."),
    ("crlf.md", GOOD.replace("\n", "\r\n").encode(), "Reading Gardens", "We plant gardens and read books in them."),
    ("non-ascii.md", good_with(title="Niños del Jardín 🌱").encode(), "Niños del Jardín 🌱", "We plant gardens and read books in them."),
    ("control-chars.md", good_with(title="Reading\x07 Gardens\x1b").encode(), "Reading Gardens", "We plant gardens and read books in them."),
    (
        "literal-block-dashes.md",
        GOOD.replace("What does your organization do?: We plant gardens and read books in them.",
                     "What does your organization do?: |\n  Before the rule.\n  ---\n  After the rule.").encode(),
        "Reading Gardens",
        "Before the rule.\n---\nAfter the rule.",
    ),
    (
        "folded-dashes.md",
        GOOD.replace("What does your organization do?: We plant gardens and read books in them.",
                     "What does your organization do?: >-\n  first --- second\n  ---\n  third").encode(),
        "Reading Gardens",
        "first --- second --- third",
    ),
    ("quoted-dashes.md", good_with(answer='"one\\n---\\ntwo"').encode(), "Reading Gardens", "one\n---\ntwo"),
    ("dashes-after-front-matter.md", (GOOD + "body\n---\nmore body\n").encode(), "Reading Gardens", "We plant gardens and read books in them."),
    ("ampersand-answer.md", good_with(answer="Arts &amp; crafts & *more* for kids").encode(), "Reading Gardens", "Arts & crafts & *more* for kids"),
    ("dots-closing-fence.md", GOOD[: -len("---\n")].encode() + b"...\n", "Reading Gardens", "We plant gardens and read books in them."),
]


@pytest.mark.parametrize(("name", "content", "title", "answer"), GOOD_INPUT, ids=[case[0] for case in GOOD_INPUT])
def test_good_input_parses(tmp_path, name, content, title, answer):
    path = tmp_path / name
    path.write_bytes(content)
    parsed = parse_file(path)
    assert parsed.skipped == ""
    document = parsed.document
    assert document.title == title
    assert document.year == 2019
    assert document.goal == "learn"
    assert [(s.question, s.answer) for s in document.sections] == [("What does your organization do?", answer)]


def test_the_same_text_in_any_supported_encoding_gives_the_same_document(tmp_path):
    documents = []
    for name, data in [
        ("a.md", GOOD.encode()),
        ("b.md", codecs.BOM_UTF8 + GOOD.encode()),
        ("c.md", GOOD.encode("utf-16")),
        ("d.md", GOOD.replace("\n", "\r\n").encode()),
    ]:
        (tmp_path / name).write_bytes(data)
        document = parse_file(tmp_path / name).document
        documents.append({**document.to_json(), "id": "", "path": ""})
    assert all(document == documents[0] for document in documents)


# --- files that cannot be read ------------------------------------------------------------


def test_dangling_symlink_is_reported(tmp_path):
    (tmp_path / "dangling.md").symlink_to(tmp_path / "gone.md")
    parsed = parse_file(tmp_path / "dangling.md")
    assert parsed.skipped == "cannot read file: No such file or directory"


def test_symlink_loop_is_reported(tmp_path):
    (tmp_path / "one.md").symlink_to(tmp_path / "two.md")
    (tmp_path / "two.md").symlink_to(tmp_path / "one.md")
    parsed = parse_file(tmp_path / "one.md")
    assert parsed.skipped == "cannot read file: Too many levels of symbolic links"


def test_directory_symlink_loop_does_not_trap_discovery(tmp_path):
    (tmp_path / "2019").mkdir()
    (tmp_path / "2019" / "garden.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "2019" / "again").symlink_to(tmp_path)
    sources, problems = discover([tmp_path])
    assert [source.relpath for source in sources] == ["2019/garden.md"]
    assert problems == [(str(tmp_path / "2019" / "again"), SYMLINK_LOOP)]  # reported, never silent


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "secret.md"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    try:
        assert parse_file(path).skipped == "cannot read file: Permission denied"
    finally:
        path.chmod(0o644)


def test_fifo_is_refused_instead_of_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.md")
    parsed = parse_file(tmp_path / "pipe.md")
    assert parsed.skipped == "not a regular file (a pipe, socket or device)"


def test_device_behind_a_symlink_is_refused(tmp_path):
    (tmp_path / "zero.md").symlink_to("/dev/zero")
    assert parse_file(tmp_path / "zero.md").skipped == "not a regular file (a pipe, socket or device)"


def test_file_over_the_real_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.md"
    with open(path, "wb") as handle:  # sparse: costs no disk and no time
        handle.truncate(reading.MAX_FILE_BYTES + 1)
    with pytest.raises(SkipDocument, match=r"over the 5,242,880-byte limit"):
        reading.read_bytes(path)


def test_file_at_the_limit_is_read(tmp_path):
    path = tmp_path / "exact.md"
    path.write_bytes(GOOD.encode().ljust(SMALL_LIMIT, b"\n"))
    assert len(reading.read_bytes(path, max_bytes=SMALL_LIMIT)) == SMALL_LIMIT


# --- the alias bomb, in a child with bounded memory and time ------------------------------

BOMB_CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from pathlib import Path
from indexer.sources import SourceFile, parse_source
started = time.process_time()
parsed = parse_source(SourceFile(sys.argv[1], "bomb.md"))
print(json.dumps({{"skipped": parsed.skipped, "cpu_seconds": time.process_time() - started}}))
"""


@pytest.mark.parametrize(
    "bomb",
    [billion_laughs(), billion_laughs(separator=","), merge_key_bomb()],
    ids=["classic", "no-spaces", "merge-keys"],
)
def test_alias_bomb_is_refused_quickly_without_exhausting_memory(tmp_path, bomb):
    path = tmp_path / "bomb.md"
    path.write_text(bomb, encoding="utf-8")
    child = subprocess.run(
        [sys.executable, "-c", BOMB_CHILD.format(limit=BOMB_MEMORY), str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout)
    assert "YAML aliases (*name) are not allowed" in result["skipped"]
    assert result["cpu_seconds"] < BOMB_CPU_SECONDS


# --- front matter functions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\na: 1\n---\nbody", ("a: 1", "body")),
        ("---\na: 1\n---", ("a: 1", "")),
        ("---  \na: 1\n---\t\nbody", ("a: 1", "body")),
        ("---\na: |\n  x\n  ---\n  y\n---\nbody", ("a: |\n  x\n  ---\n  y", "body")),
        ("---\na: 1\n...\nbody", ("a: 1", "body")),
        ("---\na: 1\n---\nbody\n---\nmore", ("a: 1", "body\n---\nmore")),
        ("a: 1\n---\n", None),
        (" ---\na: 1\n---\n", None),
        ("---\na: 1\n", None),
        ("", None),
    ],
)
def test_split_front_matter(text, expected):
    assert split_front_matter(text) == expected


def test_front_matter_at_the_nesting_limit_loads():
    nested = "q: " + "[" * (MAX_NESTING - 1) + "1" + "]" * (MAX_NESTING - 1)
    assert load_front_matter(nested)["q"]


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x",
        "a: &x 1\nb: [1, *x]",
        "a: &x 1\nb: {c: *x}",
        "a: &x 1\nb:\n  - *x",
        "a: &x 1\nb:\n  *x",
        "a: &x 1\n*x : c",
        "a: &x 1\nb: {<<: *x}",
        "a: &x [1, *x]",  # refers to itself
        "a: *x",  # names no anchor
        "a: &x 1\nb: [\n*x]",
    ],
)
def test_front_matter_refuses_an_alias_wherever_it_stands(text):
    with pytest.raises(SkipDocument, match=r"aliases \(\*name\) are not allowed"):
        load_front_matter(text)


def test_front_matter_with_an_anchor_but_no_alias_loads():
    assert load_front_matter("a: &x 1\nb: '*x'\nc: |\n  *bold* &amp;\n") == {"a": 1, "b": "*x", "c": "*bold* &amp;\n"}


def test_front_matter_error_names_the_file_line():
    with pytest.raises(SkipDocument, match="at line 3"):
        load_front_matter("a: 1\nb: c: d\n")  # line 1 of the file is the opening ---


# --- a run over bad input -----------------------------------------------------------------


def test_a_run_over_every_bad_file_indexes_the_good_ones_and_reports_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, content, _reason in BAD_INPUT:
        (corpus / name).write_bytes(content)
    (corpus / "good.md").write_text(GOOD, encoding="utf-8")
    (corpus / "bom.md").write_bytes(codecs.BOM_UTF8 + good_with(title="With a BOM").encode())
    (corpus / "dangling.md").symlink_to(corpus / "gone.md")
    report = index_paths(IndexStore(tmp_path / "index"), [corpus], workers=1)
    assert (report.added, report.documents) == (3, 3)  # good, bom and the file over SMALL_LIMIT
    skipped = dict(report.skipped)
    expected = {str(corpus / name) for name, _content, _reason in BAD_INPUT if name != "too-big.md"}
    assert set(skipped) == expected | {str(corpus / "dangling.md")}
    assert all(reason for reason in skipped.values())


def test_duplicate_ids_in_one_folder_are_reported(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "garden.md").write_text(GOOD, encoding="utf-8")
    (corpus / "garden.markdown").write_text(good_with(title="Other Garden"), encoding="utf-8")
    report = index_paths(IndexStore(tmp_path / "index"), [corpus], workers=1)
    assert report.documents == 1
    # sorted by path, so garden.markdown comes first and keeps the id
    assert report.skipped == [
        (str(corpus / "garden.md"), f"duplicate id proposal/garden (also the id of {corpus / 'garden.markdown'})")
    ]
