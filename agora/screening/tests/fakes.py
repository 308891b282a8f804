"""A tiny deterministic encoder for tests, plugged in through AGORA_SCREENING_ENCODER like any other: hashed
bag of words (so violent words land on the same dimensions), L2-normalised. Fast, no model files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

_WORD = re.compile(r"\w+")


class HashingEncoder:
    name = "test-hashing-encoder@1"
    dim = 64

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out


class FixedRescorer:
    """A stage-2 model plugged in through AGORA_SCREENING_STAGE2 whose answer a test sets (`score`); it
    records what it was asked, so a test can tell which posts reached stage 2."""

    model = "fixed-rescorer@1"
    score = 0.0
    thresholds = {"review": 0.5, "hold": 0.9}
    seen: list[str] = []

    @classmethod
    def from_settings(cls) -> FixedRescorer:
        return cls()

    def rescore(self, items: Sequence[Any]) -> list[Any]:
        from agora.screening.stage2 import Rescore

        FixedRescorer.seen.extend(item.text for item in items)
        return [
            Rescore(score=self.score, scores={"violence": self.score}, thresholds=dict(self.thresholds))
            for _ in items
        ]
