"""The project as a relevance engine, and the documents every engine indexes.

The project is asked through `/api/search` (Flask's test client, the real view code),
ten results a query, as a user would. Peers (bench/peers.py) index the same documents,
read back from the project's own index so that every engine sees the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index_store import IndexStore, document_text, payload_of, split_values
from search_app import create_app

from .relevance import CUTOFF, Engine


@dataclass(frozen=True)
class Doc:
    """One document's searchable text, split as the project indexes it."""

    id: str
    kind: str
    title: str
    organization: str
    summary: str
    body: str
    region: tuple[str, ...]
    metric: tuple[str, ...]
    goal: str
    year: int | None
    alias_of: str = ""  # a merged-away organization file: the organization it is one with


def indexed_documents(index_dir: Path) -> list[Doc]:
    """Every live document's fields, from the stored fields of the current generation."""
    generation = IndexStore(index_dir).open_current()
    aliases = (generation.manifest.get("links") or {}).get("aliases", {})
    documents = []
    with generation.reader() as reader:
        for _docnum, stored in reader.live_documents():
            documents.append(
                Doc(
                    id=stored["id"],
                    kind=stored.get("kind", ""),
                    title=stored.get("title", ""),
                    organization=stored.get("organization", ""),
                    summary=stored.get("summary", ""),
                    body=document_text(payload_of(stored)),
                    region=tuple(split_values(stored.get("region", ""))),
                    metric=tuple(split_values(stored.get("metric", ""))),
                    goal=stored.get("goal", ""),
                    year=stored.get("year"),
                    alias_of=aliases.get(stored["id"], ""),
                )
            )
    return documents


def project_engine(index_dir: Path, cutoff: int = CUTOFF, config: dict | None = None) -> Engine:
    """Ranked ids from `/api/search?q=...` of an app over `index_dir`."""
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, **(config or {})})
    client = app.test_client()

    def search(query: str) -> list[str]:
        response = client.get("/api/search", query_string={"q": query, "per_page": cutoff})
        body = response.get_json(silent=True) or {}
        if response.status_code != 200 or not body.get("ok"):
            raise RuntimeError(f"/api/search?q={query!r} answered {response.status_code}: {body.get('error')}")
        return [result["id"] for result in body["results"]]

    return search
