"""Which modules the project's own source imports, read from the files (ast), not by importing them."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def imports_of(package: str) -> dict[str, set[str]]:
    """Top-level module imported by absolute imports in `package` -> the files (relative to the repo) that do."""
    found: dict[str, set[str]] = {}
    for module, files in modules_imported_by(package).items():
        found.setdefault(module.split(".")[0], set()).update(files)
    return found


def modules_imported_by(package: str) -> dict[str, set[str]]:
    """Module imported by absolute imports in `package` (`from a import b` counts as a and
    a.b) -> the files (relative to the repo) that do."""
    found: dict[str, set[str]] = {}
    for path, tree in _trees(package):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                found.setdefault(name, set()).add(path)
    return found


def attributes_read_in(package: str) -> dict[str, set[str]]:
    """Attribute name read anywhere in `package` (`x.name`) -> the files that read it."""
    found: dict[str, set[str]] = {}
    for path, tree in _trees(package):
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                found.setdefault(node.attr, set()).add(path)
    return found


def _trees(package: str):
    """(path relative to the repo, parsed module) for each Python file of `package`."""
    for path in sorted((REPO / package).rglob("*.py")):
        yield path.relative_to(REPO).as_posix(), ast.parse(path.read_text(encoding="utf-8"))
