"""Reads for the threshold editor: the current model card and what edited thresholds would do.

The card (written by `agora screening train`) stores, per validation row and per evaluation-set row, the
stage-1 score, the combined score (or -1 where stage 2 would not look), the pattern tier and whether the text
reads as news/game/counter-speech. So expected hold/review rates on ordinary traffic (validation split) and
recall / false-positive rates on the fixed evaluation sets are a pass over a few thousand numbers: instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agora.screening import model as stage1
from agora.screening import policy
from agora.screening.models import ThresholdPolicy

_card_cache: dict[tuple[str, float], dict[str, Any]] = {}


def current_card() -> dict[str, Any] | None:
    from agora.screening.training import read_card

    path = Path(stage1.serving_dir()) / stage1.CARD_FILE
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return None
    if key not in _card_cache:
        card = read_card()
        if card is None:
            return None
        _card_cache.clear()
        _card_cache[key] = card
    return _card_cache[key]


def stages_of(card: dict[str, Any]) -> list[str]:
    return ["stage1", "combined"] if card.get("stage2_model") else ["stage1"]


def effective_thresholds(card: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """language -> stage -> {review, hold} as screening applies them now."""
    from agora.screening.services import thresholds_for

    admin = {
        (row.language, row.stage): {"review": row.review, "hold": row.hold}
        for row in ThresholdPolicy.objects.filter(category="violence")
    }
    out: dict[str, dict[str, dict[str, float]]] = {}
    for stage in stages_of(card):
        for lang, calibrated in (card.get("thresholds", {}).get(stage) or {}).items():
            values = thresholds_for(lang, None, stage=stage, calibrated=calibrated, admin=admin)
            out.setdefault(lang, {})[stage] = {"review": values["review"], "hold": values["hold"]}
    return out


def _rates(rows: list[list[Any]], t1: dict[str, float], t2: dict[str, float] | None) -> tuple[float, float]:
    if not rows:
        return 0.0, 0.0
    tiers = [policy.row_tier(r, t1, t2) for r in rows]
    return sum(t >= 1 for t in tiers) / len(tiers), sum(t >= 2 for t in tiers) / len(tiers)


def preview(card: dict[str, Any], thresholds: dict[str, dict[str, dict[str, float]]]) -> dict[str, Any]:
    """Expected review/hold rates on the validation split and recall / real FPR on the evaluation sets."""
    distributions = card.get("distributions") or {}
    validation = []
    for lang, rows in sorted((distributions.get("validation") or {}).items()):
        t = thresholds.get(lang, {})
        if "stage1" not in t:
            continue
        review, hold = _rates(rows, t["stage1"], t.get("combined"))
        validation.append(
            {
                "language": lang,
                "rows": len(rows),
                "review_rate": review,
                "hold_rate": hold,
                "review_pct": 100 * review,
                "hold_pct": 100 * hold,
            }
        )
    evaluation = []
    for subset in (distributions.get("evaluation") or {}).values():
        t = thresholds.get(subset["language"], {})
        if "stage1" not in t:
            continue
        rows = subset["rows"]
        positives = [r for r in rows if r[4] == 1]
        negatives = [r for r in rows if r[4] == 0]
        pos_review, pos_hold = _rates(positives, t["stage1"], t.get("combined"))
        neg_review, neg_hold = _rates(negatives, t["stage1"], t.get("combined"))
        evaluation.append(
            {
                "name": subset["name"],
                "language": subset["language"],
                "positives": len(positives),
                "rows": len(rows),
                "review_recall": pos_review,
                "hold_recall": pos_hold,
                "review_fpr": neg_review,
                "hold_fpr": neg_hold,
                "review_recall_pct": 100 * pos_review,
                "hold_recall_pct": 100 * pos_hold,
                "review_fpr_pct": 100 * neg_review,
                "hold_fpr_pct": 100 * neg_hold,
            }
        )
    return {"validation": validation, "evaluation": evaluation}
