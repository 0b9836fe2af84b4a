"""Close spellings: the same corrections as a plain edit-distance loop, at a cost a long
query of unknown words can pay (engine/spelling.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.query import analyse
from engine.spelling import candidates_by_initial, closest_word

LETTERS = "abcdeéstz"  # few letters: random words then lie within an edit or two of each other


def reference_distance(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook table: an adjacent swap is one edit."""
    table = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
    return table[-1][-1]


def reference_closest(vocabulary: dict[str, int], word: str, max_distance: int) -> str | None:
    """The suggestion rule written out: same first letter, not a stop word, then the least
    (distance, -documents, word)."""
    ranked = [
        (reference_distance(word, candidate), -frequency, candidate)
        for candidate, frequency in vocabulary.items()
        if candidate[0] == word[0] and analyse(candidate)
    ]
    best = min((rank for rank in ranked if rank[0] <= max_distance), default=None)
    return best[2] if best else None


words = st.text(alphabet=LETTERS, min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(vocabulary=st.dictionaries(words, st.integers(1, 4), min_size=1, max_size=40), word=words, max_distance=st.sampled_from([1, 2]))
def test_the_closest_word_is_the_one_the_rule_names(vocabulary, word, max_distance):
    candidates = candidates_by_initial(vocabulary).get(word[0], ())
    assert closest_word(candidates, word, max_distance) == reference_closest(vocabulary, word, max_distance)


def test_stop_words_and_farther_words_are_never_suggested():
    vocabulary = {"the": 90, "there": 5, "theatre": 3, "gardens": 7}
    assert closest_word(candidates_by_initial(vocabulary)["t"], "thex", 2) == "there"  # "the" is nearer, but a stop word
    assert closest_word(candidates_by_initial(vocabulary)["g"], "gxrdxnx", 2) is None


PARAGRAPH = (
    "Buscamos talleres gratuitos de carpintería, plomería y electricidad para jóvenes desempleados "
    "del vecindario; también necesitamos guarderías económicas, transporte seguro hacia las escuelas, "
    "huertos comunitarios, asesoría legal migratoria, clínicas dentales móviles, bibliotecas abiertas "
    "hasta medianoche, becas universitarias, mentores bilingües, canchas iluminadas, murales, "
    "orquestas juveniles y cooperativas de vivienda asequible cerca de nuestras familias trabajadoras."
)


def test_a_paragraph_of_words_the_archive_never_uses_is_answered(archive_app):
    """~60 words, most unknown, each looked up for a close spelling: with a Python loop over
    the vocabulary that spent the request's work budget (a 400 after ~0.7 s); now the words
    the archive has are searched, and the page says the rest matched nothing."""
    response = archive_app.test_client().get("/api/search", query_string={"q": PARAGRAPH})
    body = response.get_json()
    assert response.status_code == 200, body.get("error")
    assert body["results"] and any("any of them" in note for note in body["notes"])
