"""Automated screening: `screen(texts)` and the seams that posts, profiles and media call.

Stage 1 (synchronous, in the request) = `normalise` -> language guess -> the language's TF-IDF model (when
`agora screening train` has built one) and the explicit-threat patterns -> a tier (policy.py): `allow`,
`review` (published, a case is queued) or `hold` (visible only to its author and moderators until a moderator
decides; a case opens at violence severity).

Stage 2 (asynchronous): every post stage 1 did not clearly allow (its score above the "rescore" quantile, a
pattern matched, or a review/hold) is re-scored by a background task (tasks.rescreen_post, scheduled after
commit) with the configured `Rescorer` (stage2.py: e5 embeddings + a head by default). The combined
verdict may move the post between allow, review and hold; the case is opened, joined or (when nobody reported
the post and no person has decided) dismissed automatically. Every screening is stored with model@version and
scores.

Profiles: a display name or bio that stage 1 would hold is refused with a form error (nothing is saved: a
profile has no "pending" state that others could be kept from seeing, and the author can fix it at once); one
it would send to review is saved and an account case is queued. Media descriptions (alt text) are part of the
post they belong to and are screened with it, and again when they change.

Surge mode (`surge_status()`): more than AGORA_SCREENING_SURGE["enter"] held posts within the window turns it
on, fewer than "exit" ends it; while on, new and low-reputation accounts meet tighter thresholds and the
`post_surge` rate limit, and moderators are notified. Both changes are in the moderation audit log.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.screening import model as stage1
from agora.screening import policy
from agora.screening.language import detect_language
from agora.screening.models import (
    Decision,
    PostScreening,
    ProfileScreening,
    SurgePeriod,
    ThresholdPolicy,
)
from agora.screening.normalise import normalise
from agora.screening.patterns import match_threats, neutralise

PATTERN_VERSION = "1"
PATTERNS_ONLY = f"agora-threat-patterns@{PATTERN_VERSION}"
FALLBACK_THRESHOLDS = policy.FALLBACK_THRESHOLDS
PATTERN_THRESHOLDS = policy.PATTERN_THRESHOLDS
BATCH = 64


@dataclass(frozen=True)
class ScreeningResult:
    """One stage's verdict on one text."""

    text: str
    language: str
    scores: dict[str, float]
    decision: str
    stage: int
    model: str
    matched_patterns: list[str] = field(default_factory=list)
    model_loaded: bool = False
    # What stage 2 needs: the normalised text, whether it reads as news/game/counter-speech, and so on.
    normalised: str = field(default="", repr=False)
    neutralised: bool = field(default=False, repr=False)
    needs_stage2: bool = False
    tightened: bool = False

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


def _admin_policies() -> dict[tuple[str, str], dict[str, float]]:
    return {
        (row.language, row.stage): {"review": row.review, "hold": row.hold}
        for row in ThresholdPolicy.objects.filter(category="violence")
    }


def thresholds_for(
    language: str,
    trained: stage1.Stage1Model | None,
    *,
    stage: str = "stage1",
    calibrated: dict[str, float] | None = None,
    admin: dict[tuple[str, str], dict[str, float]] | None = None,
) -> dict[str, float]:
    """Review/hold (and surge) thresholds for the violence score, in the order policy.py describes."""
    if calibrated is None and stage == "stage1" and trained is not None and language in trained.languages:
        calibrated = dict(trained.languages[language].thresholds)
    base = {**FALLBACK_THRESHOLDS, **(calibrated or {})}
    if stage == "stage1":
        configured = settings.AGORA_SCREENING_THRESHOLDS.get(language)
        if configured:
            base = {**base, **configured}
    edited = (admin if admin is not None else _admin_policies()).get((language, stage))
    if edited:
        base = {**base, **edited}
    return base


_ORDER: dict[str, int] = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.HOLD: 2}


def screen(
    texts: Sequence[str],
    *,
    language_hints: Sequence[str] = (),
    tightened: Sequence[bool] = (),
    stages: int = 1,
    policies: dict[tuple[str, str], dict[str, float]] | None = None,
) -> list[ScreeningResult]:
    """Screen texts, in order: stage 1, and with `stages=2` stage 2 at once for what it would re-score (what
    `agora screen` does; posts get stage 2 from a background task). `language_hints` (e.g. the post's chosen
    language) and `tightened` (surge thresholds for this text) may be shorter than `texts`; `policies`
    replaces the admins' thresholds (the benchmark measures the calibrated ones)."""
    trained = stage1.load()
    # Without a model only the pattern rules apply, whose thresholds are fixed: no need to ask the database.
    admin = policies if policies is not None else (_admin_policies() if trained is not None else {})
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
    name = f"{trained.name}@{trained.version}+patterns@{PATTERN_VERSION}" if trained else PATTERNS_ONLY
    results = []
    for i, text in enumerate(texts):
        matches = match_threats(normalised[i], languages[i])
        pattern_score = max((m.score for m in matches), default=0.0)
        scores = {"threat_pattern": round(pattern_score, 4)}
        tight = bool(tightened[i]) if i < len(tightened) else False
        model_score = model_scores[i]
        thresholds = None
        if trained is not None and model_score is not None:
            scores["violence"] = round(model_score, 4)
            thresholds = thresholds_for(languages[i], trained, admin=admin)
        tier = policy.decide(
            pattern_score=pattern_score,
            model_score=model_score,
            thresholds=thresholds,
            neutralised=bool(neutralised[i][1]),
            tightened=tight,
        )
        rescore = thresholds.get("rescore", thresholds["review"]) if thresholds else 1.0
        results.append(
            ScreeningResult(
                text=text,
                language=languages[i],
                scores=scores,
                decision=policy.TIERS[tier],
                stage=1,
                model=name,
                matched_patterns=[m.describe() for m in matches],
                model_loaded=model_score is not None,
                normalised=normalised[i],
                neutralised=bool(neutralised[i][1]),
                needs_stage2=tier > policy.ALLOW
                or pattern_score > 0
                or (model_score is not None and model_score >= rescore),
                tightened=tight,
            )
        )
    if stages >= 2:
        results = rescreen(results, policies=policies)
    return results


def rescreen(
    results: Sequence[ScreeningResult], *, policies: dict[tuple[str, str], dict[str, float]] | None = None
) -> list[ScreeningResult]:
    """Stage 2 for the stage-1 results that need it (others come back unchanged)."""
    from agora.screening.stage2 import RescoreInput, load_rescorer

    out = list(results)
    wanted = [i for i, r in enumerate(results) if r.needs_stage2 and r.stage == 1]
    if not wanted:
        return out
    rescorer = load_rescorer()
    if rescorer is None:
        return out
    admin = policies if policies is not None else _admin_policies()
    answers = rescorer.rescore(
        [
            RescoreInput(
                text=results[i].normalised,
                language=results[i].language,
                stage1_score=results[i].scores.get("violence"),
            )
            for i in wanted
        ]
    )
    for i, answer in zip(wanted, answers, strict=True):
        if answer is None:
            continue
        first = results[i]
        thresholds = thresholds_for(
            first.language, None, stage="combined", calibrated=answer.thresholds, admin=admin
        )
        tier = policy.decide(
            pattern_score=first.scores.get("threat_pattern", 0.0),
            model_score=answer.score,
            thresholds=thresholds,
            neutralised=first.neutralised,
            tightened=first.tightened,
        )
        scores = {"threat_pattern": first.scores.get("threat_pattern", 0.0), **answer.scores}
        if "violence" in first.scores:
            scores["violence_stage1"] = first.scores["violence"]
        out[i] = replace(
            first,
            scores=scores,
            decision=policy.TIERS[tier],
            stage=2,
            model=rescorer.model,
            needs_stage2=False,
        )
    return out


# -- posts ------------------------------------------------------------------------------------------------


def _post_text(text: str, spoiler_text: str, alt_texts: Sequence[str]) -> str:
    parts = [spoiler_text, text, *alt_texts]
    return "\n".join(p for p in parts if p and p.strip())


def screen_post_text(
    *,
    text: str,
    spoiler_text: str = "",
    language: str = "",
    author: Any = None,
    media_ids: Sequence[Any] = (),
    post: Any = None,
    new_post: bool = False,
) -> ScreeningResult | None:
    """Screen what a post shows (content warning, text and its media descriptions together); None when
    screening is off. For a new post by a new or low-reputation account in surge mode this also charges the
    `post_surge` rate limit (RateLimited propagates: the entry point answers 429)."""
    if not settings.AGORA_SCREENING_ENABLED:
        return None
    from agora.media.models import MediaAttachment

    alt_texts: list[str] = []
    if post is not None:
        alt_texts = list(post.media_attachments.order_by("position").values_list("alt_text", flat=True))
    elif media_ids and author is not None:
        alt_texts = list(
            MediaAttachment.objects.filter(pk__in=list(media_ids), owner=author).values_list(
                "alt_text", flat=True
            )
        )
    tightened = surge_applies(author)
    if tightened and new_post:
        from agora.core.ratelimit import charge

        charge("post_surge", account=str(author.pk))
    combined = _post_text(text, spoiler_text, alt_texts)
    return screen([combined], language_hints=[language], tightened=[tightened])[0]


def record_post_screening(*, post: Any, result: ScreeningResult | None) -> PostScreening | None:
    """Store the result with the post and, for review and hold, open or join its moderation case; schedule
    stage 2 after commit when the post needs it.

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
        _case_for(post, result)
    if result.decision == Decision.HOLD:
        update_surge()
    if result.needs_stage2 and stage2_configured():
        post_id, screening_id = str(post.pk), str(row.pk)

        def enqueue() -> None:
            from agora.screening.tasks import rescreen_post

            rescreen_post.enqueue(post_id=post_id, screening_id=screening_id)

        transaction.on_commit(enqueue)
    return row


def _case_for(post: Any, result: ScreeningResult) -> Any:
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
            "stage": result.stage,
            "model": result.model,
            "language": result.language,
            "patterns": result.matched_patterns,
        },
    )
    return case


def stage2_configured() -> bool:
    """Cheap check (no model loading) whether a stage-2 task could do anything."""
    from agora.screening import stage2

    path = getattr(settings, "AGORA_SCREENING_STAGE2", "")
    if not path:
        return False
    if path == "agora.screening.stage2.EmbeddingRescorer":
        return stage2.model_path().exists()
    return True


def run_stage2_for_post(*, post_id: str, screening_id: str) -> str:
    """The background task's work: re-score the post and apply the combined decision. Returns what happened
    ("missing", "superseded", "off", or the decision); safe to run twice."""
    from agora.posts.models import ModerationState, Post

    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None:
        return "missing"
    latest = PostScreening.objects.filter(post=post).order_by("-created_at", "-id").first()
    if latest is None or str(latest.pk) != str(screening_id) or latest.stage != 1:
        return "superseded"  # edited since, or already re-scored
    first = screen(
        [
            _post_text(
                post.text, post.spoiler_text, list(post.media_attachments.values_list("alt_text", flat=True))
            )
        ],
        language_hints=[post.language],
        tightened=[surge_applies(post.author)],
    )[0]
    second = rescreen([replace(first, needs_stage2=True)])[0]
    if second.stage != 2:
        return "off"
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        latest = PostScreening.objects.filter(post=post).order_by("-created_at", "-id").first()
        if latest is None or str(latest.pk) != str(screening_id):
            return "superseded"
        record = PostScreening.objects.create(
            post=post,
            model=second.model,
            language=second.language,
            scores=second.scores,
            decision=second.decision,
            stage=2,
            matched_patterns=second.matched_patterns,
        )
        was_held = post.moderation_state == ModerationState.HELD
        live_case = _live_screening_case(post)
        decided_by_person = live_case is not None and live_case.decisions.exists()
        if second.decision == Decision.HOLD and post.moderation_state == ModerationState.PUBLISHED:
            post.moderation_state = ModerationState.HELD
            post.save(update_fields=["moderation_state"])
        if second.decision in (Decision.REVIEW, Decision.HOLD):
            _case_for(post, second)
            if second.decision == Decision.REVIEW and was_held and not decided_by_person:
                _release(post)
        elif live_case is not None and not decided_by_person:
            if live_case.reports.exists():
                _release(post)  # people reported it: the case stays for a moderator
            else:
                from agora.moderation.models import Decision as ModerationDecision
                from agora.moderation.services import decide_case

                decide_case(
                    case=live_case,
                    action=ModerationDecision.Action.DISMISS,
                    decided_by=ModerationDecision.DecidedBy.AUTOMATIC,
                    explanation=_("Stage-2 screening (%(model)s) found no violence risk.")
                    % {"model": second.model},
                )
                post.refresh_from_db(fields=["moderation_state"])
                if was_held:
                    _deliver_after_commit(post)
        if record.decision == Decision.HOLD:
            update_surge()
    return str(second.decision)


def _live_screening_case(post: Any) -> Any:
    from agora.moderation.models import Case

    return (
        Case.objects.filter(post=post, subject_type=Case.SubjectType.POST)
        .exclude(state=Case.State.DECIDED)
        .first()
    )


def _release(post: Any) -> None:
    """Publish a post screening held (no person decided on it) and deliver its notifications after commit."""
    from agora.posts.models import ModerationState

    if post.moderation_state != ModerationState.HELD:
        return
    post.moderation_state = ModerationState.PUBLISHED
    post.save(update_fields=["moderation_state"])
    from agora.posts import services as post_services

    if hasattr(post_services, "post_published"):  # timelines and streaming, as a moderator's release does
        post_services.post_published(post=post)
    _deliver_after_commit(post)


def _deliver_after_commit(post: Any) -> None:
    if not post.is_published:
        return
    from agora.notifications.tasks import deliver_post_notifications

    post_id = str(post.pk)
    transaction.on_commit(lambda: deliver_post_notifications.enqueue(post_id=post_id))


def rescreen_post(*, post: Any) -> PostScreening | None:
    """Screen a post again as it is now (after its media descriptions changed): a hold takes it back."""
    from agora.posts.models import ModerationState, Post

    result = screen_post_text(
        text=post.text, spoiler_text=post.spoiler_text, language=post.language, post=post
    )
    if result is None:
        return None
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        if result.decision == Decision.HOLD and current.is_published:
            current.moderation_state = ModerationState.HELD
            current.save(update_fields=["moderation_state"])
        return record_post_screening(post=current, result=result)


# -- profiles ---------------------------------------------------------------------------------------------

PROFILE_FIELDS = ("display_name", "bio")


def screen_profile(*, user: Any, changes: dict[str, Any]) -> list[tuple[str, ScreeningResult]]:
    """Screen the display name and bio an update would save. A hold raises ValidationError on that field
    (nothing is saved); the rest is returned for `record_profile_screening` inside the saving transaction."""
    if not settings.AGORA_SCREENING_ENABLED:
        return []
    fields = [f for f in PROFILE_FIELDS if f in changes and str(changes[f] or "").strip()]
    fields = [f for f in fields if changes[f] != getattr(user, f, None)]
    if not fields:
        return []
    hint = getattr(user, "language", "") or ""
    results = screen(
        [str(changes[f]) for f in fields],
        language_hints=[hint] * len(fields),
        tightened=[surge_applies(user)] * len(fields),
    )
    errors = {
        f: [
            _(
                "This reads as a threat or call to violence, so it was not saved. If we got it wrong, "
                "rephrase it or contact the moderators."
            )
        ]
        for f, r in zip(fields, results, strict=True)
        if r.decision == Decision.HOLD
    }
    if errors:
        raise ValidationError(errors)
    return list(zip(fields, results, strict=True))


def record_profile_screening(*, user: Any, screened: Sequence[tuple[str, ScreeningResult]]) -> None:
    """Store each saved profile text's screening; queue an account case for the ones to review."""
    for field_name, result in screened:
        ProfileScreening.objects.create(
            user=user,
            field=field_name,
            model=result.model,
            language=result.language,
            scores=result.scores,
            decision=result.decision,
            matched_patterns=result.matched_patterns,
        )
        if result.decision != Decision.REVIEW:
            continue
        from agora.moderation import dsa
        from agora.moderation.models import Case
        from agora.moderation.services import ScreeningInput, open_or_join_case, record_event

        case = open_or_join_case(
            source=Case.Source.SCREENING,
            category=dsa.Category.VIOLENCE,
            account=user,
            screening=ScreeningInput(
                model_name=result.model_name, model_version=result.model_version, scores=dict(result.scores)
            ),
        )
        record_event(
            event="screening.decided",
            actor=None,
            actor_kind="screening",
            case=case,
            reason="; ".join(result.matched_patterns)
            or _("score above the %(tier)s threshold") % {"tier": result.decision},
            after={"decision": result.decision, "field": field_name, "model": result.model},
        )


# -- surge mode -------------------------------------------------------------------------------------------


def _surge_settings() -> dict[str, int]:
    return {
        "window_minutes": 10,
        "enter": 20,
        "exit": 10,
        "new_account_days": 7,
        "min_followers": 5,
        **getattr(settings, "AGORA_SCREENING_SURGE", {}),
    }


def high_risk_in_window(now: datetime.datetime | None = None) -> int:
    """Posts held by screening (either stage) within the sliding window."""
    now = now or timezone.now()
    since = now - datetime.timedelta(minutes=_surge_settings()["window_minutes"])
    return (
        PostScreening.objects.filter(decision=Decision.HOLD, created_at__gte=since)
        .values("post_id")
        .distinct()
        .count()
    )


def update_surge(now: datetime.datetime | None = None) -> SurgePeriod | None:
    """Start or end surge mode from the rate of high-risk posts; returns the open period, if any."""
    config = _surge_settings()
    now = now or timezone.now()
    count = high_risk_in_window(now)
    current = SurgePeriod.objects.filter(is_open=True).first()
    from agora.moderation.services import record_event

    if current is None and count >= config["enter"]:
        try:
            with transaction.atomic():
                current = SurgePeriod.objects.create(started_at=now, trigger_count=count, peak_count=count)
        except IntegrityError:  # another request opened it a moment ago
            return SurgePeriod.objects.filter(is_open=True).first()
        record_event(
            event="screening.surge_started",
            actor=None,
            actor_kind="screening",
            reason=_("%(count)d held posts in %(minutes)d minutes")
            % {"count": count, "minutes": config["window_minutes"]},
            after={"high_risk_in_window": count, "enter": config["enter"], "exit": config["exit"]},
        )
        _alert_moderators()
    elif current is not None and count < config["exit"]:
        current.ended_at = now
        current.is_open = None
        current.save(update_fields=["ended_at", "is_open"])
        record_event(
            event="screening.surge_ended",
            actor=None,
            actor_kind="screening",
            reason=_("%(count)d held posts in %(minutes)d minutes")
            % {"count": count, "minutes": config["window_minutes"]},
            before={"started_at": current.started_at.isoformat(), "peak": current.peak_count},
            after={"high_risk_in_window": count},
        )
        current = None
    elif current is not None and count > current.peak_count:
        current.peak_count = count
        current.save(update_fields=["peak_count"])
    return current


def _alert_moderators() -> None:
    from agora.accounts.models import User
    from agora.notifications.models import Notification

    moderators = User.objects.filter(is_active=True, role__in=[User.Role.MODERATOR, User.Role.ADMIN])
    Notification.objects.bulk_create(
        [Notification(recipient=m, actor=m, kind=Notification.Kind.MODERATION) for m in moderators]
    )


def surge_status() -> dict[str, Any]:
    """Whether surge mode is on, since when, and the numbers behind it (for dashboards)."""
    config = _surge_settings()
    current = update_surge()
    last = SurgePeriod.objects.order_by("-started_at").first()
    count = high_risk_in_window()
    return {
        "active": current is not None,
        "since": current.started_at if current else None,
        "detail": _(
            "%(count)d held posts in the last %(minutes)d minutes; on at %(enter)d, off below %(exit)d"
        )
        % {
            "count": count,
            "minutes": config["window_minutes"],
            "enter": config["enter"],
            "exit": config["exit"],
        },
        "high_risk_in_window": count,
        "window_minutes": config["window_minutes"],
        "enter_threshold": config["enter"],
        "exit_threshold": config["exit"],
        "last_started_at": last.started_at if last else None,
        "last_ended_at": last.ended_at if last else None,
    }


def is_low_reputation(user: Any) -> bool:
    """New (younger than `new_account_days`), with few followers, or with a strike in force."""
    config = _surge_settings()
    if user is None:
        return True
    if user.date_joined >= timezone.now() - datetime.timedelta(days=config["new_account_days"]):
        return True
    if user.followers_count < config["min_followers"]:
        return True
    from agora.moderation.models import Strike

    return Strike.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).exists()


def surge_applies(user: Any) -> bool:
    """Whether this author meets the surge thresholds now."""
    if user is None or not SurgePeriod.objects.filter(is_open=True).exists():
        return False
    if update_surge() is None:  # the rate fell: surge ends here
        return False
    return is_low_reputation(user)


# -- the threshold editor ---------------------------------------------------------------------------------


def save_thresholds(
    *, admin: Any, thresholds: dict[str, dict[str, dict[str, float]]], model_version: str
) -> None:
    """Store an admin's review/hold thresholds (language -> stage -> {review, hold}); audited."""
    from agora.moderation.services import record_event, require_admin

    require_admin(admin)
    errors = {}
    for lang, stages in thresholds.items():
        for stage, pair in stages.items():
            if stage not in policy.STAGES:
                errors[f"{lang}-{stage}-review"] = [_("Unknown stage.")]
            elif not 0 <= pair["review"] <= pair["hold"] <= 1:
                errors[f"{lang}-{stage}-hold"] = [
                    _("Thresholds lie between 0 and 1, and hold may not be below review.")
                ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = {
            f"{row.language}/{row.stage}": {"review": row.review, "hold": row.hold}
            for row in ThresholdPolicy.objects.select_for_update().filter(category="violence")
        }
        after = {}
        for lang, stages in thresholds.items():
            for stage, pair in stages.items():
                ThresholdPolicy.objects.update_or_create(
                    category="violence",
                    language=lang,
                    stage=stage,
                    defaults={
                        "review": pair["review"],
                        "hold": pair["hold"],
                        "updated_by": admin,
                        "model_version": model_version,
                    },
                )
                after[f"{lang}/{stage}"] = {"review": pair["review"], "hold": pair["hold"]}
        record_event(
            event="screening.thresholds_changed",
            actor=admin,
            actor_kind="admin",
            reason=_("Screening thresholds edited for %(model)s") % {"model": model_version},
            before=before,
            after=after,
        )


def reset_thresholds(*, admin: Any) -> None:
    """Back to the thresholds calibrated at training time (and the settings); audited."""
    from agora.moderation.services import record_event, require_admin

    require_admin(admin)
    with transaction.atomic():
        before = {
            f"{row.language}/{row.stage}": {"review": row.review, "hold": row.hold}
            for row in ThresholdPolicy.objects.select_for_update().filter(category="violence")
        }
        ThresholdPolicy.objects.filter(category="violence").delete()
        record_event(
            event="screening.thresholds_reset", actor=admin, actor_kind="admin", before=before, after={}
        )
