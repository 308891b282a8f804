"""Stage 1 served without scikit-learn: the compact model scores exactly as the fitted pipeline does, in this
process and in another one (where Python hashes strings differently)."""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

from agora.screening.compact import CompactTfidfLR
from agora.screening.model import _pipeline

WORDS = [
    "kill",
    "hang",
    "bring",
    "guns",
    "tomorrow",
    "senator",
    "the",
    "a",
    "we",
    "will",
    "at",
    "city",
    "hall",
    "love",
    "pizza",
    "gym",
    "morgen",
    "waffen",
    "hängt",
    "politiker",
    "auf",
    "straße",
    "ÄÖÜ",
    "café",
    "naïve",
    "x",
    "y",
    "z",
    "ok",
    "lol",
    "2026",
    "über-groß",
    "don't",
    "can't",
    "@",
    "#",
    "😀",
]


def _texts(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 25))) for _ in range(n)]


def _fitted() -> tuple[object, list[str]]:
    rng = random.Random(7)
    train = _texts(rng, 400)
    labels = [int("kill" in t or "hängt" in t) for t in train]
    probe = [*_texts(rng, 300), "", " ", "a", "ab", "abc", "kill\tthe\n\nsenator", "  hängt  sie  ", "😀😀"]
    return _pipeline().fit(train, labels), probe


def test_compact_scores_equal_the_fitted_pipeline() -> None:
    pipeline, probe = _fitted()
    expected = pipeline.predict_proba(probe)  # type: ignore[attr-defined]
    compact = CompactTfidfLR.from_pipeline(pipeline)
    assert np.abs(compact.predict_proba(probe) - expected).max() < 1e-12
    again = pickle.loads(pickle.dumps(compact))
    assert np.abs(again.predict_proba(probe) - expected).max() < 1e-12


def test_a_pickled_compact_model_scores_the_same_in_another_process(tmp_path: Path) -> None:
    pipeline, probe = _fitted()
    expected = pipeline.predict_proba(probe)[:, 1]  # type: ignore[attr-defined]
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(CompactTfidfLR.from_pipeline(pipeline)))
    (tmp_path / "probe.json").write_text(json.dumps(probe))
    script = (
        "import json, pickle, sys; "
        f"m = pickle.loads(open({str(tmp_path / 'model.pkl')!r}, 'rb').read()); "
        f"texts = json.load(open({str(tmp_path / 'probe.json')!r})); "
        "print(json.dumps(list(m.predict_proba(texts)[:, 1])), 'sklearn' in sys.modules)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    scores, sklearn_loaded = out.stdout.rsplit(" ", 1)
    assert np.abs(np.array(json.loads(scores)) - expected).max() < 1e-12
    assert sklearn_loaded.strip() == "False"
