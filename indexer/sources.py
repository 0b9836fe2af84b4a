"""Find document files under the paths a user gives and parse each into a `Document`.

Ids come from the kind and the path relative to the PATH given, so indexing
`archive/_projects` yields `proposal/2015/<slug>` wherever the archive lives.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from index_format.embedding import VECTOR_BYTES, embed_text, vector_bytes

from .documents import Document, Retracted, SkipDocument, without_invisible_controls
from .fields import vector_text
from .archive_data import read_data_file
from .frontmatter import load_front_matter, split_front_matter
from .organizations import is_organization, read_organization
from .parse_cache import ParseCache, entry_key
from .proposals import is_proposal, read_proposal
from .reading import MAX_FILE_BYTES, decode_text, read_bytes
from .textutil import slugify

SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".yaml": "data",  # the archive's _data/: outcome lists and the topic hierarchy
    ".yml": "data",
}
# Project files that sit beside documents but are not documents themselves.
IGNORED_NAMES = {"readme", "license", "licence", "changelog", "notice", "contributing"}
# A site checkout (the archive is a Jekyll site) also holds its build output and installed
# dependencies: copies of pages or code, never sources.
IGNORED_DIRS = {"_site", "node_modules", ".jekyll-cache", "vendor"}
# A page of the site itself, not a document: Liquid tags, or the site's own variables.
_TEMPLATE = re.compile(
    r"{%-?\s*(?:include|if|unless|for|assign|capture|case|layout|raw|comment|highlight|seo)\b"
    r"|{{-?\s*(?:site|page|content|include|layout|paginator)\b"
)
# Folder names that only group documents; dropping them keeps ids short and stable.
CONTAINER_DIRS = {
    *("proposals", "_projects", "projects"),
    *("organizations", "_organizations"),
    *("data", "_data"),
    *("articles", "_posts", "posts"),
}


@dataclass(frozen=True)
class SourceFile:
    """A candidate document file and where it sits under the PATH it was found from."""

    path: str  # absolute path, the key for incremental indexing
    relpath: str  # relative to the PATH given, with "/" separators


@dataclass
class ParsedFile:
    """The outcome of reading one file: a document or the reason it was skipped."""

    source: SourceFile
    digest: str  # content hash ("" when unreadable)
    document: Document | None = None
    skipped: str = ""
    stamp: list[int] | None = None  # [mtime_ns, size] when read, see `file_stamp`
    vector: bytes = b""  # the document's vector (index_store/vectors.py); none for data files
    retracted: bool = False  # skipped because the file says it is no document (documents.Retracted)


OUTSIDE_SYMLINK = "symlink outside the indexed folders; --follow-symlinks indexes it"
SYMLINK_LOOP = "symlink loop: a link to a folder that holds it (not followed)"


def discover(paths: list[str | Path], *, follow_symlinks: bool = False) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """List supported files under each path, in a stable order.

    Symlinks follow ripgrep's and Jekyll's safe mode: a path given is resolved; under it,
    a symlink (to a file or a folder) whose target lies within the given paths is
    followed, one pointing elsewhere is skipped and reported (OUTSIDE_SYMLINK), never
    silently. `follow_symlinks` follows every one. Either way a folder reached again
    through a link is not walked twice, and a file reached twice is listed once.

    :returns: (sources, problems) where problems are (path, reason) for paths that
        do not exist, cannot be listed, or are symlinks not followed.
    """
    sources: dict[str, SourceFile] = {}
    problems: list[tuple[str, str]] = []
    roots = [os.path.realpath(given) for given in paths]
    seen_files: set[str] = set()  # real paths already listed

    def add(key: str, relpath: str) -> None:
        real = os.path.realpath(key)
        if real not in seen_files:
            seen_files.add(real)
            sources.setdefault(key, SourceFile(key, relpath))

    for given in paths:
        root = Path(given)
        if root.is_file():
            if root.suffix.lower() in SUFFIXES:
                add(os.path.abspath(root), root.name)
            else:
                problems.append((str(root), f"unsupported file type {root.suffix or '(none)'}"))
            continue
        if not root.is_dir():
            problems.append((str(root), "no such file or directory"))
            continue
        _walk(str(root), roots, follow_symlinks, add, problems)
    return sorted(sources.values(), key=lambda s: s.path), problems


def _walk(root: str, roots: list[str], follow_symlinks: bool, add, problems: list[tuple[str, str]]) -> None:
    """List one given folder's files through `add`, following symlinks as `discover` says."""
    walked = {os.path.realpath(root)}  # real folders listed: a loop ends here
    pending = [(root, "")]  # (folder as reached, its path relative to root with "/")
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            problems.append((error.filename or folder, error.strerror or str(error)))
            continue
        # Plain strings, not Path objects: an update lists every file each time, and
        # building three Paths per file cost more than the rest of an unchanged run.
        absolute_dir = os.path.abspath(folder)
        subfolders = []
        for entry in entries:
            name = entry.name
            key = os.path.join(absolute_dir, name)
            if name.startswith("."):
                continue
            is_dir = _is_dir(entry)
            if entry.is_symlink() and not follow_symlinks and not _inside(os.path.realpath(key), roots):
                if is_dir or _is_document_name(name):
                    problems.append((key, OUTSIDE_SYMLINK))
                continue
            if is_dir:
                if name in IGNORED_DIRS:
                    continue
                real = os.path.realpath(key)
                if _inside(os.path.realpath(folder), [real]):  # the folder holds a link to itself or above
                    problems.append((key, SYMLINK_LOOP))
                    continue
                if real in walked:  # reached before through another link: its files are listed
                    continue
                walked.add(real)
                subfolders.append((key if entry.is_symlink() else os.path.join(folder, name), prefix + name + "/"))
            elif _is_document_name(name):
                add(key, prefix + name)
        pending.extend(reversed(subfolders))


def _is_dir(entry: os.DirEntry) -> bool:
    """A folder, or a link to one; a link that loops or cannot be read is left to the reader
    of files, which names the problem (`cannot read file: Too many levels of symbolic links`)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_document_name(name: str) -> bool:
    stem, suffix = os.path.splitext(name)
    return suffix.lower() in SUFFIXES and stem.lower() not in IGNORED_NAMES


def _inside(real: str, roots: list[str]) -> bool:
    """Whether a resolved path lies within one of the resolved given paths."""
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def parse_source(source: SourceFile, max_bytes: int = MAX_FILE_BYTES, cache: ParseCache | None = None) -> ParsedFile:
    """Read and parse one file; never raises for bad content.

    :param cache: where a document parsed before from the same content is taken from,
        and where a newly parsed one is kept.
    """
    stamp = file_stamp(source.path)  # taken before reading: a later change is seen next time
    try:
        data = read_bytes(Path(source.path), max_bytes)
    except SkipDocument as reason:
        return ParsedFile(source, "", skipped=str(reason), retracted=isinstance(reason, Retracted))
    digest = hashlib.sha1(data).hexdigest()
    key = entry_key(source.path, source.relpath, digest)
    entry = cache.get_entry(key, source.path) if cache is not None else None
    if entry is not None and (entry[0].kind == "data" or len(entry[1]) == VECTOR_BYTES):
        return ParsedFile(source, digest, document=entry[0], stamp=stamp, vector=entry[1])
    try:
        document = parse_bytes(source, data)
    except SkipDocument as reason:
        return ParsedFile(source, digest, skipped=str(reason), retracted=isinstance(reason, Retracted))
    except RecursionError:
        return ParsedFile(source, digest, skipped="document is nested too deeply to read")
    except Exception as error:  # a reader bug must not stop the run: report it per file
        return ParsedFile(source, digest, skipped=f"unexpected error: {type(error).__name__}: {error}")
    # Here, in the index workers: the model is loaded once per process, on first use.
    vector = b"" if document.kind == "data" else vector_bytes(embed_text(vector_text(document)))
    if cache is not None:
        cache.put(key, source.path, document, vector)
    return ParsedFile(source, digest, document=document, stamp=stamp, vector=vector)


def file_stamp(path: str) -> list[int] | None:
    """[mtime_ns, size]: when both match the manifest, the file is not read again.

    The same shortcut git and rsync take; the content hash decides whenever they differ.
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_mtime_ns, info.st_size]


def file_digest(source: SourceFile, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Content hash of a file, or "" when it cannot be read."""
    try:
        return hashlib.sha1(read_bytes(Path(source.path), max_bytes)).hexdigest()
    except SkipDocument:
        return ""


def parse_bytes(source: SourceFile, data: bytes) -> Document:
    """The file's document, with control and bidi-override characters removed from every
    text (YAML escapes such as "\\x1b" and HTML entities produce them after decoding)."""
    return without_invisible_controls(_read_document(source, data))


def _read_document(source: SourceFile, data: bytes) -> Document:
    """Dispatch on the file type and front matter to the right reader."""
    from . import articles  # trafilatura and bs4: loaded only when an article is read

    fmt = SUFFIXES[Path(source.relpath).suffix.lower()]
    text = decode_text(data, html=fmt == "html")
    if fmt == "data":
        return read_data_file(text, doc_id=make_id("data", source.relpath), path=source.path)
    split = split_front_matter(text) if fmt != "html" else None
    if split is not None:  # Markdown, or a .txt export that carries front matter
        front = load_front_matter(split[0])
        if is_organization(front):  # before proposals: both list `year_submitted`
            return read_organization(front, doc_id=make_id("organization", source.relpath), path=source.path)
        if is_proposal(front):
            return read_proposal(front, doc_id=make_id("proposal", source.relpath), path=source.path)
    # Only for would-be articles: a proposal quoting "{% include %}" is still a proposal.
    if _TEMPLATE.search(text):
        raise SkipDocument("a page template of the site (Liquid tags such as {% include %}), not a document")
    if split is not None:
        parts = articles.markdown_post(front, split[1], fallback_date=articles.date_from_filename(Path(source.relpath).name))
    elif fmt == "markdown":
        raise SkipDocument("no YAML front matter (a file must start with a line '---')")
    elif fmt == "html":
        parts = articles.html_article(text)
    else:
        parts = articles.text_article(text)
    return Document(
        id=make_id("article", source.relpath),
        kind="article",
        path=source.path,
        title=parts.title,
        organization=parts.site,
        year=int(parts.date[:4]) if parts.date[:4].isdigit() else None,
        summary=parts.excerpt,
        text=parts.text,
        url=parts.url,
        author=parts.author,
        site=parts.site,
        date=parts.date,
    )


def make_id(kind: str, relpath: str) -> str:
    """A stable, URL-safe id: kind, then the slugged path without its extension."""
    parts = Path(relpath).with_suffix("").parts
    while len(parts) > 1 and parts[0].lower() in CONTAINER_DIRS:
        parts = parts[1:]
    slugs = [slugify(part) or "untitled" for part in parts]
    return "/".join([kind, *slugs])

