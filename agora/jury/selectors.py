"""Jury reads that carry rules: a juror's docket (blind: no tallies, no hint which items are known-answer
cases until answered), one docket item, calibration tests open to a person, the jury status page for staff.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.exceptions import NotFound
from agora.jury import conf
from agora.jury.models import (
    Calibration,
    CategoryBreaker,
    DocketItem,
    GoldCase,
    JurorProfile,
    Jury,
    ViewpointFit,
)
from agora.moderation.models import Rule
from agora.moderation.services import require_moderator


def docket(user: User) -> QuerySet[DocketItem]:
    """The person's docket, open items first (oldest first), then answered ones, newest first."""
    return DocketItem.objects.filter(juror=user).select_related(
        "jury", "jury__case", "jury__rule", "gold", "gold__rule", "rule"
    )


def open_items(user: User) -> QuerySet[DocketItem]:
    return (
        docket(user).filter(voted_at__isnull=True, deadline__gt=timezone.now()).order_by("created_at", "id")
    )


def answered_items(user: User) -> QuerySet[DocketItem]:
    return docket(user).filter(voted_at__isnull=False).order_by("-voted_at", "-id")


def pending_invitations(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return DocketItem.objects.filter(juror=user, voted_at__isnull=True, deadline__gt=timezone.now()).count()


def docket_item(user: User, item_id: uuid.UUID | str) -> DocketItem:
    try:
        return docket(user).get(pk=uuid.UUID(str(item_id)))
    except (DocketItem.DoesNotExist, ValueError) as error:
        raise NotFound(item_id) from error


@dataclass(frozen=True)
class ItemView:
    """What a juror sees of one item: the content, its context and the rule question. Never other votes."""

    text: str
    spoiler_text: str
    author_context: str
    rule: Rule | None


def item_view(item: DocketItem) -> ItemView:
    if item.gold is not None:
        return ItemView(item.gold.text, "", "", item.gold.rule)
    assert item.jury is not None
    snapshot: dict[str, Any] = item.jury.case.snapshot
    post = item.jury.case.post
    context = ""
    if post is not None and post.in_reply_to_id is not None and post.in_reply_to is not None:
        context = post.in_reply_to.text
    return ItemView(snapshot.get("text", ""), snapshot.get("spoiler_text", ""), context, item.jury.rule)


def calibration_status(user: User) -> list[tuple[Rule, Calibration | None, int]]:
    """Every rule with known-answer cases: the person's latest attempt and how many questions it has."""
    counts = dict(
        GoldCase.objects.filter(is_active=True)
        .values_list("rule")
        .annotate(n=Count("id"))
        .values_list("rule", "n")
    )
    latest: dict[Any, Calibration] = {}
    for attempt in Calibration.objects.filter(user=user).order_by("created_at"):
        latest[attempt.rule_id] = attempt
    limit = int(conf.get("CALIBRATION_ITEMS"))
    return [
        (rule, latest.get(rule.pk), min(limit, counts[rule.pk]))
        for rule in Rule.objects.filter(is_active=True, pk__in=counts).order_by("number")
    ]


def _standing_jurors() -> QuerySet[JurorProfile]:
    """Jurors who have not lost eligibility on gold cases and have not opted out."""
    return JurorProfile.objects.filter(ineligible_since__isnull=True, opted_out=False)


@dataclass(frozen=True)
class JuryStatus:
    breakers: list[CategoryBreaker]
    fit: ViewpointFit | None
    jurors: int
    eligible: int
    ineligible: list[JurorProfile]
    voting: list[Jury]
    escalated: list[Jury]
    awaiting_signoff: list[Jury]
    recent: list[Jury]
    outcomes: dict[str, int]


def jury_status(moderator: User) -> JuryStatus:
    """The staff view: breaker states and why, the viewpoint fit, the pool, juries by state."""
    require_moderator(moderator)
    juries = Jury.objects.select_related("case", "rule", "appeal")
    return JuryStatus(
        breakers=list(CategoryBreaker.objects.all()),
        fit=ViewpointFit.objects.first(),
        jurors=JurorProfile.objects.count(),
        eligible=_standing_jurors().count(),
        ineligible=list(
            JurorProfile.objects.filter(ineligible_since__isnull=False)
            .select_related("user")
            .order_by("-ineligible_since")[:20]
        ),
        voting=list(juries.filter(state=Jury.State.VOTING).order_by("deadline")[:50]),
        escalated=list(
            juries.filter(state=Jury.State.ESCALATED, case__state__in=["open", "appealed"]).order_by(
                "-closed_at"
            )[:50]
        ),
        awaiting_signoff=list(juries.filter(state=Jury.State.AWAITING_SIGNOFF).order_by("closed_at")),
        recent=list(juries.exclude(state=Jury.State.VOTING).order_by("-closed_at")[:20]),
        outcomes=dict(
            Jury.objects.exclude(outcome="")
            .values_list("outcome")
            .annotate(n=Count("id"))
            .values_list("outcome", "n")
        ),
    )


def seats_voted(jury: Jury) -> tuple[int, int]:
    counts = jury.seats.aggregate(total=Count("id"), voted=Count("id", filter=Q(voted_at__isnull=False)))
    return counts["voted"], counts["total"]


def transparency_metrics(*, since: datetime.datetime, until: datetime.datetime) -> list[tuple[str, Any]]:
    """The jury's own figures for the moderation dashboard and the transparency documents (read by
    `agora.transparency.selectors.jury_figures`): what juries closed in the window did, how reliable the
    jurors were on known-answer cases, and the circuit breakers as they stand now."""
    closed = Jury.objects.filter(closed_at__gte=since, closed_at__lt=until)
    by_state = dict(closed.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    gold = DocketItem.objects.filter(gold__isnull=False, voted_at__gte=since, voted_at__lt=until)
    gold_answered = gold.count()
    gold_correct = gold.filter(correct=True).count()
    breakers = list(CategoryBreaker.objects.all())
    tripped = [breaker for breaker in breakers if breaker.state == CategoryBreaker.State.TRIPPED]
    metrics: list[tuple[str, Any]] = [
        (_("Juries closed"), closed.count()),
        (_("Decided by the jury itself"), by_state.get(Jury.State.DECIDED, 0)),
        (_("Sent to staff by the jury"), by_state.get(Jury.State.ESCALATED, 0)),
        (_("Known-answer cases answered"), gold_answered),
        (
            _("Accuracy on known-answer cases"),
            f"{gold_correct / gold_answered:.1%}" if gold_answered else _("no answers yet"),
        ),
        (
            _("Eligible jurors now"),
            _standing_jurors().count(),
        ),
        (_("Categories with jury power switched off now"), len(tripped)),
    ]
    metrics.extend(
        (
            _("Circuit breaker: %(category)s") % {"category": breaker.get_category_display()},
            f"{breaker.get_state_display()} — {breaker.reason}"
            if breaker.reason
            else breaker.get_state_display(),
        )
        for breaker in tripped
    )
    return metrics
