"""`la2050-search`: one command line to parse, index, inspect and serve the archive.

Each command parses its options, calls one library function and prints a short result;
domain errors become `click.ClickException` with a message that says what to do next.
"""

from __future__ import annotations

import functools
import json
import sys

import click

from index_store import IndexStore, IndexStoreError, generation_stats
from indexer.pipeline import IndexReport, index_paths
from indexer.sources import discover, parse_source

from index_format.visible_text import remove_invisible_controls

from .progress import ProgressReporter

DEFAULT_INDEX_DIR = "./var/index"


def echo(message: str = "", err: bool = False) -> None:
    """`click.echo` without control or bidi characters: file names and titles can hold ESC
    sequences (colours, an OSC clipboard write) that a terminal would obey."""
    click.echo(remove_invisible_controls(message), err=err)


def index_dir_option(command):
    """`--index-dir`, shared by every command; defaults to $SEARCH_INDEX_DIR."""

    @click.option(
        "--index-dir",
        envvar="SEARCH_INDEX_DIR",
        default=DEFAULT_INDEX_DIR,
        show_default=True,
        type=click.Path(file_okay=False),
        help="Index directory (env SEARCH_INDEX_DIR).",
    )
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        return command(*args, **kwargs)

    return wrapper


def follow_symlinks_option(command):
    """`--follow-symlinks`, shared by `parse` and `index` (indexer.sources.discover)."""
    return click.option(
        "--follow-symlinks",
        is_flag=True,
        help="Follow every symlink, also those pointing outside PATHS (by default they are skipped and reported).",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="la2050-search")
def main() -> None:
    """Search the My LA2050 Ideas Archive: index proposals and articles, then serve them."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@follow_symlinks_option
def parse(paths: tuple[str, ...], index_dir: str, as_json: bool, follow_symlinks: bool) -> None:
    """Show each document as it will be indexed, or why it is skipped.

    Reads no index: --index-dir is accepted only so every command takes the same options.
    """
    sources, problems = discover(list(paths), follow_symlinks=follow_symlinks)
    for path, reason in problems:
        _emit_skip(path, reason, as_json)
    for source in sources:
        parsed = parse_source(source)
        if parsed.document is None:
            _emit_skip(source.path, parsed.skipped, as_json)
        elif as_json:
            echo(json.dumps(parsed.document.to_json(), ensure_ascii=False))
        else:
            _echo_document(parsed.document)


def _emit_skip(path: str, reason: str, as_json: bool) -> None:
    if as_json:
        echo(json.dumps({"path": path, "skipped": reason}, ensure_ascii=False))
    else:
        echo(f"{path}: skipped: {reason}")


def _echo_document(document) -> None:
    echo(f"{document.path}\n  id: {document.id}\n  kind: {document.kind}\n  title: {document.title}")
    for label, value in (
        ("organization", document.organization),
        ("year", document.year),
        ("goal", document.goal),
        ("regions", ", ".join(document.regions) + (" (inferred from the text)" if document.regions_inferred else "")),
        ("metrics", "; ".join(document.metrics)),
        ("sections", len(document.sections)),
        ("text", f"{len(document.text):,} characters"),
    ):
        if value not in ("", None):
            echo(f"  {label}: {value}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@index_dir_option
@click.option("--rebuild", is_flag=True, help="Build a fresh generation from PATHS instead of updating.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file was skipped.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and problems.")
@click.option("--lock-timeout", default=30.0, show_default=True, envvar="SEARCH_INDEX_LOCK_TIMEOUT", help="Seconds to wait for another indexing run.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Parser processes (default: CPUs).")
@click.option("--reparse", is_flag=True, help="Parse every file read again, not reusing documents parsed before from the same content.")
@click.option("--add", is_flag=True, help="Keep the documents of other paths indexed before, adding these (default: the index holds PATHS only).")
@follow_symlinks_option
def index(paths, index_dir, rebuild, strict, quiet, lock_timeout, workers, reparse, add, follow_symlinks) -> None:
    """Index PATHS (files or folders): afterwards the index holds exactly their documents.

    Only changed files are parsed again, or everything with --rebuild; --add keeps what
    other paths indexed before.
    """
    if add and rebuild:
        raise click.UsageError("--add keeps the documents indexed before; --rebuild starts from nothing: use one")
    store = IndexStore(index_dir, lock_timeout=lock_timeout)
    try:
        report = index_paths(
            store, paths, rebuild=rebuild, progress=ProgressReporter(quiet), workers=workers, reparse=reparse,
            add=add, follow_symlinks=follow_symlinks,
        )
    except IndexStoreError as error:
        # "check the skipped files above" must have files above: list them first.
        partial = getattr(error, "report", None)
        if partial is not None:
            _echo_problems(partial)
        raise click.ClickException(str(error)) from None
    _echo_report(report)
    if report.documents == 0 or (strict and (report.skipped or report.kept_previous)):
        sys.exit(1)


def _echo_problems(report: IndexReport) -> None:
    if report.recovered_lock_from:
        echo(f"recovered a lock left by pid {report.recovered_lock_from}, which is no longer running", err=True)
    for path, reason in report.skipped:
        echo(f"{path}: {reason}", err=True)
    for path, reason in report.kept_previous:
        echo(f"{path}: {reason} (kept the previously indexed version)", err=True)
    for path, reason in report.retracted:
        echo(f"{path}: {reason} (removed from the index)", err=True)
    for problem in report.link_problems:  # "file: entry: reason"; never fatal
        echo(f"link: {problem}", err=True)


def _echo_report(report: IndexReport) -> None:
    _echo_problems(report)
    for merge in report.merges:  # files that are one organization (indexer/org_identity.py); stdout keeps the summary alone
        echo(merge, err=True)
    echo(
        f"generation {report.generation}: {report.documents} documents; "
        f"added {report.added}, updated {report.updated}, removed {report.removed}, "
        f"unchanged {report.unchanged}, skipped {len(report.skipped) + len(report.kept_previous)} "
        f"in {report.seconds:.2f} s"
    )


@main.command()
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def stats(index_dir: str, as_json: bool) -> None:
    """Show the live generation: documents per kind, facet counts, size."""
    try:
        generation = IndexStore(index_dir).open_current()
        summary = generation_stats(generation)
    except IndexStoreError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        echo(json.dumps(summary, ensure_ascii=False))
        return
    documents = summary["documents"]
    echo(f"generation {summary['generation']} in {index_dir}: {sum(documents.values())} documents "
               f"({documents['proposal']} proposals, {documents['organization']} organizations, "
               f"{documents['article']} articles), "
               f"{summary['size_bytes'] / 1e6:.1f} MB")
    for facet, counts in summary["facets"].items():
        echo(f"{facet} ({len(counts)} values):")
        for value, count in counts.items():
            echo(f"  {count:6d}  {value}")


@main.command()
@index_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
def serve(index_dir: str, host: str, port: int, workers: int) -> None:
    """Serve the search page and JSON API with gunicorn's gevent workers (slow clients wait in
    an event loop, never holding a worker)."""
    from search_app import InvalidSetting, create_app

    from .server import run_server

    try:
        create_app({"INDEX_DIR": index_dir})  # settings are checked here, before any worker starts
        IndexStore(index_dir).open_current()
    except (IndexStoreError, InvalidSetting) as error:
        raise click.ClickException(str(error)) from None
    echo(f"serving {index_dir} on http://{host}:{port}/ with {workers} workers", err=True)
    run_server({"INDEX_DIR": index_dir}, host=host, port=port, workers=workers)
