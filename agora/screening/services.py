"""Automated screening: `screen(texts)` (stage 1, synchronous) and the seam that posts call before committing.

Stage 1 = `normalise` -> language guess -> the language's TF-IDF model (when `agora screening train` has built
one) and the explicit-threat patterns -> a tier: `allow`, `review` (published, a case is queued) or `hold`
(visible only to its author and moderators until a moderator decides; a case opens at violence severity).
The pattern score and the model score are separate categories; a tier is reached when any category reaches
its threshold. Stage 2 (asynchronous encoder re-scoring) is not built yet: every result says `stage: 1`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from agora.screening import model as stage1
from agora.screening.language import detect_language
from agora.screening.models import Decision, PostScreening
from agora.screening.normalise import normalise
from agora.screening.patterns import match_threats, neutralise

PATTERN_VERSION = "1"
PATTERNS_ONLY = f"agora-threat-patterns@{PATTERN_VERSION}"
# Used when neither the settings nor a trained model give thresholds for a language.
FALLBACK_THRESHOLDS = {"review": 0.9, "hold": 0.99}
# Pattern scores are rule outcomes (0.7 = review rule, 1.0 = hold rule), so their thresholds are fixed.
PATTERN_THRESHOLDS = {"review": 0.5, "hold": 0.95}
BATCH = 64


@dataclass(frozen=True)
class ScreeningResult:
    """Stage 1's verdict on one text."""

    text: str
    language: str
    scores: dict[str, float]
    decision: str
    stage: int
    model: str
    matched_patterns: list[str] = field(default_factory=list)
    model_loaded: bool = False

    @property
    def model_name(self) -> str:
        return self.model.split("@", 1)[0]

    @property
    def model_version(self) -> str:
        return self.model.split("@", 1)[1]

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "scores": self.scores,
            "decision": self.decision,
            "stage": self.stage,
            "model": self.model,
            "patterns": self.matched_patterns,
        }


def thresholds_for(language: str, trained: stage1.Stage1Model | None) -> dict[str, float]:
    """Review/hold thresholds for the model score: settings, else the calibrated ones, else fallbacks."""
    configured = settings.AGORA_SCREENING_THRESHOLDS.get(language)
    if configured:
        return {**FALLBACK_THRESHOLDS, **configured}
    if trained is not None and language in trained.languages:
        return dict(trained.languages[language].thresholds)
    return dict(FALLBACK_THRESHOLDS)


def _tier(score: float, thresholds: dict[str, float]) -> str:
    if score >= thresholds["hold"]:
        return Decision.HOLD
    if score >= thresholds["review"]:
        return Decision.REVIEW
    return Decision.ALLOW


_ORDER: dict[str, int] = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.HOLD: 2}


def screen(texts: Sequence[str], *, language_hints: Sequence[str] = ()) -> list[ScreeningResult]:
    """Screen texts (stage 1), in order. `language_hints` (e.g. the post's chosen language) may be shorter."""
    trained = stage1.load()
    normalised = [normalise(t) for t in texts]
    languages = [
        detect_language(n, language_hints[i] if i < len(language_hints) else "")
        for i, n in enumerate(normalised)
    ]
    neutralised = [neutralise(n, lang) for n, lang in zip(normalised, languages, strict=True)]
    model_scores: list[float | None] = [None] * len(texts)
    if trained is not None:
        for lang, lang_model in trained.languages.items():
            idx = [i for i, detected in enumerate(languages) if detected == lang]
            for start in range(0, len(idx), BATCH):
                chunk = idx[start : start + BATCH]
                for i, score in zip(
                    chunk, lang_model.scores([neutralised[i][0] for i in chunk]), strict=True
                ):
                    model_scores[i] = score
    results = []
    for i, text in enumerate(texts):
        matches = match_threats(normalised[i], languages[i])
        pattern_score = max((m.score for m in matches), default=0.0)
        scores = {"threat_pattern": round(pattern_score, 4)}
        decision = _tier(pattern_score, PATTERN_THRESHOLDS)
        model_score = model_scores[i]
        if trained is not None and model_score is not None:
            scores["violence"] = round(model_score, 4)
            model_decision = _tier(model_score, thresholds_for(languages[i], trained))
            if neutralised[i][1] and model_decision == Decision.HOLD:
                # News, a game, a hunt or counter-speech: a person looks first, the post stays up.
                model_decision = Decision.REVIEW
            decision = max(decision, model_decision, key=_ORDER.__getitem__)
        name = f"{trained.name}@{trained.version}+patterns@{PATTERN_VERSION}" if trained else PATTERNS_ONLY
        results.append(
            ScreeningResult(
                text=text,
                language=languages[i],
                scores=scores,
                decision=str(decision),
                stage=1,
                model=name,
                matched_patterns=[m.describe() for m in matches],
                model_loaded=trained is not None and model_score is not None,
            )
        )
    return results


def screen_post_text(*, text: str, spoiler_text: str = "", language: str = "") -> ScreeningResult | None:
    """Screen what a post shows (its text and content warning together); None when screening is off."""
    if not settings.AGORA_SCREENING_ENABLED:
        return None
    combined = f"{spoiler_text}\n{text}".strip() if spoiler_text else text
    return screen([combined], language_hints=[language])[0]


def record_post_screening(*, post: Any, result: ScreeningResult | None) -> PostScreening | None:
    """Store the result with the post and, for review and hold, open or join its moderation case.

    Call inside the transaction that saves the post, after setting `moderation_state` for a hold, so a held
    post never exists without its case."""
    if result is None:
        return None
    row = PostScreening.objects.create(
        post=post,
        model=result.model,
        language=result.language,
        scores=result.scores,
        decision=result.decision,
        stage=result.stage,
        matched_patterns=result.matched_patterns,
    )
    if result.decision in (Decision.REVIEW, Decision.HOLD):
        from agora.moderation import dsa
        from agora.moderation.models import Case
        from agora.moderation.services import ScreeningInput, open_or_join_case, record_event

        case = open_or_join_case(
            source=Case.Source.SCREENING,
            category=dsa.Category.VIOLENCE,
            post=post,
            screening=ScreeningInput(
                model_name=result.model_name,
                model_version=result.model_version,
                scores=dict(result.scores),
                automated=result.decision == Decision.HOLD,
            ),
        )
        # The case page shows each event's reason: this is where a moderator reads why the rules fired.
        record_event(
            event="screening.decided",
            actor=None,
            actor_kind="screening",
            case=case,
            reason="; ".join(result.matched_patterns)
            or _("score above the %(tier)s threshold") % {"tier": result.decision},
            after={
                "decision": result.decision,
                "language": result.language,
                "patterns": result.matched_patterns,
            },
        )
    return row
