"""The embedding model loads from the installed package with no network, and gives
WordLlama's own vectors (index_format/embedding.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np

from index_format.embedding import DIMENSIONS, embed_text, embed_texts, model_problem
from servers import REPO

OFFLINE_CHECK = textwrap.dedent(
    """
    import json, socket, sys
    def refuse(*args, **kwargs):
        raise OSError("networking is disabled in this test")
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.create_connection = socket.getaddrinfo = refuse
    import numpy as np
    from index_format.embedding import embed_texts, package_folder
    texts = ["help for people sleeping in their cars", "Safe parking for people living in vehicles.", ""]
    ours = embed_texts(texts)
    from wordllama import WordLlama  # its own loader, told where its files are and not to download
    theirs = WordLlama.load(cache_dir=package_folder(), disable_download=True).embed(texts[:2], norm=True)
    print(json.dumps({"shape": list(ours.shape), "difference": float(np.abs(ours[:2] - theirs).max()),
                      "empty_norm": float(np.linalg.norm(ours[2]))}))
    """
)


def test_the_model_loads_with_networking_disabled_and_matches_wordllama():
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    env.pop("HF_HOME", None)
    result = subprocess.run([sys.executable, "-c", OFFLINE_CHECK], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answer = __import__("json").loads(result.stdout.splitlines()[-1])
    assert answer["shape"] == [3, DIMENSIONS]
    assert answer["difference"] < 2e-3  # float16 weights summed in float32, as WordLlama does
    assert answer["empty_norm"] == 0.0


def test_the_installed_model_has_no_problem():
    assert model_problem() == ""


def test_vectors_are_unit_length_and_meaning_is_closer_than_unrelated_text():
    cars, parking, budget = embed_texts(
        ["people sleeping in their cars", "a safe parking program for people living in vehicles", "annual budget audit report"]
    )
    assert abs(float(np.linalg.norm(cars)) - 1) < 1e-5
    assert float(cars @ parking) > float(cars @ budget) + 0.1


LONG_TEXT_CHECK = textwrap.dedent(
    """
    import json
    from index_format.embedding import embed_text
    def peak_kib():  # this process's own high-water mark (ru_maxrss also counts the exec-ing parent's)
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    short = embed_text("parking lots")
    before = peak_kib()
    vector = embed_text("parking lots " * 500_000 + "violin lessons " * 500_000)  # 14 MB
    print(json.dumps({"grown_mb": (peak_kib() - before) / 1024, "head": float(vector @ short),
                      "norm": float((vector @ vector) ** 0.5), "shape": list(vector.shape)}))
    """
)


def test_a_long_text_is_embedded_from_its_head_in_bounded_memory():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", LONG_TEXT_CHECK], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answer = __import__("json").loads(result.stdout.splitlines()[-1])
    assert answer["shape"] == [DIMENSIONS] and abs(answer["norm"] - 1) < 1e-5
    assert answer["head"] > 0.99  # only the head was read
    assert answer["grown_mb"] < 100


def test_a_lone_surrogate_from_a_yaml_escape_is_dropped_not_fatal():
    """YAML's "\\ud800" escape gives a string no tokenizer takes; the rest of the text is embedded."""
    assert np.allclose(embed_text("community garden \ud800"), embed_text("community garden "), atol=1e-6)
