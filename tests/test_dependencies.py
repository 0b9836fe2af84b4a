"""A missing or broken library stops `index` and `serve` before they touch anything, with one
message naming the package and how to install it; the declared list covers every import.

The broken environments are real: the command runs with Python's own site-packages turned
off (`-S`) and a copy of this venv's site-packages made of links, minus the package, as
`pip uninstall` (module and metadata gone) or a damaged install (module gone) leaves it.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from la2050_search.dependencies import EXIT_BROKEN_ENVIRONMENT, declared_requirements, explain, find_problems
from servers import REPO, RUN_TIMEOUT, cli, free_port, running_server
from source_scan import imports_of

OWN_PACKAGES = {"index_format", "vocabulary", "indexer", "index_store", "engine", "search_app", "la2050_search"}


def normalised(name: str) -> str:
    return name.replace("_", "-").replace(".", "-").lower()


def declared_names() -> set[str]:
    return {normalised(Requirement(line).name) for line in declared_requirements()}


def linked_site_packages(tmp_path: Path, hidden: str = "", *, keep_metadata: bool = False) -> Path:
    """This venv's site-packages as links, without the module `hidden` (and its metadata)."""
    original = Path(sysconfig.get_paths()["purelib"])
    site = tmp_path / "site-packages"
    site.mkdir()
    left_out = []
    for entry in original.iterdir():
        is_module = bool(hidden) and (entry.name == hidden or entry.name.startswith(hidden + "."))
        is_metadata = bool(hidden) and entry.name.lower().startswith(hidden.lower() + "-")
        if is_module or (is_metadata and not keep_metadata):
            left_out.append(entry.name)
        else:
            (site / entry.name).symlink_to(entry)
    assert bool(left_out) == bool(hidden), f"{hidden} is not installed in {original}: nothing to hide"
    return site


def run_in(site: Path, *args: str, script: bool = False, timeout: float = RUN_TIMEOUT) -> subprocess.CompletedProcess:
    """`la2050-search ARGS…` seeing only `site` (and this checkout) as installed packages:
    `python -m la2050_search`, or with `script` the console script pip installed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(site)]), "PYTHONNOUSERSITE": "1"}
    program = [str(Path(sys.executable).parent / "la2050-search"), *args] if script else cli(*args)[1:]
    command = [sys.executable, "-S", *program]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)


def test_this_environment_has_every_declared_library():
    assert find_problems() == []


def test_every_library_the_code_imports_is_declared():
    """Not left to another package's dependencies or extras, where an older pip can miss it."""
    providers = metadata.packages_distributions()
    imported: dict[str, set[str]] = {}
    for package in OWN_PACKAGES:
        for top, files in imports_of(package).items():
            if top not in sys.stdlib_module_names and top not in OWN_PACKAGES:
                imported.setdefault(top, set()).update(files)
    assert {"whoosh", "trafilatura", "flask"} <= set(imported)  # the scan sees the imports
    undeclared = {
        module: sorted(where)
        for module, where in imported.items()
        if not {normalised(name) for name in providers.get(module, [module])} & declared_names()
    }
    assert undeclared == {}


def test_the_html_cleaner_is_declared_by_name():
    """jusText imports lxml.html.clean; pip 23.2 resolves lxml's html_clean extra to nothing."""
    assert "lxml-html-clean" in declared_names()


def test_a_missing_library_a_too_old_one_and_one_for_another_platform():
    problems = find_problems([
        "surely-not-installed-la2050>=1.0",
        "click>=999",
        "click>=8.0",
        'also-not-installed; python_version < "3"',
    ])  # fmt: skip
    assert [(problem.requirement, problem.reason) for problem in problems] == [
        ("surely-not-installed-la2050>=1.0", "not installed"),
        ("click>=999", f"version {metadata.version('click')} is installed"),
    ]


def test_the_message_names_each_package_and_the_command_that_installs_it():
    message = explain(find_problems(["surely-not-installed-la2050>=1.0", "click>=999"]), "the index was not touched")
    assert "libraries it needs are missing or broken; the index was not touched." in message
    assert "  surely-not-installed-la2050>=1.0: not installed" in message
    assert f"{sys.executable} -m pip install 'surely-not-installed-la2050>=1.0' 'click>=999'" in message
    assert f"pip install -e {REPO}" in message


@pytest.fixture
def live_index(tmp_path, index_dir) -> Path:
    """A copy of the session's index of `sample_corpus`, this test's own to serve and to check
    untouched (copied in a fraction of a second; indexing it took seconds a test)."""
    return Path(shutil.copytree(index_dir, tmp_path / "index"))


@pytest.fixture(scope="module")
def served_index(tmp_path_factory, index_dir):
    """(a copy of the session's index, the real server over it), shared by the cases of the
    test below: each checks that its failed run leaves both as they were."""
    live = Path(shutil.copytree(index_dir, tmp_path_factory.mktemp("served") / "index"))
    with running_server(live) as server:
        yield live, server


def snapshot(index_dir: Path) -> dict[str, int]:
    return {str(path.relative_to(index_dir)): path.stat().st_mtime_ns for path in index_dir.rglob("*")}


def results(server) -> tuple[int, list[str]]:
    status, answer = server.get_json("/api/search?q=")
    assert status == 200, answer
    return answer["total"], [result["id"] for result in answer["results"]]


@pytest.mark.parametrize(
    "hidden, keep_metadata, problem",
    [
        # The fresh-venv case: only HTML pages need it, so without the check 58 pages "broke".
        ("lxml_html_clean", False, "lxml_html_clean>=0.4: not installed"),
        ("lxml_html_clean", True, "is installed, but its module lxml_html_clean cannot be found"),
        ("whoosh", False, "whoosh==2.7.4: not installed"),  # imported by the command line itself
        ("justext", False, "not installed (needed by trafilatura)"),  # a library's library
        ("packaging", False, "packaging>=22: not installed"),  # what the check itself reads versions with
        ("wordllama", False, "wordllama==0.4.0.post1: not installed"),  # the embedding model: no keyword-only mode
    ],
)
def test_index_stops_before_touching_the_index_and_the_old_one_keeps_serving(
    tmp_path, sample_corpus, served_index, hidden, keep_metadata, problem
):
    live_index, server = served_index
    site = linked_site_packages(tmp_path, hidden, keep_metadata=keep_metadata)
    before = snapshot(live_index)
    served = results(server)
    assert served[0] > 0
    result = run_in(site, "index", str(sample_corpus), "--index-dir", str(live_index), "--rebuild")
    assert result.returncode == EXIT_BROKEN_ENVIRONMENT, result.stderr
    assert results(server) == served
    assert snapshot(live_index) == before
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith(f"  {hidden}")] == [lines[1]], result.stderr
    assert problem in lines[1]
    assert lines[-2].startswith(f"  {sys.executable} -m pip install ") and hidden in lines[-2]


@pytest.mark.parametrize("script", [False, True], ids=["python -m la2050_search", "installed script"])
def test_serve_refuses_to_start_without_a_library(tmp_path, live_index, script):
    site = linked_site_packages(tmp_path, "lxml_html_clean")
    result = run_in(site, "serve", "--index-dir", str(live_index), "--port", str(free_port()), script=script, timeout=60)
    assert result.returncode == EXIT_BROKEN_ENVIRONMENT
    assert "  lxml_html_clean>=0.4: not installed" in result.stderr
    assert "no server started" in result.stderr and "serving" not in result.stderr


def test_the_linked_environment_with_nothing_hidden_indexes(tmp_path, sample_corpus, live_index):
    """The control: the runs above fail only for the package they hide."""
    result = run_in(linked_site_packages(tmp_path), "index", str(sample_corpus), "--index-dir", str(live_index), "-q")
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout


def test_a_damaged_embedding_model_stops_every_command(tmp_path, sample_corpus, live_index):
    """The wordllama package is there but its weights file is cut short: exit 3, naming the file."""
    site = linked_site_packages(tmp_path)
    (site / "wordllama").unlink()
    original = Path(sysconfig.get_paths()["purelib"]) / "wordllama"
    copy = site / "wordllama"
    for path in original.rglob("*"):
        target = copy / path.relative_to(original)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.name.endswith(".safetensors"):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    before = snapshot(live_index)
    for command in (["index", str(sample_corpus), "--index-dir", str(live_index), "--rebuild"],
                    ["serve", "--index-dir", str(live_index), "--port", str(free_port())]):
        result = run_in(site, *command, timeout=60)
        assert result.returncode == EXIT_BROKEN_ENVIRONMENT, result.stderr
        assert "embedding model is missing or broken" in result.stderr and "l2_supercat_256.safetensors" in result.stderr
        assert "Traceback" not in result.stderr and "pip install --force-reinstall --no-deps wordllama==" in result.stderr
    assert snapshot(live_index) == before
