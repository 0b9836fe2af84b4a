"""The benchmark corpus: the shared archive sample, scaled up by writing changed copies.

Copy 1 of a scaled corpus is the original files unchanged. Copies 2..N get new file names
(so new ids), a suffixed `project_id` and title, and the sentences of every long answer
or paragraph shuffled, so the index sees text that differs and cost growth is real rather
than a dictionary of repeated documents. The shuffle is seeded by path and copy number,
so every run writes the same corpus.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from indexer.sources import IGNORED_NAMES, SUFFIXES

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_FOLDERS = ("proposals", "articles")  # never extraction-truth: it is not a document folder
SAMPLE_FOLDERS = ("proposals", "articles", "seeds")  # the repo's own small corpus/
LONG_TEXT = 200  # characters: shorter strings may be pick-list answers, which must stay intact
_FENCE = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)(.*)\Z", re.DOTALL)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=\S)")
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")
_HTML_TITLE = re.compile(rb"(<title[^>]*>)(.*?)(</title>)", re.IGNORECASE | re.DOTALL)
_HTML_PARAGRAPH = re.compile(rb"(<p>)([^<>]{200,})(</p>)", re.IGNORECASE)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class Corpus:
    """Folders of documents to index, as a user would pass them to `la2050-search index`."""

    name: str
    folders: tuple[Path, ...]


@dataclass
class ScaledCorpus:
    """A written copy of a corpus at some scale, ready to index."""

    scale: int
    roots: list[Path]  # the folders to index
    files: int  # document files written
    seconds: float  # time taken to write them


def shared_corpus() -> Corpus:
    """The real archive sample in ../shared/corpus (proposals and articles).

    :raises FileNotFoundError: when ../shared/corpus is missing.
    """
    folders = tuple(SHARED / "corpus" / name for name in SHARED_FOLDERS)
    missing = [str(folder) for folder in folders if not folder.is_dir()]
    if missing:
        raise FileNotFoundError(f"corpus folders not found: {', '.join(missing)}")
    return Corpus("shared", folders)


def sample_corpus() -> Corpus:
    """The repo's small corpus/ folder, for quick smoke runs."""
    folders = (REPO / "corpus" / name for name in SAMPLE_FOLDERS)
    return Corpus("sample", tuple(folder for folder in folders if folder.is_dir()))


def write_scaled(corpus: Corpus, scale: int, target: Path) -> ScaledCorpus:
    """Write `scale` copies of every document of `corpus` under `target`.

    :returns: the folders to index (one per corpus folder, same names).
    """
    started = time.perf_counter()
    roots, files = [], 0
    for folder in corpus.folders:
        destination = target / folder.name
        for source in sorted(folder.rglob("*")):
            if not _is_document(source):
                continue
            relative = source.relative_to(folder)
            for copy in range(1, scale + 1):
                name = relative if copy == 1 else relative.with_name(f"{relative.stem}-x{copy}{relative.suffix}")
                path = destination / name
                path.parent.mkdir(parents=True, exist_ok=True)
                if copy == 1:
                    shutil.copyfile(source, path)
                else:
                    path.write_bytes(vary_document(source, copy))
                files += 1
        roots.append(destination)
    return ScaledCorpus(scale=scale, roots=roots, files=files, seconds=time.perf_counter() - started)


def _is_document(path: Path) -> bool:
    return (
        path.is_file()
        and not path.name.startswith(".")
        and path.suffix.lower() in SUFFIXES
        and path.stem.lower() not in IGNORED_NAMES
    )


def vary_document(source: Path, copy: int) -> bytes:
    """The bytes of copy number `copy` of a document: new ids, title and sentence order."""
    rng = random.Random(f"{source}:{copy}")
    data = source.read_bytes()
    if SUFFIXES[source.suffix.lower()] == "html":
        return _vary_html(data, copy, rng)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # a new file name still gives a new id
    match = _FENCE.match(text)
    if match is None:
        return shuffle_sentences(text, rng).encode("utf-8")
    try:
        front = yaml.load(match.group(1), Loader=_LOADER)
    except yaml.YAMLError:
        return data
    if not isinstance(front, dict):
        return data
    _vary_front_matter(front, copy, rng)
    return dump_front_matter(front, shuffle_sentences(match.group(2), rng)).encode("utf-8")


def _vary_front_matter(front: dict, copy: int, rng: random.Random) -> None:
    if "project_id" in front:
        front["project_id"] = f"{front['project_id']}-x{copy}"
    if isinstance(front.get("title"), str):
        front["title"] = f"{front['title'].strip()} [{copy}]"
    for key, value in front.items():
        if isinstance(value, str) and len(value) > LONG_TEXT:
            front[key] = shuffle_sentences(value, rng)


def _vary_html(data: bytes, copy: int, rng: random.Random) -> bytes:
    # Bytes throughout: pages come in several encodings, and ASCII '.', '<', '>' never
    # occur inside a multi-byte UTF-8 sequence, so splitting on them is safe.
    data = _HTML_TITLE.sub(lambda m: m.group(1) + m.group(2).strip() + b" [%d]" % copy + m.group(3), data, count=1)

    def shuffled(match: re.Match) -> bytes:
        text = match.group(2).decode("latin-1")
        return match.group(1) + shuffle_sentences(text, rng).encode("latin-1") + match.group(3)

    return _HTML_PARAGRAPH.sub(shuffled, data)


def shuffle_sentences(text: str, rng: random.Random) -> str:
    """Shuffle the sentences within each long paragraph of `text`; short ones are kept."""
    parts = _PARAGRAPH_BREAK.split(text)
    for index in range(0, len(parts), 2):  # odd indexes are the paragraph breaks
        sentences = _SENTENCE_BREAK.split(parts[index].strip())
        if len(parts[index]) > LONG_TEXT and len(sentences) > 1:
            rng.shuffle(sentences)
            parts[index] = " ".join(sentences)
    return "".join(parts)


def dump_front_matter(front: dict, body: str = "") -> str:
    """A Markdown file with `front` as YAML front matter."""
    dumped = yaml.dump(front, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{dumped}---\n{body}"


def pick_proposals(roots: list[Path], count: int, seed: int = 2050) -> list[Path]:
    """Up to `count` published proposal files under `roots`, chosen at random but repeatably."""
    candidates = sorted(
        path for root in roots for path in root.rglob("*") if path.suffix.lower() in (".md", ".txt") and path.is_file()
    )
    random.Random(seed).shuffle(candidates)
    chosen = []
    for path in candidates:
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---") and "project_id" in text and "published: false" not in text:
            chosen.append(path)
            if len(chosen) == count:
                break
    return chosen


def edit_proposal(path: Path, revision: int) -> None:
    """Change a proposal's summary so its digest changes and it is parsed and indexed again."""
    match = _FENCE.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path} has no front matter")
    front = yaml.load(match.group(1), Loader=_LOADER)
    summary = str(front.get("project_summary") or "").split(" Revision ")[0]
    front["project_summary"] = f"{summary} Revision {revision} of this proposal."
    path.write_text(dump_front_matter(front, match.group(2)), encoding="utf-8")
