"""The jury's parameters. Each can be overridden in settings as `AGORA_JURY = {"NAME": value}`.

Values from the reference (../shared/reference/moderation-anchors.md, (c) and (d)) where it gives one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings

from agora.moderation.dsa import Category

DEFAULTS: dict[str, Any] = {
    # Scope: these categories (violence/threats, terrorism, child safety) never get a deciding jury.
    "STAFF_ONLY_CATEGORIES": [
        Category.VIOLENCE,
        Category.RISK_FOR_PUBLIC_SECURITY,
        Category.PROTECTION_OF_MINORS,
    ],
    # "escalate": a jury may hold such a case for staff but never release it; "staff": no jury at all.
    "HARD_LANE": "escalate",
    "JURY_SIZE": 7,
    "APPEAL_JURY_SIZE": 11,
    "VOTING_HOURS": 12,
    "URGENT_VOTING_HOURS": 6,
    # Sortition pool.
    "MIN_ACCOUNT_AGE_DAYS": 30,
    "WEEKLY_CAP": 10,
    "CALIBRATION_ITEMS": 20,
    "CALIBRATION_PASS": 0.9,
    # Gold: share of every docket, the known-answer cases a new juror answers first, the posterior floor,
    # and how much a miss weighs (keeping seeded incitement weighs like Community Notes' harassment penalty).
    "GOLD_SHARE": 0.10,
    "GOLD_PROBATION": 4,
    "RELIABILITY_FLOOR": 0.8,
    "MISS_WEIGHT_KEEP_VIOLATION": 10.0,
    "MISS_WEIGHT_REMOVE_LAWFUL": 5.0,
    # Counting: below CLOSE_LOW keep, at or above CLOSE_HIGH remove, in between staff.
    "QUORUM": 5,
    "CLOSE_LOW": 0.35,
    "CLOSE_HIGH": 0.65,
    # Bridging (Community Notes core scorer): intercept and factor thresholds, regularisation, minimums.
    "KEEP_INTERCEPT": 0.40,
    "FACTOR_THRESHOLD": 0.5,
    "LAMBDA_INTERCEPT": 0.15,
    "LAMBDA_FACTOR": 0.03,
    "MIN_RATINGS_PER_RATER": 10,
    "MIN_RATERS_PER_ITEM": 5,
    "HOMOGENEOUS_VARIANCE": 0.02,
    "REFIT_EVERY_VOTES": 50,
    # Circuit breaker on rolling gold accuracy.
    "BREAKER_WINDOW": 100,
    "BREAKER_MIN_SAMPLE": 20,
    "BREAKER_THRESHOLD_VIOLENCE": 0.95,
    "BREAKER_THRESHOLD_OTHER": 0.90,
    "VIOLENCE_ADJACENT": [
        Category.VIOLENCE,
        Category.RISK_FOR_PUBLIC_SECURITY,
        Category.PROTECTION_OF_MINORS,
        Category.ILLEGAL_OR_HARMFUL_SPEECH,
        Category.CYBER_VIOLENCE,
        Category.CYBER_VIOLENCE_AGAINST_WOMEN,
    ],
}


def get(name: str) -> Any:
    overrides = getattr(settings, "AGORA_JURY", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def hours(name: str) -> datetime.timedelta:
    return datetime.timedelta(hours=float(get(name)))
