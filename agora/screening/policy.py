"""Turning scores into tiers: the one place that says when a score means allow, review or hold.

A tier is reached when any category reaches its threshold: the explicit-threat patterns (fixed rule outcomes)
or the violence score (stage 1's, or the combined stage-2 score for posts stage 2 re-scored). A text that
reads as news, a game, a hunt or counter-speech is never held by the model score alone (review at most).

Thresholds for the violence score, per language and stage, come from (first that has them):
1. what an admin set in the threshold editor (`ThresholdPolicy`, audited);
2. AGORA_SCREENING_THRESHOLDS in settings (stage 1), AGORA_SCREENING_STAGE2_THRESHOLDS (external stage 2);
3. the quantiles calibrated on the validation split at training time (about 5 % review, 1 % hold);
4. fallbacks that flag almost nothing.
In surge mode new and low-reputation accounts meet the surge thresholds (about 10 % / 3 %), and a pattern rule
that would only send their post to review holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agora.screening.models import Decision

ALLOW, REVIEW, HOLD = 0, 1, 2
TIERS = (str(Decision.ALLOW), str(Decision.REVIEW), str(Decision.HOLD))
# Used when neither the settings nor a trained model give thresholds for a language.
FALLBACK_THRESHOLDS = {"review": 0.9, "hold": 0.99}
# Pattern scores are rule outcomes (0.7 = review rule, 1.0 = hold rule), so their thresholds are fixed.
PATTERN_THRESHOLDS = {"review": 0.5, "hold": 0.95}
STAGES = ("stage1", "combined")


def tier(score: float, thresholds: dict[str, float]) -> int:
    if score >= thresholds["hold"]:
        return HOLD
    if score >= thresholds["review"]:
        return REVIEW
    return ALLOW


def surge_thresholds(thresholds: dict[str, float]) -> dict[str, float]:
    """The tighter pair used for new and low-reputation accounts in surge mode."""
    review = min(thresholds["review"], thresholds.get("surge_review", thresholds["review"]))
    hold = min(thresholds["hold"], thresholds.get("surge_hold", thresholds["hold"]))
    return {**thresholds, "review": review, "hold": max(review, hold)}


def decide(
    *,
    pattern_score: float,
    model_score: float | None,
    thresholds: dict[str, float] | None,
    neutralised: bool,
    tightened: bool = False,
) -> int:
    """The tier of one text from its pattern score and (when a model scored it) its violence score."""
    pattern_tier = tier(pattern_score, PATTERN_THRESHOLDS)
    if tightened and pattern_tier == REVIEW:
        pattern_tier = HOLD
    if model_score is None or thresholds is None:
        return pattern_tier
    if tightened:
        thresholds = surge_thresholds(thresholds)
    model_tier = tier(model_score, thresholds)
    if neutralised and model_tier == HOLD:
        # News, a game, a hunt or counter-speech: a person looks first, the post stays up.
        model_tier = REVIEW
    return max(pattern_tier, model_tier)


def row_tier(row: Sequence[Any], stage1: dict[str, float], combined: dict[str, float] | None) -> int:
    """The tier of a stored row [stage-1 score, combined score or -1, pattern tier, neutralised, ...]."""
    s1, comb, pattern_tier, neutralised = row[0], row[1], int(row[2]), bool(row[3])
    model_tier = tier(comb, combined) if combined is not None and comb >= 0 else tier(s1, stage1)
    if neutralised and model_tier == HOLD:
        model_tier = REVIEW
    return max(pattern_tier, model_tier)


def pattern_tier(score: float) -> int:
    return tier(score, PATTERN_THRESHOLDS)
