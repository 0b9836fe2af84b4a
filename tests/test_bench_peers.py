"""The dense-only and bm25s + dense fusion peers of the benchmark (bench/peers.py)."""

from __future__ import annotations

from bench.engines import Doc
from bench.peers import dense_engine, fusion_engine


def doc(doc_id: str, title: str, body: str) -> Doc:
    return Doc(id=doc_id, kind="proposal", title=title, organization="", summary="", body=body,
               region=(), metric=(), goal="", year=None)  # fmt: skip


DOCUMENTS = [
    doc("parking", "Safe parking", "Homeless families who live in their vehicles get a safe place to park overnight."),
    doc("gardens", "Community gardens", "Neighbors grow vegetables together in raised beds."),
    doc("tutoring", "Tutoring", "Volunteers help students with math homework; families sleeping in shelters get help too."),
    doc("library", "Story time", "Librarians read aloud with toddlers."),
]


def test_dense_only_finds_meaning_without_the_words():
    assert dense_engine(DOCUMENTS)("people sleeping in their cars")[0] == "parking"
    assert dense_engine(DOCUMENTS)("") == []


def test_the_fusion_adds_meaning_to_the_words():
    fused = fusion_engine(DOCUMENTS)("people sleeping in their cars")
    assert fused[:2] == ["tutoring", "parking"]  # "sleeping" matches the words of one, the meaning of the other
    assert fusion_engine(DOCUMENTS, weight=0.0)("raised beds")[0] == "gardens"
    assert set(fused) == {"parking", "gardens", "tutoring", "library"}
