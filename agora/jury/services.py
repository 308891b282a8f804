"""Jury writes: calibration, drawing a jury by lot, votes, gold answers and reliability, the count, the
circuit breaker, the viewpoint fit and appeals to a fresh jury with staff sign-off.

Every outcome goes through `agora.moderation.services.decide_case(decided_by=jury)`, so a jury decision has
the same decision record, statement of reasons ("reviewed by a community jury", not automated), strikes,
notices and audit events as a staff one. Everything the jury does is also written to the moderation audit log
(`actor_kind="jury"`), so the case page shows why a case came back to staff.

Locks against capture (any one of them stops a one-sided jury from keeping incitement up):
scope (violence, terrorism, child safety, high-risk screening: a jury may only escalate), sortition from a
calibrated pool without the author's and reporters' social circle, stratification across the learned viewpoint
axis, blind gold cases with a reliability floor, asymmetric counting (keeping reported content needs bridging
support), and a per-category circuit breaker on gold accuracy.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import Follow, User
from agora.core.exceptions import NotAllowed, NotFound
from agora.jury import conf, viewpoint
from agora.jury.models import (
    Calibration,
    CategoryBreaker,
    DocketItem,
    GoldCase,
    JurorProfile,
    Jury,
    Verdict,
    ViewpointFit,
)
from agora.moderation import services as moderation
from agora.moderation.models import Appeal, AuditEvent, Case, Decision, Rule, Strike
from agora.posts.models import ModerationState, Post
from agora.screening.models import Decision as ScreeningDecision
from agora.screening.models import PostScreening

ACTOR_KIND = "jury"
# A case found out of scope or without a big enough pool is looked at again after this long.
RETRY_AFTER = datetime.timedelta(hours=1)


def _rng(rng: random.Random | None) -> random.Random:
    # Sortition in production uses the operating system's randomness; the simulation passes a seeded one.
    return rng if rng is not None else random.SystemRandom()


def profile_for(user: User) -> JurorProfile:
    profile, _created = JurorProfile.objects.get_or_create(user=user)
    return profile


# -- gold cases and calibration ---------------------------------------------------------------------------


def create_gold_case(
    *, moderator: User | None, rule: Rule, text: str, violates: bool, explanation: str
) -> GoldCase:
    """Add a known-answer case (moderators; `moderator=None` for seeding commands). Audited."""
    if moderator is not None:
        moderation.require_moderator(moderator)
    text, explanation = text.strip(), explanation.strip()
    if not text:
        raise ValidationError({"text": _("Write the content of the known-answer case.")})
    if not explanation:
        raise ValidationError({"explanation": _("Explain the correct answer; jurors read it as feedback.")})
    with transaction.atomic():
        gold = GoldCase(
            rule=rule, category=rule.category, text=text, violates=violates, explanation=explanation
        )
        gold.full_clean()
        gold.save()
        moderation.record_event(
            event="jury.gold_added",
            actor=moderator,
            actor_kind="moderator" if moderator else "system",
            after={"gold": str(gold.pk), "rule": rule.number, "violates": violates},
        )
    return gold


def calibration_items(rule: Rule) -> list[GoldCase]:
    """The calibration test of a rule: its known-answer cases, oldest first, at most CALIBRATION_ITEMS."""
    return list(GoldCase.objects.filter(rule=rule, is_active=True)[: int(conf.get("CALIBRATION_ITEMS"))])


def submit_calibration(
    *, user: User, rule: Rule, answers: dict[str, str], now: datetime.datetime | None = None
) -> Calibration:
    """Score a calibration test (answers: gold case id -> verdict). Passing opens this rule's juries.

    The answers also seed the juror's reliability posterior (one hit or miss each)."""
    items = calibration_items(rule)
    if not items:
        raise ValidationError(_("This rule has no calibration test yet."))
    missing = [
        item
        for item in items
        if answers.get(str(item.pk)) not in (Verdict.VIOLATES, Verdict.DOES_NOT_VIOLATE)
    ]
    if missing:
        raise ValidationError(_("Answer every question (violates or does not violate)."))
    correct = sum((answers[str(item.pk)] == Verdict.VIOLATES) == item.violates for item in items)
    passed = correct >= math.ceil(float(conf.get("CALIBRATION_PASS")) * len(items))
    now = now or timezone.now()
    with transaction.atomic():
        profile = JurorProfile.objects.select_for_update().get(pk=profile_for(user).pk)
        calibration = Calibration.objects.create(
            user=user, rule=rule, correct=correct, total=len(items), passed=passed, created_at=now
        )
        profile.alpha += correct
        profile.beta += len(items) - correct
        profile.save(update_fields=["alpha", "beta", "updated_at"])
    return calibration


# -- scope ------------------------------------------------------------------------------------------------


def is_high_risk(case: Case) -> bool:
    """Screening flagged the subject (review or hold), or the post is held pending review."""
    if case.screening_results.exists():
        return True
    if case.post_id is None:
        return False
    if case.post is not None and case.post.moderation_state == ModerationState.HELD:
        return True
    latest = PostScreening.objects.filter(post_id=case.post_id).order_by("-created_at", "-id").first()
    return latest is not None and latest.decision != ScreeningDecision.ALLOW


def breaker_for(category: str) -> CategoryBreaker:
    threshold = float(
        conf.get("BREAKER_THRESHOLD_VIOLENCE")
        if category in conf.get("VIOLENCE_ADJACENT")
        else conf.get("BREAKER_THRESHOLD_OTHER")
    )
    breaker, _created = CategoryBreaker.objects.get_or_create(
        category=category, defaults={"threshold": threshold}
    )
    return breaker


@dataclass(frozen=True)
class Route:
    """Where a case goes: a jury in `mode`, or staff only (mode None), and why."""

    mode: str | None
    reason: str


def route_for(case: Case) -> Route:
    """The scope rules. Staff only: account cases, threats to life, and (in "staff" hard lane) violence,
    terrorism, child safety and high-risk screening; in the default hard lane those get an escalate-only jury.
    A tripped circuit breaker makes the category's juries advisory."""
    if case.subject_type != Case.SubjectType.POST or case.post_id is None:
        return Route(None, _("Account cases are decided by staff."))
    if case.threat_to_life:
        return Route(None, _("A threat to life is decided by staff."))
    hard = case.category in conf.get("STAFF_ONLY_CATEGORIES")
    risky = is_high_risk(case)
    if hard or risky:
        why = (
            _("Violence, terrorism and child safety are staff matters.")
            if hard
            else _("Screening scores this post as high risk.")
        )
        if conf.get("HARD_LANE") == "staff":
            return Route(None, why)
        return Route(Jury.Mode.ESCALATE_ONLY, why + " " + _("The jury may escalate, never release."))
    breaker = breaker_for(case.category)
    if breaker.state == CategoryBreaker.State.TRIPPED:
        return Route(
            Jury.Mode.ADVISORY,
            _("The circuit breaker for this category is tripped: %(why)s") % {"why": breaker.reason},
        )
    return Route(Jury.Mode.DECIDE, _("Grey-zone case within the jury's scope."))


def rule_for(case: Case) -> Rule | None:
    """The rule the jury is asked about: the one reports cite most, else the category's first rule."""
    cited = Counter(
        rule_id for rule_id in case.reports.values_list("rules", flat=True) if rule_id is not None
    ).most_common(1)
    if cited:
        return Rule.objects.filter(pk=cited[0][0], is_active=True).first()
    return Rule.objects.filter(category=case.category, is_active=True).order_by("number").first()


# -- sortition --------------------------------------------------------------------------------------------


def _neighbours(user_ids: set[Any]) -> set[Any]:
    """Everyone one step away in the follow graph (either direction) or by replies (either direction)."""
    if not user_ids:
        return set()
    found: set[Any] = set()
    found.update(Follow.objects.filter(follower_id__in=user_ids).values_list("followee_id", flat=True))
    found.update(Follow.objects.filter(followee_id__in=user_ids).values_list("follower_id", flat=True))
    found.update(
        Post.objects.filter(author_id__in=user_ids, in_reply_to__isnull=False).values_list(
            "in_reply_to__author_id", flat=True
        )
    )
    found.update(Post.objects.filter(in_reply_to__author_id__in=user_ids).values_list("author_id", flat=True))
    found.discard(None)
    return found


def social_circle(user_ids: Iterable[Any], *, hops: int = 2) -> set[Any]:
    """The people themselves and everyone within `hops` steps of follows or replies."""
    circle = set(user_ids)
    frontier = set(circle)
    for _hop in range(hops):
        frontier = _neighbours(frontier) - circle
        circle |= frontier
    return circle


def involved_parties(case: Case, appeal: Appeal | None = None) -> set[Any]:
    people = {case.account_id}
    people.update(case.reports.exclude(reporter__isnull=True).values_list("reporter_id", flat=True))
    if appeal is not None:
        people.add(appeal.appellant_id)
    people.discard(None)
    return people


def eligible_pool(
    *, rule: Rule | None, now: datetime.datetime, exclude: set[Any]
) -> list[tuple[Any, float | None]]:
    """(user id, viewpoint factor) of everyone who may be drawn: active ordinary account old enough, no
    active strike, not opted out, above the reliability floor, passed the rule's calibration test, under the
    weekly cap, and not in `exclude`."""
    if rule is None:
        return []
    week_ago = now - datetime.timedelta(days=7)
    users = (
        User.objects.filter(
            is_active=True,
            is_superuser=False,
            role=User.Role.USER,
            date_joined__lte=now - datetime.timedelta(days=int(conf.get("MIN_ACCOUNT_AGE_DAYS"))),
            juror__opted_out=False,
            juror__ineligible_since__isnull=True,
        )
        .filter(Exists(Calibration.objects.filter(user=OuterRef("pk"), rule=rule, passed=True)))
        .exclude(
            Exists(Strike.objects.filter(user=OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=now))
        )
        .annotate(
            recent=Count(
                "docket",
                filter=Q(
                    docket__jury__isnull=False, docket__created_at__gt=week_ago, docket__created_at__lte=now
                ),
            )
        )
        .filter(recent__lt=int(conf.get("WEEKLY_CAP")))
        .values_list("pk", "juror__viewpoint", "juror__alpha", "juror__beta")
    )
    floor = float(conf.get("RELIABILITY_FLOOR"))
    return [
        (pk, factor)
        for pk, factor, alpha, beta in users
        if pk not in exclude and alpha / (alpha + beta) >= floor
    ]


def _pool_is_polarised(fit: ViewpointFit | None) -> bool:
    return fit is not None and fit.pool_variance >= float(conf.get("HOMOGENEOUS_VARIANCE"))


def _draw(
    pool: list[tuple[Any, float | None]], size: int, rng: random.Random
) -> tuple[list[tuple[Any, str]], bool]:
    """Seats by lot; stratified (half from each pole of the viewpoint axis) when the pool has two poles."""
    fit = ViewpointFit.objects.first()
    positive = [pk for pk, factor in pool if factor is not None and factor >= 0]
    negative = [pk for pk, factor in pool if factor is not None and factor < 0]
    half = size // 2
    if _pool_is_polarised(fit) and len(positive) >= half and len(negative) >= half:
        seats = [(pk, "+") for pk in rng.sample(sorted(positive, key=str), half)]
        seats += [(pk, "-") for pk in rng.sample(sorted(negative, key=str), half)]
        taken = {pk for pk, _stratum in seats}
        rest = sorted((pk for pk, _factor in pool if pk not in taken), key=str)
        seats += [(pk, "any") for pk in rng.sample(rest, size - len(seats))]
        return seats, True
    return [(pk, "") for pk in rng.sample(sorted((pk for pk, _f in pool), key=str), size)], False


def _add_gold(
    juror_id: Any,
    rule: Rule | None,
    category: str,
    now: datetime.datetime,
    deadline: datetime.datetime,
    rng: random.Random,
) -> None:
    """Keep the juror's docket at GOLD_SHARE known-answer cases, and the first GOLD_PROBATION all gold."""
    items = DocketItem.objects.filter(juror_id=juror_id)
    gold_count = items.filter(gold__isnull=False).count()
    seat_count = items.filter(jury__isnull=False).count()
    share = float(conf.get("GOLD_SHARE"))
    wanted = max(int(conf.get("GOLD_PROBATION")), math.ceil(share * (seat_count + 1) / (1 - share)))
    if gold_count >= wanted:
        return
    seen = set(items.filter(gold__isnull=False).values_list("gold_id", flat=True))
    gold = GoldCase.objects.filter(is_active=True).exclude(pk__in=seen)
    # The same rule's known-answer cases first, then the category's, then any.
    candidates = list(gold.filter(rule=rule).values_list("pk", flat=True)) if rule is not None else []
    if not candidates:
        candidates = list(gold.filter(category=category).values_list("pk", flat=True))
    if not candidates:
        candidates = list(
            GoldCase.objects.filter(is_active=True).exclude(pk__in=seen).values_list("pk", flat=True)
        )
    candidates.sort(key=str)
    for offset, gold_id in enumerate(rng.sample(candidates, min(len(candidates), wanted - gold_count))):
        # Created just before the seat, so the docket lists them first.
        DocketItem.objects.create(
            juror_id=juror_id,
            gold_id=gold_id,
            created_at=now - datetime.timedelta(microseconds=1000 - offset),
            deadline=deadline,
        )


def draw_jury(
    *,
    case: Case,
    now: datetime.datetime | None = None,
    rng: random.Random | None = None,
    appeal: Appeal | None = None,
) -> Jury | None:
    """Draw a jury for a case (or, with `appeal`, a larger appeal jury disjoint from every earlier jury on the
    case). None, with an audit event, when the case is out of the jury's scope or the pool is too small: the
    case simply stays in the staff queue. Side effects: seats and gold items on the jurors' dockets, an
    invitation e-mail to each juror after commit."""
    now = now or timezone.now()
    rng = _rng(rng)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if not case.is_live:
            return None
        if appeal is None:
            if case.juries.exists():
                return None
            route = route_for(case)
            if route.mode is None:
                moderation.record_event(
                    event="jury.out_of_scope",
                    actor=None,
                    actor_kind=ACTOR_KIND,
                    case=case,
                    reason=route.reason,
                )
                return None
            mode, size, kind = route.mode, int(conf.get("JURY_SIZE")), Jury.Kind.CASE
        else:
            if appeal.juries.exists() or appeal.state != Appeal.State.PENDING:
                return None
            mode, size, kind = Jury.Mode.DECIDE, int(conf.get("APPEAL_JURY_SIZE")), Jury.Kind.APPEAL
            route = Route(mode, _("Appeal against a jury decision."))
        rule = rule_for(case)
        earlier = set(DocketItem.objects.filter(jury__case=case).values_list("juror_id", flat=True))
        exclude = social_circle(involved_parties(case, appeal)) | earlier
        pool = eligible_pool(rule=rule, now=now, exclude=exclude)
        if len(pool) < size:
            moderation.record_event(
                event="jury.pool_too_small",
                actor=None,
                actor_kind=ACTOR_KIND,
                case=case,
                reason=_("Only %(n)d eligible jurors for a jury of %(size)d; staff decides.")
                % {"n": len(pool), "size": size},
            )
            return None
        seats, stratified = _draw(pool, size, rng)
        urgent = case.severity >= 4 or mode == Jury.Mode.ESCALATE_ONLY
        deadline = now + conf.hours("URGENT_VOTING_HOURS" if urgent else "VOTING_HOURS")
        jury = Jury.objects.create(
            case=case,
            appeal=appeal,
            kind=kind,
            mode=mode,
            category=case.category,
            rule=rule,
            size=size,
            stratified=stratified,
            opened_at=now,
            deadline=deadline,
            reasons=[route.reason],
        )
        for juror_id, stratum in seats:
            _add_gold(juror_id, rule, case.category, now, deadline, rng)
            DocketItem.objects.create(
                juror_id=juror_id, jury=jury, stratum=stratum, created_at=now, deadline=deadline
            )
        moderation.record_event(
            event="jury.drawn",
            actor=None,
            actor_kind=ACTOR_KIND,
            case=case,
            reason=route.reason,
            after={
                "jury": str(jury.pk),
                "kind": kind,
                "mode": mode,
                "size": size,
                "stratified": stratified,
                "pool": len(pool),
                "excluded": len(exclude),
                "deadline": deadline.isoformat(),
            },
        )
        addresses = list(
            User.objects.filter(pk__in=[pk for pk, _s in seats])
            .exclude(email="")
            .values_list("email", flat=True)
        )
        transaction.on_commit(lambda: _mail_invitations(addresses))
    return jury


def _mail_invitations(addresses: list[str]) -> None:
    from django.conf import settings
    from django.urls import reverse

    scheme = "https" if settings.AGORA_HTTPS else "http"
    link = f"{scheme}://{settings.AGORA_DOMAIN}{reverse('jury:docket')}"
    for address in addresses:
        send_mail(
            subject=_("You were drawn for a community jury on %(name)s")
            % {"name": settings.AGORA_INSTANCE_NAME},
            message=_("You were drawn by lot to review reported content. Your docket: %(link)s")
            % {"link": link},
            from_email=None,
            recipient_list=[address],
            fail_silently=True,
        )


# -- votes, gold answers, reliability ----------------------------------------------------------------------


def cast_vote(
    *,
    juror: User,
    item: DocketItem,
    verdict: str,
    rule: Rule | None = None,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> DocketItem:
    """Record a juror's blind vote on one docket item. "Violates" must cite a rule. A gold answer updates the
    juror's reliability (and may end their eligibility) and the category's circuit breaker; the last vote on
    a jury closes it, which applies the outcome."""
    now = now or timezone.now()
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Choose violates, does not violate or unsure.")})
    reason = reason.strip()
    if len(reason) > 1000:
        raise ValidationError({"reason": _("At most 1000 characters.")})
    if verdict == Verdict.VIOLATES and rule is None:
        raise ValidationError({"rule": _("Say which rule it breaks.")})
    if rule is not None and not rule.is_active:
        raise ValidationError({"rule": _("That rule is no longer in force.")})
    with transaction.atomic():
        try:
            item = (
                DocketItem.objects.select_for_update(of=("self",))
                .select_related("gold", "jury")
                .get(pk=item.pk, juror=juror)
            )
        except DocketItem.DoesNotExist as error:
            raise NotFound(item.pk) from error
        if item.voted_at is not None:
            raise ValidationError(_("You already voted on this."))
        if item.deadline <= now or (item.jury is not None and item.jury.state != Jury.State.VOTING):
            raise ValidationError(_("Voting on this has closed."))
        item.verdict, item.rule, item.reason, item.voted_at = verdict, rule, reason, now
        if item.gold is not None:
            _score_gold(item, now)
        item.save()
        if item.jury is not None:
            moderation.record_event(
                event="jury.vote",
                actor=None,
                actor_kind=ACTOR_KIND,
                case=item.jury.case,
                after={
                    "jury": str(item.jury_id),
                    "seats_voted": item.jury.seats.filter(voted_at__isnull=False).count(),
                },
            )
            if not item.jury.seats.filter(voted_at__isnull=True).exists():
                close_jury(jury=item.jury, now=now)
    return item


def _score_gold(item: DocketItem, now: datetime.datetime) -> None:
    """Right or wrong; a miss weighs MISS_WEIGHT_* in the Beta posterior; below the floor the juror leaves
    the pool. Only gold misses ever end eligibility, never how someone votes on real cases."""
    gold = item.gold
    assert gold is not None
    profile = JurorProfile.objects.select_for_update().get(pk=profile_for(item.juror).pk)
    if item.verdict == Verdict.UNSURE:
        item.correct = None
        return
    item.correct = (item.verdict == Verdict.VIOLATES) == gold.violates
    earlier = (
        DocketItem.objects.filter(juror=item.juror, gold__isnull=False, correct__isnull=False)
        .exclude(pk=item.pk)
        .count()
    )
    item.counts_for_breaker = earlier >= int(conf.get("GOLD_PROBATION")) and profile.ineligible_since is None
    profile.gold_answered += 1
    if item.correct:
        profile.alpha += 1
    else:
        profile.gold_missed += 1
        profile.beta += float(
            conf.get("MISS_WEIGHT_KEEP_VIOLATION" if gold.violates else "MISS_WEIGHT_REMOVE_LAWFUL")
        )
    if profile.ineligible_since is None and profile.reliability < float(conf.get("RELIABILITY_FLOOR")):
        profile.ineligible_since = now
        profile.ineligible_reason = _(
            "Reliability %(r).2f on known-answer cases is below the floor %(f).2f (%(m)d of %(n)d missed)."
        ) % {
            "r": profile.reliability,
            "f": float(conf.get("RELIABILITY_FLOOR")),
            "m": profile.gold_missed,
            "n": profile.gold_answered,
        }
        moderation.record_event(
            event="jury.juror_ineligible",
            actor=None,
            actor_kind=ACTOR_KIND,
            subject_user_id=item.juror_id,
            reason=profile.ineligible_reason,
        )
    profile.save()
    if item.counts_for_breaker:
        evaluate_breaker(category=gold.category, now=now, pending=item)


def evaluate_breaker(
    *, category: str, now: datetime.datetime | None = None, pending: DocketItem | None = None
) -> CategoryBreaker:
    """Trip the category's breaker when rolling gold accuracy falls below its threshold; switch it back on
    once the answers since the trip (gold keeps flowing through advisory juries) are accurate again."""
    now = now or timezone.now()
    breaker = CategoryBreaker.objects.select_for_update().get(pk=breaker_for(category).pk)
    answers = DocketItem.objects.filter(
        gold__category=category, counts_for_breaker=True, correct__isnull=False
    )
    if pending is not None:
        answers = answers.exclude(pk=pending.pk)
    window = int(conf.get("BREAKER_WINDOW"))
    if breaker.state == CategoryBreaker.State.TRIPPED:
        answers = answers.filter(voted_at__gte=breaker.changed_at)
    recent = list(
        answers.order_by("-voted_at", "-id").values_list("correct", flat=True)[
            : window - (pending is not None)
        ]
    )
    if pending is not None:
        recent.insert(0, pending.correct)
    breaker.sample = len(recent)
    breaker.accuracy = sum(1 for c in recent if c) / len(recent) if recent else None
    enough = len(recent) >= int(conf.get("BREAKER_MIN_SAMPLE"))
    event = ""
    if (
        breaker.state == CategoryBreaker.State.ON
        and enough
        and breaker.accuracy is not None
        and breaker.accuracy < breaker.threshold
    ):
        breaker.state, breaker.changed_at, event = CategoryBreaker.State.TRIPPED, now, "jury.breaker_tripped"
        breaker.reason = _(
            "Jurors answered %(acc).0f%% of the last %(n)d known-answer cases correctly, below the %(t).0f%% "
            "threshold; cases go to staff until accuracy recovers."
        ) % {"acc": 100 * breaker.accuracy, "n": len(recent), "t": 100 * breaker.threshold}
    elif (
        breaker.state == CategoryBreaker.State.TRIPPED
        and enough
        and breaker.accuracy is not None
        and breaker.accuracy >= breaker.threshold
    ):
        breaker.state, breaker.changed_at, event = CategoryBreaker.State.ON, now, "jury.breaker_reset"
        breaker.reason = _(
            "Accuracy recovered to %(acc).0f%% over %(n)d known-answer cases since the trip."
        ) % {
            "acc": 100 * breaker.accuracy,
            "n": len(recent),
        }
    breaker.save()
    if event:
        moderation.record_event(
            event=event,
            actor=None,
            actor_kind=ACTOR_KIND,
            reason=breaker.reason,
            after={"category": category},
        )
    return breaker


def reset_breaker(*, admin: User, category: str, reason: str) -> CategoryBreaker:
    """An admin switches a tripped category back on (after recalibrating the pool). Audited."""
    moderation.require_admin(admin)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the jury may decide again.")})
    with transaction.atomic():
        breaker = CategoryBreaker.objects.select_for_update().get(pk=breaker_for(category).pk)
        breaker.state, breaker.changed_at, breaker.reason = CategoryBreaker.State.ON, timezone.now(), reason
        breaker.save()
        moderation.record_event(
            event="jury.breaker_reset", actor=admin, reason=reason, after={"category": category}
        )
    return breaker


# -- the viewpoint model ----------------------------------------------------------------------------------


def _vote_history() -> list[tuple[Any, Any, float]]:
    rows = DocketItem.objects.filter(verdict__in=[Verdict.VIOLATES, Verdict.DOES_NOT_VIOLATE]).values_list(
        "juror_id", "jury_id", "gold_id", "verdict"
    )
    return [
        (
            juror,
            ("j", jury) if jury is not None else ("g", gold),
            1.0 if verdict == Verdict.DOES_NOT_VIOLATE else 0.0,
        )
        for juror, jury, gold, verdict in rows
    ]


def refit_viewpoint(*, now: datetime.datetime | None = None) -> ViewpointFit:
    """Fit the viewpoint model on the whole vote history and store each juror's factor and intercept."""
    now = now or timezone.now()
    history = _vote_history()
    fitted = viewpoint.fit(
        history,
        lambda_intercept=float(conf.get("LAMBDA_INTERCEPT")),
        lambda_factor=float(conf.get("LAMBDA_FACTOR")),
        min_ratings_per_rater=int(conf.get("MIN_RATINGS_PER_RATER")),
    )
    with transaction.atomic():
        profiles = list(JurorProfile.objects.all())
        changed = []
        for profile in profiles:
            factor, intercept = (
                fitted.rater_factor.get(profile.user_id),
                fitted.rater_intercept.get(profile.user_id),
            )
            if (factor, intercept) != (profile.viewpoint, profile.intercept):
                profile.viewpoint, profile.intercept = factor, intercept
                changed.append(profile)
        JurorProfile.objects.bulk_update(changed, ["viewpoint", "intercept"], batch_size=200)
        factors = [p.viewpoint for p in profiles if p.viewpoint is not None and p.ineligible_since is None]
        mean = sum(factors) / len(factors) if factors else 0.0
        variance = sum((f - mean) ** 2 for f in factors) / len(factors) if factors else 0.0
        fit = ViewpointFit.objects.create(
            mu=fitted.mu,
            raters=len(fitted.rater_factor),
            items=len(fitted.item_factor),
            ratings=len(history),
            pool_variance=variance,
            fitted_at=now,
        )
    return fit


def refit_if_due(*, now: datetime.datetime | None = None) -> ViewpointFit | None:
    fit = ViewpointFit.objects.first()
    votes = DocketItem.objects.filter(verdict__in=[Verdict.VIOLATES, Verdict.DOES_NOT_VIOLATE]).count()
    if votes and (fit is None or votes - fit.ratings >= int(conf.get("REFIT_EVERY_VOTES"))):
        return refit_viewpoint(now=now)
    return None


# -- counting ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """The count of one jury: what it found and why it goes where it goes."""

    outcome: str
    p_violates: float | None
    decisive: int
    keep_intercept: float | None = None
    keep_factor: float | None = None
    rule: Rule | None = None
    reasons: list[str] = field(default_factory=list)
    juror_reasons: list[str] = field(default_factory=list)


def count_votes(jury: Jury) -> Tally:
    """Asymmetric count. Removal: reliability-weighted share of "violates" at or above CLOSE_HIGH, with the
    split not following the viewpoint axis. Keeping reported content: share below CLOSE_LOW *and* bridging
    support (keep intercept >= KEEP_INTERCEPT, |factor| < FACTOR_THRESHOLD) *and* no screening flag. All
    else (no quorum, close split, no learned axis, homogeneous pool, one-sided split) goes to staff."""
    seats = list(jury.seats.select_related("juror__juror", "rule"))
    floor = float(conf.get("RELIABILITY_FLOOR"))
    decisive = [
        seat
        for seat in seats
        if seat.verdict in (Verdict.VIOLATES, Verdict.DOES_NOT_VIOLATE)
        and seat.juror.juror.ineligible_since is None
        and seat.juror.juror.reliability >= floor
    ]
    juror_reasons = [s.reason for s in seats if s.reason]
    rules = Counter(s.rule for s in decisive if s.verdict == Verdict.VIOLATES and s.rule is not None)
    rule = rules.most_common(1)[0][0] if rules else jury.rule
    # A vote weighs by how far the juror's reliability is above the floor: a juror just above it (one gold
    # miss from leaving the pool) barely counts, a consistently accurate one counts fully.
    weights = {s.pk: max(0.0, (s.juror.juror.reliability - floor) / (1 - floor)) for s in decisive}
    total = sum(weights.values())
    p = sum(weights[s.pk] for s in decisive if s.verdict == Verdict.VIOLATES) / total if total > 0 else None
    result = Tally(Jury.Outcome.ESCALATE, p, len(decisive), rule=rule, juror_reasons=juror_reasons)
    if len(decisive) < int(conf.get("QUORUM")) or p is None:
        result.reasons.append(
            _("Only %(n)d valid votes; a decision needs %(q)d.")
            % {"n": len(decisive), "q": int(conf.get("QUORUM"))}
        )
        return result
    low, high = float(conf.get("CLOSE_LOW")), float(conf.get("CLOSE_HIGH"))
    if low <= p < high:
        result.reasons.append(
            _("Close split: %(p).0f%% of the weighted votes say it violates.") % {"p": 100 * p}
        )
        return result
    fit = ViewpointFit.objects.first()
    modelled = [
        (
            1.0 if s.verdict == Verdict.DOES_NOT_VIOLATE else 0.0,
            s.juror.juror.intercept,
            s.juror.juror.viewpoint,
        )
        for s in decisive
        if s.juror.juror.viewpoint is not None and s.juror.juror.intercept is not None
    ]
    if fit is None or len(modelled) < int(conf.get("MIN_RATERS_PER_ITEM")):
        result.reasons.append(
            _("Too few jurors on this panel have a learned viewpoint to check the vote for capture.")
        )
        return result
    if not _pool_is_polarised(fit):
        result.reasons.append(
            _("The juror pool is homogeneous on the viewpoint axis; bridging cannot be checked.")
        )
        return result
    intercept, factor = viewpoint.score_item(
        modelled,  # type: ignore[arg-type]
        mu=fit.mu,
        lambda_intercept=float(conf.get("LAMBDA_INTERCEPT")),
        lambda_factor=float(conf.get("LAMBDA_FACTOR")),
    )
    result.keep_intercept, result.keep_factor = intercept, factor
    if abs(factor) >= float(conf.get("FACTOR_THRESHOLD")):
        result.reasons.append(
            _("The votes split along the viewpoint axis (|f| = %(f).2f).") % {"f": abs(factor)}
        )
        return result
    if p >= high:
        result.outcome = Jury.Outcome.REMOVE
        result.reasons.append(_("%(p).0f%% of the weighted votes say it violates.") % {"p": 100 * p})
        return result
    if intercept < float(conf.get("KEEP_INTERCEPT")):
        result.reasons.append(
            _("Keeping lacks support across viewpoints (intercept %(i).2f).") % {"i": intercept}
        )
        return result
    if is_high_risk(jury.case):
        result.reasons.append(_("The jury would keep what screening flagged as high risk."))
        return result
    result.outcome = Jury.Outcome.KEEP
    result.reasons.append(
        _("%(p).0f%% of the weighted votes say it does not violate, with support across viewpoints.")
        % {"p": 100 * (1 - p)}
    )
    return result


def _explanation(jury: Jury, count: Tally, verb: str) -> str:
    text = _(
        "A community jury of %(size)d users drawn by lot (a user panel, not staff) %(verb)s. %(why)s"
    ) % {"size": jury.size, "verb": verb, "why": " ".join(count.reasons)}
    if count.juror_reasons:
        text += " " + _("Jurors' reasons: %(r)s") % {"r": " | ".join(count.juror_reasons)}
    return text[:2000]


def close_jury(*, jury: Jury, now: datetime.datetime | None = None) -> Jury:
    """Count a jury and apply its outcome through the moderation decision service (see `count_votes`).

    Decide mode: remove or keep (dismiss) the post, or send it to staff with the jury's reasons.
    Escalate-only mode: a "violates" that passes every check a removal needs holds the post for staff;
    the jury never releases anything. Advisory mode: staff always. Appeal juries: a
    recommendation that waits for staff sign-off."""
    now = now or timezone.now()
    with transaction.atomic():
        jury = (
            Jury.objects.select_for_update(of=("self",)).select_related("case", "case__post").get(pk=jury.pk)
        )
        if jury.state != Jury.State.VOTING:
            return jury
        case = jury.case
        count = count_votes(jury)
        jury.closed_at, jury.p_violates = now, count.p_violates
        jury.keep_intercept, jury.keep_factor = count.keep_intercept, count.keep_factor
        jury.reasons = [*jury.reasons, *count.reasons]
        jury.outcome = count.outcome
        if jury.kind == Jury.Kind.APPEAL:
            jury.state = Jury.State.AWAITING_SIGNOFF
            _audit(jury, "jury.appeal_recommendation", count)
        elif not case.is_live:
            jury.state = Jury.State.SUPERSEDED
        elif (
            jury.mode == Jury.Mode.DECIDE and count.outcome == Jury.Outcome.REMOVE and count.rule is not None
        ):
            jury.decision = moderation.decide_case(
                case=case,
                action=Decision.Action.REMOVE,
                rule=count.rule,
                explanation=_explanation(jury, count, _("found that the post breaks the rule")),
                decided_by=Decision.DecidedBy.JURY,
            )
            jury.state = Jury.State.DECIDED
        elif jury.mode == Jury.Mode.DECIDE and count.outcome == Jury.Outcome.KEEP:
            jury.decision = moderation.decide_case(
                case=case,
                action=Decision.Action.DISMISS,
                explanation=_explanation(jury, count, _("found that the post does not break the rule")),
                decided_by=Decision.DecidedBy.JURY,
            )
            jury.state = Jury.State.DECIDED
        else:
            if jury.mode == Jury.Mode.ADVISORY:
                jury.reasons.append(
                    _("Jury power is switched off for this category; the vote is advice to staff.")
                )
            post = case.post
            if (
                jury.mode == Jury.Mode.ESCALATE_ONLY
                and count.outcome == Jury.Outcome.REMOVE
                and count.rule is not None
                and post is not None
                and post.moderation_state == ModerationState.PUBLISHED
            ):
                # A clear, cross-viewpoint "violates" hides the post until staff decides; never a release.
                jury.decision = moderation.decide_case(
                    case=case,
                    action=Decision.Action.HOLD,
                    rule=count.rule,
                    explanation=_explanation(
                        jury, count, _("asked staff to review the post and hid it until then")
                    ),
                    decided_by=Decision.DecidedBy.JURY,
                    close=False,
                )
            jury.outcome = Jury.Outcome.ESCALATE
            jury.state = Jury.State.ESCALATED
            _audit(jury, "jury.escalated", count)
        jury.save()
    refit_if_due(now=now)
    return jury


def _audit(jury: Jury, event: str, count: Tally) -> None:
    moderation.record_event(
        event=event,
        actor=None,
        actor_kind=ACTOR_KIND,
        case=jury.case,
        reason=" ".join(
            jury.reasons
            + (
                [_("Jurors' reasons: %(r)s") % {"r": " | ".join(count.juror_reasons)}]
                if count.juror_reasons
                else []
            )
        ),
        after={
            "jury": str(jury.pk),
            "outcome": count.outcome,
            "p_violates": count.p_violates,
            "decisive_votes": count.decisive,
            "keep_intercept": count.keep_intercept,
            "keep_factor": count.keep_factor,
        },
    )


def close_due_juries(*, now: datetime.datetime | None = None) -> int:
    """Close every jury whose time box is over (jurors who did not vote simply do not count)."""
    now = now or timezone.now()
    due = list(Jury.objects.filter(state=Jury.State.VOTING, deadline__lte=now))
    for jury in due:
        close_jury(jury=jury, now=now)
    return len(due)


# -- appeals ----------------------------------------------------------------------------------------------


def sign_off_appeal(
    *,
    moderator: User,
    jury: Jury,
    reverse: bool,
    reasons: str,
    action: str | None = None,
    rule: Rule | None = None,
) -> Appeal:
    """Staff sign-off on an appeal jury's recommendation (Art. 20(6) DSA: complaint decisions are taken under
    qualified staff supervision). Goes through `moderation.services.decide_appeal`."""
    moderation.require_moderator(moderator)
    if jury.kind != Jury.Kind.APPEAL or jury.appeal is None:
        raise NotAllowed(_("This is not an appeal jury."))
    if jury.state != Jury.State.AWAITING_SIGNOFF:
        raise ValidationError(_("This appeal jury is not waiting for sign-off."))
    with transaction.atomic():
        appeal = moderation.decide_appeal(
            moderator=moderator,
            appeal=jury.appeal,
            reverse=reverse,
            reasons=reasons,
            action=action,
            rule=rule,
        )
        jury.state = Jury.State.SIGNED_OFF
        jury.save(update_fields=["state"])
    return appeal


def tick(*, now: datetime.datetime | None = None, rng: random.Random | None = None) -> dict[str, int]:
    """The periodic job (`agora jury tick`, every few minutes): close due juries, draw juries for new open
    post cases and appeal juries for pending appeals against jury decisions."""
    now = now or timezone.now()
    closed = close_due_juries(now=now)
    drawn = 0
    tried = AuditEvent.objects.filter(
        case=OuterRef("pk"),
        event__in=["jury.out_of_scope", "jury.pool_too_small"],
        created_at__gt=now - RETRY_AFTER,
    )
    fresh = Case.objects.filter(
        state=Case.State.OPEN, subject_type=Case.SubjectType.POST, juries__isnull=True
    ).exclude(Exists(tried))
    for case in fresh.order_by("deadline")[:200]:
        drawn += draw_jury(case=case, now=now, rng=rng) is not None
    appeals = 0
    for appeal in Appeal.objects.filter(
        state=Appeal.State.PENDING, decision__decided_by=Decision.DecidedBy.JURY, juries__isnull=True
    ).select_related("decision__case"):
        appeals += draw_jury(case=appeal.decision.case, appeal=appeal, now=now, rng=rng) is not None
    return {"closed": closed, "drawn": drawn, "appeal_juries": appeals}
