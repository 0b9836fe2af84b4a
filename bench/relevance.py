"""Relevance figures: nDCG@10 and P@10 on judged needs, known-item MRR@10, for any engine.

An engine here is a function from a query as typed to its ranked document ids. The
judged needs come in two sets (NEED_SETS): keyword needs, `../shared/relevance/needs.tsv`
with graded `qrels.json`, typed in the proposals' own vocabulary, and everyday needs,
`needs-everyday.tsv` with `qrels-everyday.json`, typed as most visitors type (whole
questions, places, plain words); grades 2 squarely answers, 1 partly, 0 not; documents
nobody judged count as 0 and are counted, since a
ranking that finds new good documents looks worse by exactly those. Known-item queries
come from the index itself: each proposal's title, and the first eight words of its
summary, typed as plain words; the target is every proposal the same query was made from
(a title the archive holds twice has two right answers). An index with organizations adds
each organization's name, whose target is the organization's own document.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .corpus import SHARED

RELEVANCE = SHARED / "relevance"
CUTOFF = 10
SUMMARY_WORDS = 8  # the first words of a summary, as someone half-remembering it types them
# Needs tuned against and needs kept aside while tuning (the project's ranking weights
# were chosen looking at the first group of each set only; the rest shows how it generalises).
TUNED_NEEDS = tuple(f"r{number:02d}" for number in range(1, 13)) + tuple(f"e{number:02d}" for number in range(1, 11))
NEED_SETS = {"keyword": ("needs.tsv", "qrels.json"), "everyday": ("needs-everyday.tsv", "qrels-everyday.json")}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

Engine = Callable[[str], Sequence[str]]  # query as typed -> ranked ids (at least the top ten)


@dataclass(frozen=True)
class Need:
    """One judged information need."""

    id: str
    query: str
    description: str


@dataclass(frozen=True)
class KnownItem:
    """A query made from one document's text, and the ids it was made from."""

    kind: str  # "title", "summary" or "organization"
    query: str
    targets: frozenset[str]


def load_needs(folder: Path = RELEVANCE, kind: str = "keyword") -> tuple[list[Need], dict[str, dict[str, int]]]:
    """The needs of one set (NEED_SETS) and their judgments; raises if the files are missing
    (the run must fail)."""
    needs_file, qrels_file = NEED_SETS[kind]
    needs = []
    for line in (folder / needs_file).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        need_id, query, description = (line.split("\t") + ["", ""])[:3]
        needs.append(Need(need_id.strip(), query.strip(), description.strip()))
    qrels = json.loads((folder / qrels_file).read_text(encoding="utf-8"))
    return needs, qrels


def plain_words(text: str) -> str:
    """A text as someone types it into a search box: its words, no punctuation."""
    return " ".join(_WORD.findall(text))


def known_items(documents: Iterable[dict]) -> list[KnownItem]:
    """Title and summary-start queries for every proposal (stored fields: id, kind, title, summary).

    Queries are compared case-blind: proposals with the same title share one query whose
    targets are all of them, typed as the first of them spells it. The name of an
    organization file merged into another (`alias_of`) finds it as well as the file: the
    project answers with the organization it is one with, a peer with the file it indexed.
    """
    queries: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for document in documents:
        title = plain_words(document.get("title", ""))
        if document.get("kind") == "organization":
            asked = [("organization", title)]
        elif document.get("kind") == "proposal":
            summary = " ".join(plain_words(document.get("summary", "")).split()[:SUMMARY_WORDS])
            asked = [("title", title), ("summary", summary)]
        else:
            continue
        for kind, query in asked:
            if query:
                targets = queries.setdefault((kind, query.casefold()), (query, set()))[1]
                targets.update(filter(None, (document["id"], document.get("alias_of"))))
    return [
        KnownItem(kind=kind, query=query, targets=frozenset(targets))
        for (kind, _), (query, targets) in sorted(queries.items())
    ]


def ndcg(ranked: Sequence[str], grades: dict[str, int], cutoff: int = CUTOFF) -> float:
    """nDCG with gain 2^grade - 1 and a log2 discount; the ideal ranks every judged document."""
    gains = [2 ** grades.get(doc, 0) - 1 for doc in ranked[:cutoff]]
    ideal = sorted((2**grade - 1 for grade in grades.values()), reverse=True)[:cutoff]
    best = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains)) / best if best else 0.0


def precision(ranked: Sequence[str], grades: dict[str, int], cutoff: int = CUTOFF) -> float:
    """Share of the top `cutoff` judged 1 or 2 (an empty slot counts as a miss)."""
    return sum(1 for doc in ranked[:cutoff] if grades.get(doc, 0) > 0) / cutoff


def reciprocal_rank(ranked: Sequence[str], targets: frozenset[str], cutoff: int = CUTOFF) -> float:
    for rank, doc in enumerate(ranked[:cutoff], start=1):
        if doc in targets:
            return 1.0 / rank
    return 0.0


def judge_needs(engine: Engine, needs: list[Need], qrels: dict[str, dict[str, int]]) -> dict:
    """Per-need nDCG@10, P@10 and unjudged top-ten documents, with means per split."""
    per_need = {}
    for need in needs:
        grades = qrels.get(need.id, {})
        ranked = list(engine(need.query))[:CUTOFF]
        per_need[need.id] = {
            "ndcg": ndcg(ranked, grades),
            "precision": precision(ranked, grades),
            "unjudged": sum(1 for doc in ranked if doc not in grades),
            "top": ranked,
        }
    return {"per_need": per_need, "splits": _splits(per_need)}


def _splits(per_need: dict) -> dict:
    groups = {
        "all": list(per_need),
        "tuned": [need for need in per_need if need in TUNED_NEEDS],
        "held out": [need for need in per_need if need not in TUNED_NEEDS],
    }
    return {
        name: {
            "needs": len(ids),
            "ndcg": _mean(per_need[need]["ndcg"] for need in ids),
            "precision": _mean(per_need[need]["precision"] for need in ids),
            "unjudged": sum(per_need[need]["unjudged"] for need in ids),
        }
        for name, ids in groups.items()
        if ids
    }


def known_item_mrr(engine: Engine, items: list[KnownItem]) -> dict:
    """MRR@10 per kind of known-item query, and the queries whose target missed the top ten."""
    by_kind: dict[str, list[float]] = {}
    missed: dict[str, list[str]] = {}
    for item in items:
        rr = reciprocal_rank(list(engine(item.query)), item.targets)
        by_kind.setdefault(item.kind, []).append(rr)
        if rr < 1.0:
            missed.setdefault(item.kind, []).append(item.query)
    return {
        kind: {"queries": len(values), "mrr": _mean(values), "not_first": len(missed.get(kind, [])),
               "examples_not_first": missed.get(kind, [])[:8]}
        for kind, values in by_kind.items()
    }


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
