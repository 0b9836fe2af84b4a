"""Refuse to run with a missing or broken library, before any command touches anything.

Without this check a missing library shows up late and in the wrong place: an HTML reader
that cannot import `lxml.html.clean` skips every page as "unexpected error: ImportError",
and the run exits 0 as if 58 files were broken. So the `la2050-search` entry point first
checks the libraries the project declares (the `dependencies` of pyproject.toml, the one
list), and what they declare in turn, and stops with one message naming each problem and
the command that fixes it.

For each library: its metadata is installed, its version meets the declared bound, and
its top-level modules can still be found on the path. Nothing is imported (trafilatura
alone costs 0.3 s), so a module that is present but fails when imported is still reported
by the reader that imports it.
"""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DependencyProblem", "EXIT_BROKEN_ENVIRONMENT", "declared_requirements", "find_problems", "explain", "explain_model",
    "main", "model_problem",
]

PROJECT = "la2050-search"
CHECKOUT = Path(__file__).resolve().parent.parent  # pyproject.toml is here in a source checkout
EXIT_BROKEN_ENVIRONMENT = 3  # apart from index's 1 (nothing indexed) and click's 2 (usage)
REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
MODULE_SUFFIXES = (".py", ".so", ".pyd")


@dataclass(frozen=True)
class DependencyProblem:
    """One library that is not usable: `requirement` is what to install, `reason` why."""

    name: str  # the distribution, e.g. "lxml_html_clean"
    requirement: str  # as declared, e.g. "lxml_html_clean>=0.4"
    reason: str  # e.g. "not installed"
    needed_by: tuple[str, ...] = ()  # the chain of libraries that pulled it in, outermost first


def declared_requirements() -> list[str]:
    """The project's own dependencies: from the checkout's pyproject.toml when running from
    one (it is what `pip install -e .` would install now, even before a reinstall), else from
    the installed metadata."""
    pyproject = CHECKOUT / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == PROJECT:
            return list(project.get("dependencies", []))
    try:
        return [line for line in metadata.requires(PROJECT) or [] if "extra ==" not in line]
    except metadata.PackageNotFoundError:
        return []


def find_problems(requirements: list[str] | None = None) -> list[DependencyProblem]:
    """Every unusable library among `requirements` (default: the declared ones) and theirs."""
    problems: list[DependencyProblem] = []
    seen: set[str] = set()  # requirements checked, as asked for (a library may be asked for twice)
    reported: set[str] = set()  # libraries with a problem: each is named once
    pending: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [(line, (), ("",)) for line in (declared_requirements() if requirements is None else requirements)]
    while pending:
        line, chain, extras = pending.pop(0)
        requirement = _parse(line)
        if requirement is None or not _applies(requirement, extras):
            continue
        asked = _without_marker(line)
        if asked in seen:
            continue
        seen.add(asked)
        problem, requires = _check(requirement)
        if problem and _normalise(requirement.name) not in reported:
            reported.add(_normalise(requirement.name))
            problems.append(DependencyProblem(requirement.name, asked, problem, chain))
        if requires is not None and not isinstance(requirement, _BareRequirement):
            wanted_extras = ("", *sorted(requirement.extras))
            pending.extend((sub, (*chain, requirement.name), wanted_extras) for sub in requires)
    return problems


def explain(problems: list[DependencyProblem], consequence: str) -> str:
    """The message for a broken environment: what is wrong, then the command that fixes it."""
    lines = [f"{PROJECT} cannot run: {'a library it needs is' if len(problems) == 1 else 'libraries it needs are'}"
             f" missing or broken; {consequence}."]
    for problem in problems:
        via = f" (needed by {' → '.join(problem.needed_by)})" if problem.needed_by else ""
        lines.append(f"  {problem.requirement}: {problem.reason}{via}")
    python = shlex.quote(sys.executable)
    wanted = " ".join(shlex.quote(problem.requirement) for problem in problems)
    lines.append(f"Install {'it' if len(problems) == 1 else 'them'} into this Python with:")
    lines.append(f"  {python} -m pip install {wanted}")
    if (CHECKOUT / "pyproject.toml").is_file():
        lines.append(f"or reinstall the project: {python} -m pip install -e {shlex.quote(str(CHECKOUT))}")
    return "\n".join(lines)


def main() -> None:
    """The `la2050-search` entry point: the command line, once the libraries check out.

    Runs before the command line is even imported, since it imports Click, Whoosh and YAML.
    """
    problems = find_problems()
    if problems:
        print(explain(problems, "nothing was done (no index was touched, no server started)"), file=sys.stderr)
        sys.exit(EXIT_BROKEN_ENVIRONMENT)
    model = model_problem()
    if model:
        print(explain_model(model, "nothing was done (no index was touched, no server started)"), file=sys.stderr)
        sys.exit(EXIT_BROKEN_ENVIRONMENT)
    from .cli import main as command_line

    command_line(prog_name=PROJECT)


def model_problem() -> str:
    """Why the embedding model's files are unusable, or "" (index_format/embedding.py).

    Every document and query gets a vector: without the model there is no keyword-only
    fallback, the environment is broken like a missing library. Checked only once the
    libraries are (it imports numpy).
    """
    from index_format.embedding import model_problem as problem

    return problem()


def explain_model(problem: str, consequence: str) -> str:
    """The message for a missing or damaged model, with the command that reinstalls it."""
    from index_format.embedding import PACKAGE, PACKAGE_VERSION

    python = shlex.quote(sys.executable)
    return "\n".join([
        f"{PROJECT} cannot run: its embedding model is missing or broken; {consequence}.",
        f"  {problem}",
        "Reinstall it into this Python with:",
        f"  {python} -m pip install --force-reinstall --no-deps {PACKAGE}=={PACKAGE_VERSION}",
    ])


def _parse(line: str):
    """A `packaging` Requirement; without packaging (itself declared, so reported missing),
    a stand-in with only the name, so the project's own list is still checked for presence
    (not versions, not markers, not the libraries' own requirements)."""
    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:
        match = REQUIREMENT_NAME.match(line.strip())
        return _BareRequirement(match.group(0)) if match and ";" not in line else None
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


@dataclass(frozen=True)
class _BareRequirement:
    name: str
    extras: frozenset = frozenset()
    specifier: None = None
    marker: None = None


def _applies(requirement, extras: tuple[str, ...]) -> bool:
    """Whether the requirement's marker holds here, for the extras its parent was asked for."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras)


def _check(requirement):
    """(why the library is unusable or "", the requirements it declares, or None if not installed)."""
    try:
        distribution = metadata.distribution(requirement.name)
    except metadata.PackageNotFoundError:
        return "not installed", None
    fields = distribution.metadata  # parsed once: version and requirements come from it
    version, requires = fields["Version"], fields.get_all("Requires-Dist") or []
    if requirement.specifier is not None and not _meets(requirement.specifier, version):
        return f"version {version} is installed", requires
    gone = [module for module in _top_level_modules(distribution) if not _findable(module)]
    if gone:
        return f"{version} is installed, but its module {', '.join(gone)} cannot be found", requires
    return "", requires


def _meets(specifier, version: str) -> bool:
    try:
        return specifier.contains(version, prereleases=True)
    except ValueError:  # a version packaging cannot read: not ours to judge
        return True


def _top_level_modules(distribution) -> list[str]:
    """The importable names a distribution installs: its top_level.txt, else read from RECORD
    (as text: `distribution.files` would stat every file)."""
    listed = distribution.read_text("top_level.txt")
    if listed is not None:
        names = {name.strip() for name in listed.splitlines()}
    else:
        names = set()
        for row in (distribution.read_text("RECORD") or "").splitlines():
            path = row.rsplit(",", 2)[0].strip('"')
            if path.endswith(MODULE_SUFFIXES):
                first = path.split("/", 1)[0]
                names.add(first if "/" in path else first.split(".", 1)[0])
    return sorted(name for name in names if name.isidentifier())


def _findable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # ValueError: a module in sys.modules without a spec
        return False


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _without_marker(line: str) -> str:
    return line.split(";", 1)[0].strip()
