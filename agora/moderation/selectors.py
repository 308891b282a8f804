"""Moderation reads that carry rules: the queue and its order, what a case page shows, who may read a
statement of reasons, the audit log, strikes, restrictions and muted words.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.lookups import IContains
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.exceptions import NotFound
from agora.moderation.models import (
    AccountRestriction,
    Appeal,
    AuditEvent,
    Case,
    Decision,
    ModerationNotice,
    MutedWord,
    Rule,
    StatementOfReasons,
    Strike,
)
from agora.moderation.services import require_admin, require_moderator

URGENT_SEVERITY = 5


def active_rules() -> QuerySet[Rule]:
    return Rule.objects.filter(is_active=True).order_by("number")


def review_queue(
    moderator: User, *, now: datetime.datetime | None = None, assigned_to: User | None = None
) -> QuerySet[Case]:
    """Live cases in the order to work them.

    First the urgent ones (threats and violence: a one-hour deadline), so a threat to life never waits behind
    an overdue spam report; then every overdue case, most overdue first; then the rest by deadline, and by
    priority (severity x reach) where deadlines tie. Each case carries `is_overdue`.
    """
    require_moderator(moderator)
    now = now or timezone.now()
    cases = Case.objects.exclude(state=Case.State.DECIDED)
    if assigned_to is not None:
        cases = cases.filter(assigned_to=assigned_to)
    return (
        cases.select_related("post", "post__author", "account", "assigned_to")
        .annotate(
            overdue=ExpressionWrapper(Q(deadline__lt=now), output_field=BooleanField()),
            lane=SqlCase(
                When(severity__gte=URGENT_SEVERITY, then=Value(0)),
                When(deadline__lt=now, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("lane", "deadline", "-priority", "id")
    )


def get_case(moderator: User, case_id: uuid.UUID | str) -> Case:
    require_moderator(moderator)
    try:
        return Case.objects.select_related("post", "post__author", "account", "assigned_to").get(
            pk=uuid.UUID(str(case_id))
        )
    except (Case.DoesNotExist, ValueError) as error:
        raise NotFound(case_id) from error


def moderators() -> QuerySet[User]:
    """Active people who may moderate, for assigning cases."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[User.Role.MODERATOR, User.Role.ADMIN]) | Q(is_superuser=True))
        .order_by("username")
    )


def active_strikes(user: User, *, now: datetime.datetime | None = None) -> QuerySet[Strike]:
    now = now or timezone.now()
    return Strike.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)


@dataclass(frozen=True)
class AccountHistory:
    """What a moderator needs to know about the account behind a case."""

    strikes: list[Strike]
    strike_total: int
    suggest_suspension: bool
    restrictions: list[AccountRestriction]
    decisions: list[Decision]


def account_history(moderator: User, user: User | None) -> AccountHistory | None:
    require_moderator(moderator)
    if user is None:
        return None
    strikes = list(active_strikes(user).select_related("rule"))
    total = active_strikes(user).aggregate(total=Sum("severity"))["total"] or 0
    return AccountHistory(
        strikes=strikes,
        strike_total=total,
        suggest_suspension=total >= settings.AGORA_MODERATION_SUSPEND_AT_STRIKES,
        restrictions=list(AccountRestriction.objects.filter(user=user, lifted_at__isnull=True)),
        decisions=list(
            Decision.objects.filter(case__account=user)
            .select_related("rule", "case")
            .order_by("-created_at")[:20]
        ),
    )


def case_events(moderator: User, case: Case) -> QuerySet[AuditEvent]:
    require_moderator(moderator)
    return AuditEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "id")


def pending_appeals(moderator: User) -> QuerySet[Appeal]:
    require_moderator(moderator)
    return (
        Appeal.objects.filter(state=Appeal.State.PENDING)
        .select_related("decision", "decision__case", "decision__rule", "appellant", "assigned_to")
        .order_by("created_at")
    )


def audit_log(admin: User, *, event: str = "", actor: str = "", case_id: str = "") -> QuerySet[AuditEvent]:
    """The audit log, newest first, for admins; filterable by event type, actor name and case."""
    require_admin(admin)
    events = AuditEvent.objects.all()
    if event:
        events = events.filter(event__startswith=event)
    if actor:
        events = events.filter(actor_name__iexact=actor.lstrip("@"))
    if case_id:
        try:
            events = events.filter(case_id=uuid.UUID(case_id))
        except ValueError:
            return events.none()
    return events.order_by("-created_at", "-id")


def statement_for(viewer: User | None, decision_id: uuid.UUID | str) -> Decision:
    """A decision with its statement, for the affected person, a reporter of the case, or a moderator."""
    if viewer is None or not viewer.is_authenticated:
        raise NotFound(decision_id)
    try:
        decision = Decision.objects.select_related("case", "rule", "case__post", "case__account").get(
            pk=uuid.UUID(str(decision_id))
        )
    except (Decision.DoesNotExist, ValueError) as error:
        raise NotFound(decision_id) from error
    case = decision.case
    if viewer.is_moderator or case.account_id == viewer.pk or case.reports.filter(reporter=viewer).exists():
        return decision
    raise NotFound(decision_id)


def can_appeal(viewer: User, decision: Decision) -> bool:
    from agora.moderation.services import APPEAL_WINDOW

    case = decision.case
    affected = case.account_id == viewer.pk
    reporter = case.reports.filter(reporter=viewer).exists()
    if not (affected or reporter):
        return False
    if affected and decision.action in (Decision.Action.DISMISS, Decision.Action.RESTORE):
        return False
    if Appeal.objects.filter(
        Q(decision=decision, appellant=viewer) | Q(resulting_decision=decision)
    ).exists():
        return False
    if decision.reversed_by.exists():
        return False
    if case.is_live and case.state != Case.State.APPEALED:
        return False
    return timezone.now() - decision.created_at <= APPEAL_WINDOW


def notices_for(user: User) -> QuerySet[ModerationNotice]:
    return (
        ModerationNotice.objects.filter(recipient=user)
        .select_related("decision", "appeal", "case")
        .order_by("-created_at", "-id")
    )


def statements_since(since: datetime.datetime) -> QuerySet[StatementOfReasons]:
    return StatementOfReasons.objects.filter(created_at__gte=since).order_by("created_at", "id")


def posting_frozen_until(user: User, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the account may post again, if a freeze holds it now."""
    now = now or timezone.now()
    freeze = (
        AccountRestriction.objects.filter(
            user=user, kind=AccountRestriction.Kind.FREEZE, lifted_at__isnull=True
        )
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .order_by("-ends_at")
        .first()
    )
    return freeze.ends_at if freeze is not None else None


def muted_words(user: User) -> list[str]:
    return list(MutedWord.objects.filter(user=user).values_list("word", flat=True))


def without_muted_words(viewer: User | None, posts: QuerySet[Any]) -> QuerySet[Any]:
    """Drop posts (and reposts of posts) whose text or content warning contains one of the viewer's muted
    words, ignoring case; the viewer's own posts stay. For the viewer's own timelines only: a direct link
    still opens the post. One correlated subquery, no extra round trip, so timelines keep their query budget.
    """
    if viewer is None or not viewer.is_authenticated:
        return posts

    def contains_muted(field: str) -> Exists:
        return Exists(
            MutedWord.objects.filter(user_id=viewer.pk).filter(
                IContains(OuterRef(field), F("word"))
                | IContains(OuterRef(f"{field[: -len('text')]}spoiler_text"), F("word"))
            )
        )

    own = Q(author_id=viewer.pk)
    return posts.exclude(~own & contains_muted("text")).exclude(
        Q(repost_of__isnull=False) & ~Q(repost_of__author_id=viewer.pk) & contains_muted("repost_of__text")
    )


def ensure_may_post(user: User) -> None:
    """ValidationError while a moderator's freeze holds the account (called by `create_post`)."""
    until = posting_frozen_until(user)
    if until is not None:
        raise ValidationError(
            {
                "text": _("Your account may not post until %(date)s (a moderation decision).")
                % {"date": date_format(timezone.localtime(until), "DATETIME_FORMAT")}
            }
        )
