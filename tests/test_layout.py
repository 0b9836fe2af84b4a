"""The packages' layering, checked on the source: who may import whom (issue 23).

index_format owns Whoosh; vocabulary holds the value tables and the facet registry that
both the indexer and the web app read; the engine knows nothing of the web app or Flask;
search_app never imports the indexer; a facet is declared once (vocabulary/facets.py) and
every place that lists facets reads it.
"""

from __future__ import annotations

import ast

import pytest

import engine
from search_app import create_app
from source_scan import REPO, attributes_read_in, imports_of, modules_imported_by
from vocabulary.facets import FACET_LABELS, FACETS, REGISTRY, canonical_value

# package -> the project's packages it may import
ALLOWED = {
    "index_format": set(),
    "vocabulary": {"index_format"},
    "index_store": {"index_format", "vocabulary"},
    "indexer": {"index_format", "vocabulary", "index_store"},  # it writes generations through the store
    "engine": {"index_format", "vocabulary", "index_store"},
    "search_app": {"index_format", "vocabulary", "index_store", "engine"},
}
WEB = {"flask", "flask_compress", "werkzeug", "jinja2"}  # what makes a web app
OWN = {*ALLOWED, "la2050_search", "bench"}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package):
    imports = imports_of(package)
    own = {name: sorted(files) for name, files in imports.items() if name in OWN and name != package}
    assert set(own) <= ALLOWED[package], own


# Private attributes of Whoosh's readers, searchers, weightings and writers that the
# format reads (whoosh_compat.py, block_reader.py, block_writer.py, segment.py).
WHOOSH_PRIVATE = {"_perdoc", "_readers", "_terms", "_postfile", "_field_B", "_tindex", "_fieldid", "_dbfile", "_text_to_bytes", "_segments"}


@pytest.mark.parametrize("package", sorted(OWN - {"index_format"}))
def test_only_the_format_imports_whoosh(package):
    assert "whoosh" not in imports_of(package)
    shim = {name: sorted(files) for name, files in modules_imported_by(package).items() if name.startswith("index_format.whoosh_compat")}
    assert not shim, shim


@pytest.mark.parametrize("package", sorted(OWN - {"index_format"}))
def test_only_the_format_reads_whooshs_private_attributes(package):
    read = {name: sorted(files) for name, files in attributes_read_in(package).items() if name in WHOOSH_PRIVATE}
    assert not read, read


# Methods of Whoosh's indexes, searchers and readers that only the format calls: the rest
# of the project reads an index through `index_format.reading.IndexReader`
# (`Generation.reader()`). bench/peers.py is Tantivy's, whose index has a `searcher()` too.
WHOOSH_READING = {"leaf_searchers", "iter_docs", "all_stored_fields", "column_reader", "document_number", "docs_for_query", "weighting", "doc_field_length", "delete_document"}


@pytest.mark.parametrize("package", sorted(OWN - {"index_format"}))
def test_only_the_format_calls_whooshs_reading_methods(package):
    called = {name: sorted(files) for name, files in attributes_read_in(package).items() if name in WHOOSH_READING}
    assert not called, called
    opened = sorted(set(attributes_read_in(package).get("searcher", ())) - {"bench/peers.py"})
    assert not opened, opened


def test_the_checks_above_see_what_they_look_for():
    """The private names and reading methods are used in the format, and `from a import b`
    is seen as a.b."""
    assert WHOOSH_PRIVATE <= set(attributes_read_in("index_format"))
    assert {"leaf_searchers", "iter_docs", "column_reader", "weighting"} <= set(attributes_read_in("index_format"))
    assert "index_format.analysis.ACCENT_FOLDING" in modules_imported_by("engine")


def test_the_engine_knows_nothing_of_the_web():
    assert not WEB & set(imports_of("engine")), {name: files for name, files in imports_of("engine").items() if name in WEB}


@pytest.mark.parametrize("package", sorted(OWN - {"engine"}))
def test_no_package_imports_a_private_name_of_the_engine(package):
    """Callers use the engine's public names: `engine.__all__`, or a module's name without
    an underscore (bench/tune.py once imported ranking's private functions and drifted)."""
    wrong = []
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "engine":
                for alias in node.names:
                    private = alias.name.startswith("_")
                    unnamed = node.module == "engine" and alias.name not in engine.__all__
                    if private or unnamed:
                        wrong.append(f"{path.relative_to(REPO)}: from {node.module} import {alias.name}")
    assert not wrong


def test_every_facet_is_declared_once_and_read_everywhere(tmp_path):
    assert len(FACETS) == len(set(FACETS)) == len(REGISTRY)
    assert set(FACET_LABELS) == set(FACETS)
    assert canonical_value("region", "sfv") == "San Fernando Valley"
    assert canonical_value("home_region", "outside la county") == "Outside LA County"
    assert canonical_value("nope", "x") is None
    spec = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True}).test_client().get("/api/openapi.json").get_json()
    search = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert set(FACETS) <= search
    facets_schema = spec["components"]["schemas"]
    assert any(set(schema.get("required", ())) == set(FACETS) for schema in _schemas(facets_schema))


def _schemas(node):
    """Every schema object nested in the OpenAPI components."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schemas(value)
