"""The index holds exactly what the files say (issue 25): retractions remove, only broken
files keep their previous version, symlinks follow ripgrep's and Jekyll's safe mode, `index
PATH…` replaces what other paths indexed unless `--add`, and the terminal sees no escapes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from index_store import IndexStore
from indexer.pipeline import index_paths
from indexer.sources import OUTSIDE_SYMLINK, discover
from la2050_search.cli import main

PROPOSAL = textwrap.dedent(
    """\
    ---
    published: {published}
    project_id: '{number}'
    year_submitted: 2019
    category: learn
    title: {title}
    organization_name: Garden Readers {number}
    What does your organization do?: We plant gardens and read books in them.
    ---
    """
)


def write(folder: Path, name: str, number: int, title: str = "Reading Gardens", published: str = "true") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PROPOSAL.format(number=number, title=title, published=published), encoding="utf-8")
    return path


def ids(index_dir: Path) -> list[str]:
    manifest = IndexStore(index_dir).live_manifest()
    return sorted(entry["id"] for entry in manifest["sources"].values())


@pytest.mark.parametrize("retract", ["unpublished", "emptied"])
def test_a_retracted_file_removes_its_document_and_the_report_says_so(tmp_path, retract):
    corpus, index_dir = tmp_path / "corpus" / "proposals" / "2019", tmp_path / "index"
    keep, gone = write(corpus, "keep.md", 1), write(corpus, "gone.md", 2, title="Gone Gardens")
    index_paths(IndexStore(index_dir), [tmp_path / "corpus"])
    if retract == "unpublished":
        write(corpus, "gone.md", 2, title="Gone Gardens", published="false")
    else:
        gone.write_text("  \n", encoding="utf-8")
    report = index_paths(IndexStore(index_dir), [tmp_path / "corpus"])
    assert ids(index_dir) == ["proposal/2019/keep"]
    assert report.removed == 1 and report.kept_previous == []
    assert [path for path, _reason in report.retracted] == [str(gone)]
    assert keep.exists()


def test_only_a_broken_file_keeps_its_previous_version_and_is_named(tmp_path, runner):
    corpus, index_dir = tmp_path / "corpus" / "proposals" / "2019", tmp_path / "index"
    write(corpus, "keep.md", 1)
    broken = write(corpus, "broken.md", 2)
    index_paths(IndexStore(index_dir), [tmp_path / "corpus"])
    broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    result = runner.invoke(main, ["index", str(tmp_path / "corpus"), "--index-dir", str(index_dir), "-q"])
    assert ids(index_dir) == ["proposal/2019/broken", "proposal/2019/keep"]
    assert f"{broken}: invalid YAML front matter" in result.output and "(kept the previously indexed version)" in result.output


def test_index_of_other_paths_replaces_the_previous_ones_unless_added(tmp_path, runner):
    first, second, index_dir = tmp_path / "a", tmp_path / "b", tmp_path / "index"
    write(first / "proposals" / "2019", "one.md", 1)
    write(second / "proposals" / "2019", "two.md", 2)

    def index(*args):
        result = runner.invoke(main, ["index", *args, "--index-dir", str(index_dir), "-q"])
        assert result.exit_code == 0, result.output
        return result.output

    index(str(first))
    assert "removed 1" in index(str(second))
    assert ids(index_dir) == ["proposal/2019/two"]
    index(str(first), "--add")
    assert ids(index_dir) == ["proposal/2019/one", "proposal/2019/two"]
    index(str(first), str(second))
    assert ids(index_dir) == ["proposal/2019/one", "proposal/2019/two"]


@pytest.fixture
def linked_archive(tmp_path) -> tuple[Path, Path]:
    """An archive whose `_projects/2019` links outside it, one inside link, and a file link to a secret."""
    outside, archive = tmp_path / "elsewhere", tmp_path / "archive"
    write(outside / "2019", "far.md", 1, title="Far Gardens")
    secret = tmp_path / "secret.txt"
    secret.write_text("Secret notes\n\nroot:x:0:0:root:/root:/bin/bash is what a file link outside could serve.\n", encoding="utf-8")
    write(archive / "_projects" / "2018", "near.md", 2, title="Near Gardens")
    (archive / "_projects" / "2019").symlink_to(outside / "2019", target_is_directory=True)
    (archive / "_projects" / "latest").symlink_to(archive / "_projects" / "2018", target_is_directory=True)
    (archive / "articles").mkdir()
    (archive / "articles" / "x.txt").symlink_to(secret)
    return archive, tmp_path


def test_symlinks_inside_are_followed_outside_skipped_and_reported(linked_archive):
    archive, _root = linked_archive
    sources, problems = discover([archive])
    # The inside link reaches near.md a second time: listed once.
    assert [source.relpath for source in sources] == ["_projects/2018/near.md"]
    assert sorted(problems) == [
        (str(archive / "_projects" / "2019"), OUTSIDE_SYMLINK),
        (str(archive / "articles" / "x.txt"), OUTSIDE_SYMLINK),
    ]
    assert OUTSIDE_SYMLINK == "symlink outside the indexed folders; --follow-symlinks indexes it"


def test_follow_symlinks_follows_every_one_once_and_detects_loops(linked_archive, runner):
    archive, root = linked_archive
    (archive / "_projects" / "loop").symlink_to(archive, target_is_directory=True)
    index_dir = root / "index"
    result = runner.invoke(main, ["index", str(archive), "--index-dir", str(index_dir), "-q", "--follow-symlinks"])
    assert result.exit_code == 0, result.output
    assert ids(index_dir) == ["article/x", "proposal/2018/near", "proposal/2019/far"]
    assert f"{archive / '_projects' / 'loop'}: symlink loop" in result.output


def test_a_symlinked_archive_given_on_the_command_line_is_resolved(linked_archive, runner):
    archive, root = linked_archive
    (root / "link-to-archive").symlink_to(archive, target_is_directory=True)
    sources, _problems = discover([root / "link-to-archive"])
    assert [source.relpath for source in sources] == ["_projects/2018/near.md"]


def test_terminal_escapes_in_file_names_and_titles_never_reach_the_terminal(tmp_path, runner):
    folder = tmp_path / "proposals" / "2019"
    folder.mkdir(parents=True)
    # An OSC 52 clipboard write and a colour in the title (YAML escapes), an ESC in the file name.
    (folder / "evil\x1b[31m.md").write_text(
        PROPOSAL.format(number=7, title='"Evil \\e]52;c;ZWNobyBoaQ==\\a \\e[2J title"', published="true"), encoding="utf-8"
    )
    (folder / "broken\x1b]0;pwned\x07.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    for args in (["parse", str(tmp_path)], ["parse", "--json", str(tmp_path)],
                 ["index", str(tmp_path), "--index-dir", str(tmp_path / "index")]):  # fmt: skip
        output = runner.invoke(main, args).output
        assert "\x1b" not in output and "\x07" not in output, (args, output)
        assert "Evil" in output or args[0] == "index"
    shown = json.loads(runner.invoke(main, ["parse", "--json", str(folder / "evil\x1b[31m.md")]).output)
    assert shown["title"] == "Evil ]52;c;ZWNobyBoaQ== [2J title"
