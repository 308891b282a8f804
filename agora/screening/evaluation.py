"""The fixed evaluation sets (data/eval/README.md) and the metrics every model is measured with.

Nothing here trains or tunes: `agora screening train` measures a new model on these sets for its model card,
the champion/challenger comparison, the threshold editor reads the stored scores, and bench/screening_bench.py
prints the table.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

csv.field_size_limit(sys.maxsize)

THREAT_FUNCTIONALITIES = {"threat_dir_h", "threat_norm_h"}


@dataclass(frozen=True)
class EvaluationSet:
    key: str
    name: str
    language: str
    texts: list[str]
    labels: list[int]


def _read(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


def evaluation_sets(data: Path) -> list[EvaluationSet]:
    """The five fixed sets, exactly as data/eval/README.md defines them (missing files are skipped)."""
    sets: list[EvaluationSet] = []
    for key, name, path in (
        ("de_violence", "DE violence (GermEval VIO)", data / "eval" / "de_violence.tsv"),
        ("de_call_to_action", "DE call to action (C2A)", data / "eval" / "de_call_to_action.tsv"),
    ):
        if path.exists():
            rows = _read(path, "\t")
            sets.append(
                EvaluationSet(key, name, "de", [r["text"] for r in rows], [int(r["label"]) for r in rows])
            )
    path = data / "gab_hate_corpus" / "ghc_test.tsv"
    if path.exists():
        rows = _read(path, "\t")
        sets.append(
            EvaluationSet(
                "en_gab_cv", "EN Gab cv", "en", [r["text"] for r in rows], [int(r["cv"] or 0) for r in rows]
            )
        )
    for key, name, lang, path in (
        (
            "en_hatecheck_threats",
            "EN HateCheck threats",
            "en",
            data / "hatecheck_en" / "test_suite_cases.csv",
        ),
        (
            "de_hatecheck_threats",
            "DE HateCheck threats",
            "de",
            data / "hatecheck_de" / "hatecheck_cases_final_german.csv",
        ),
    ):
        if not path.exists():
            continue
        rows = [
            r
            for r in _read(path, ",")
            if r.get("functionality") in THREAT_FUNCTIONALITIES or r.get("label_gold") == "non-hateful"
        ]
        sets.append(
            EvaluationSet(
                key,
                name,
                lang,
                [r["test_case"] for r in rows],
                [int(r.get("functionality") in THREAT_FUNCTIONALITIES) for r in rows],
            )
        )
    return sets


def auc(labels: Sequence[int], scores: Sequence[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    if 0 < sum(labels) < len(labels):
        return float(roc_auc_score(labels, scores))
    return None


def recall_at_fpr(labels: Sequence[int], scores: Sequence[float], fpr_limit: float = 0.05) -> float | None:
    from sklearn.metrics import roc_curve

    if not 0 < sum(labels) < len(labels):
        return None
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(max(t for f, t in zip(fpr, tpr, strict=True) if f <= fpr_limit))


def flag_metrics(flags: Sequence[bool], labels: Sequence[int]) -> dict[str, float]:
    """Precision, recall, F1 and the real false-positive rate of a set of flags."""
    tp = sum(1 for f, y in zip(flags, labels, strict=True) if f and y == 1)
    fp = sum(1 for f, y in zip(flags, labels, strict=True) if f and y == 0)
    positives, negatives = sum(labels), len(labels) - sum(labels)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / positives if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "fpr": round(fp / negatives, 4) if negatives else 0.0,
        "flagged": sum(1 for f in flags if f),
    }


def macro_f1(flags: Sequence[bool], labels: Sequence[int]) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(labels, [int(f) for f in flags], average="macro", zero_division=0)), 4)


def summarise(
    labels: Sequence[int], scores: Sequence[float], tiers: Sequence[int], f1_flags: Sequence[bool]
) -> dict[str, Any]:
    """One set's metrics for one stage: `tiers` are 0 allow / 1 review / 2 hold as the policy decides."""
    area = auc(labels, scores)
    r5 = recall_at_fpr(labels, scores)
    return {
        "auc": round(area, 4) if area is not None else None,
        "recall_at_5_fpr": round(r5, 4) if r5 is not None else None,
        "review": flag_metrics([t >= 1 for t in tiers], labels),
        "hold": flag_metrics([t >= 2 for t in tiers], labels),
        "macro_f1": macro_f1(f1_flags, labels),
        "rows": len(labels),
        "positives": sum(labels),
    }
