"""Every number the dashboard, the transparency report and the moderation plan show, only from the database.

One module on purpose: a figure is computed here once and every output (web page, PDF, JSON, CSV, plan)
formats the same value, so a test can check each figure against one computed independently from a known set of
cases.

Definitions used throughout (the report's notes repeat the ones readers need):
- A case's *first decision* is its earliest `Decision`; later ones come from appeals or restores.
- A decision *confirms a violation* when it is not a dismissal or a restore (a warning cites a broken rule).
- *Time to first action*: from the case opening to the first thing a person (or the jury) did on it: assigning
  it, a note, a law-enforcement notification or a decision (from the audit log).
- *Time to decision*: from the case opening to its first decision.
- A case's *deadline tier* follows the moderation app's rule: threats and violence (severity 5) are urgent,
  illegal content (a notice or a rule against illegal content) or severity 3-4 is "illegal", the rest "other";
  the promise is the tier's configured hours counted from the opening.
- Medians are the middle value (mean of the two middle ones); p90 is the nearest-rank 90th percentile.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from agora.accounts.models import User
from agora.moderation import dsa
from agora.moderation.models import (
    AccountRestriction,
    Appeal,
    AuditEvent,
    Case,
    Decision,
    LawEnforcementNotice,
    Report,
    Rule,
    ScreeningResult,
    StatementOfReasons,
    Strike,
)
from agora.posts.models import ModerationState, Post
from agora.screening.models import PostScreening
from agora.transparency.models import SubmittedStatement

TIERS = ("urgent", "illegal", "other")
PRIORITY_BANDS = ("urgent", "high", "normal")
NOT_A_VIOLATION = frozenset({Decision.Action.DISMISS, Decision.Action.RESTORE})
# Audit events that mean a person (or the jury) has started working a case.
ACTION_EVENTS = ("case.assigned", "case.note", "law_enforcement.notified")
DASHBOARD_DAYS = 30
SURGE_EVENTS = ("screening.surge_started", "screening.surge_ended")


# -- small statistics ----------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def p90(values: Sequence[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value at least 90 % of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)], 2)


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def hours(delta: datetime.timedelta) -> float:
    return delta.total_seconds() / 3600


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period from the start of `start` to the end of `end` (both days included), in UTC."""
    if end < start:
        raise ValueError("the period ends before it starts")
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=datetime.UTC)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    return low, high


# -- cases and their timings ---------------------------------------------------------------------------------


@dataclass
class CaseTiming:
    """One case with what the figures need: where it came from, its tier, and when people acted on it."""

    id: Any
    subject_type: str
    source: str
    category: str
    severity: int
    opened_at: datetime.datetime
    tier: str
    screened: bool = False
    held_by_screening: bool = False
    first_action_at: datetime.datetime | None = None
    first_decision_at: datetime.datetime | None = None
    first_decision_action: str | None = None
    first_decision_by: str | None = None

    @property
    def deadline_hours(self) -> int:
        return int(settings.AGORA_MODERATION_DEADLINE_HOURS[self.tier])

    @property
    def hours_to_first_action(self) -> float | None:
        return hours(self.first_action_at - self.opened_at) if self.first_action_at else None

    @property
    def hours_to_decision(self) -> float | None:
        return hours(self.first_decision_at - self.opened_at) if self.first_decision_at else None

    @property
    def confirmed(self) -> bool:
        return self.first_decision_action is not None and self.first_decision_action not in NOT_A_VIOLATION

    @property
    def within_deadline(self) -> bool:
        value = self.hours_to_decision
        return value is not None and value <= self.deadline_hours


def tier_for(severity: int, *, illegal: bool) -> str:
    if severity >= 5:
        return "urgent"
    if illegal or severity >= 3:
        return "illegal"
    return "other"


def case_timings(cases: QuerySet[Case]) -> list[CaseTiming]:
    """Timings for these cases, in a fixed number of queries (the case query is a subquery of each, so any
    number of cases works, SQLite's limit on query parameters included)."""
    rows = list(cases)
    ids = cases.values("pk")
    illegal_ids = set(
        Report.objects.filter(case_id__in=ids)
        .filter(Q(is_illegal_notice=True) | Q(rules__ground=dsa.Ground.ILLEGAL))
        .values_list("case_id", flat=True)
    )
    screened: dict[Any, bool] = {}
    for case_id, automated in ScreeningResult.objects.filter(case_id__in=ids).values_list(
        "case_id", "automated"
    ):
        screened[case_id] = screened.get(case_id, False) or automated
    first_decision: dict[Any, tuple[datetime.datetime, str, str]] = {}
    for case_id, created_at, action, decided_by in (
        Decision.objects.filter(case_id__in=ids)
        .order_by("created_at", "id")
        .values_list("case_id", "created_at", "action", "decided_by")
    ):
        first_decision.setdefault(case_id, (created_at, action, decided_by))
    first_event: dict[Any, datetime.datetime] = {}
    for case_id, created_at in (
        AuditEvent.objects.filter(case_id__in=ids)
        .filter(Q(event__in=ACTION_EVENTS) | Q(event__startswith="decision."))
        .order_by("created_at", "id")
        .values_list("case_id", "created_at")
    ):
        first_event.setdefault(case_id, created_at)
    timings = []
    for case in rows:
        decision = first_decision.get(case.pk)
        action_at = first_event.get(case.pk)
        if decision is not None and (action_at is None or decision[0] < action_at):
            action_at = decision[0]
        timings.append(
            CaseTiming(
                id=case.pk,
                subject_type=case.subject_type,
                source=case.source,
                category=case.category,
                severity=case.severity,
                opened_at=case.opened_at,
                tier=tier_for(case.severity, illegal=case.pk in illegal_ids),
                screened=case.pk in screened,
                held_by_screening=screened.get(case.pk, False),
                first_action_at=action_at,
                first_decision_at=decision[0] if decision else None,
                first_decision_action=decision[1] if decision else None,
                first_decision_by=decision[2] if decision else None,
            )
        )
    return timings


def _zeros(keys: Iterable[str]) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


def _count(keys: Iterable[str], values: Iterable[str]) -> dict[str, int]:
    counts = _zeros(keys)
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


# -- the transparency report ---------------------------------------------------------------------------------


def report_figures(start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The transparency report's figures for the days `start` to `end` (both included).

    Sections follow the EU harmonised templates for DSA transparency reports (Implementing Regulation (EU)
    2024/2835) as far as they apply to a platform like this: notices (Art. 16), own-initiative moderation,
    decisions by type, ground and category, automated means with accuracy indicators, complaints (Art. 20),
    suspensions (Art. 23), notifications of suspected crimes (Art. 18), and statements of reasons sent to the
    Transparency Database (Art. 24(5)). Each value is a count, a median in hours, or a share between 0 and 1.
    """
    low, high = period_bounds(start, end)
    categories = list(dsa.Category.values)
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "notices": _notice_figures(low, high, categories),
        "cases": _case_figures(low, high),
        "decisions": _decision_figures(low, high, categories),
        "automated_means": _automation_figures(low, high),
        "complaints": _complaint_figures(low, high),
        "suspensions": _suspension_figures(low, high),
        "law_enforcement": _law_enforcement_figures(low, high),
        "transparency_database": {
            "statements_submitted": SubmittedStatement.objects.filter(
                submitted_at__gte=low, submitted_at__lt=high
            ).count()
        },
    }


def _notice_figures(low: datetime.datetime, high: datetime.datetime, categories: list[str]) -> dict[str, Any]:
    in_period = Report.objects.filter(created_at__gte=low, created_at__lt=high)
    reports = list(in_period.order_by("id"))
    # A notice of illegal content, or a report citing a rule against illegal content.
    illegal_ids = set(
        in_period.filter(Q(is_illegal_notice=True) | Q(rules__ground=dsa.Ground.ILLEGAL)).values_list(
            "pk", flat=True
        )
    )
    decisions: dict[Any, list[tuple[datetime.datetime, str, str]]] = defaultdict(list)
    report_cases = in_period.values("case_id")
    for case_id, created_at, action, decided_by in (
        Decision.objects.filter(case_id__in=report_cases, created_at__lt=high)
        .order_by("created_at", "id")
        .values_list("case_id", "created_at", "action", "decided_by")
    ):
        decisions[case_id].append((created_at, action, decided_by))
    outcome = Counter[str]()
    times: list[float] = []
    automated = 0
    illegal = 0
    for report in reports:
        if report.pk in illegal_ids:
            illegal += 1
        # The first decision on the report's case taken after the report arrived answers it.
        answer = next((d for d in decisions[report.case_id] if d[0] >= report.created_at), None)
        if answer is None:
            outcome["pending"] += 1
            continue
        outcome["dismissed" if answer[1] in NOT_A_VIOLATION else "actioned"] += 1
        times.append(hours(answer[0] - report.created_at))
        if answer[2] == Decision.DecidedBy.AUTOMATIC:
            automated += 1
    return {
        "total": len(reports),
        "by_category": _count(categories, (r.category for r in reports)),
        "by_source": {
            "article_16_notice": sum(1 for r in reports if r.is_illegal_notice),
            "user_report": sum(1 for r in reports if not r.is_illegal_notice),
            "trusted_flagger": 0,
        },
        "by_basis": {"illegal_content": illegal, "terms_and_conditions": len(reports) - illegal},
        "by_outcome": {
            "actioned": outcome["actioned"],
            "dismissed": outcome["dismissed"],
            "pending": outcome["pending"],
        },
        "from_muted_reporters": sum(1 for r in reports if r.deprioritised),
        "decided_by_automated_means": automated,
        "median_hours_to_decision": median(times),
        "answered_within_24_hours": sum(1 for t in times if t <= 24),
    }


def _case_figures(low: datetime.datetime, high: datetime.datetime) -> dict[str, Any]:
    opened = Case.objects.filter(opened_at__gte=low, opened_at__lt=high)
    by_source = _count(Case.Source.values, opened.values_list("source", flat=True))
    return {
        "opened": sum(by_source.values()),
        "by_source": by_source,
        "own_initiative": by_source[Case.Source.SCREENING] + by_source[Case.Source.MODERATOR],
        "threat_to_life": opened.filter(threat_to_life=True).count(),
    }


def _first_decided_in(low: datetime.datetime, high: datetime.datetime) -> list[CaseTiming]:
    """Cases whose first decision falls in the period."""
    case_ids = Decision.objects.filter(created_at__gte=low, created_at__lt=high).values_list(
        "case_id", flat=True
    )
    timings = case_timings(Case.objects.filter(pk__in=case_ids))
    return [t for t in timings if t.first_decision_at is not None and low <= t.first_decision_at < high]


def _decision_figures(
    low: datetime.datetime, high: datetime.datetime, categories: list[str]
) -> dict[str, Any]:
    decisions = list(
        Decision.objects.filter(created_at__gte=low, created_at__lt=high)
        .select_related("rule")
        .order_by("id")
    )
    by_ground = {"illegal_content": 0, "terms_and_conditions": 0, "no_rule": 0}
    for decision in decisions:
        if decision.rule is None:
            by_ground["no_rule"] += 1
        elif decision.rule.ground == dsa.Ground.ILLEGAL:
            by_ground["illegal_content"] += 1
        else:
            by_ground["terms_and_conditions"] += 1
    first = _first_decided_in(low, high)
    by_tier: dict[str, dict[str, Any]] = {}
    for tier in TIERS:
        cases = [t for t in first if t.tier == tier]
        by_tier[tier] = {
            "cases": len(cases),
            "median_hours_to_decision": median([t.hours_to_decision or 0.0 for t in cases]),
            "within_deadline": sum(1 for t in cases if t.within_deadline),
        }
    return {
        "total": len(decisions),
        "by_action": _count(Decision.Action.values, (d.action for d in decisions)),
        "by_ground": by_ground,
        "by_category": _count(categories, (d.rule.category for d in decisions if d.rule is not None)),
        "by_decided_by": _count(Decision.DecidedBy.values, (d.decided_by for d in decisions)),
        "statements_of_reasons": StatementOfReasons.objects.filter(
            created_at__gte=low, created_at__lt=high
        ).count(),
        "cases_first_decided": len(first),
        "median_hours_to_decision": median([t.hours_to_decision or 0.0 for t in first]),
        "by_deadline_tier": by_tier,
    }


def _automation_figures(low: datetime.datetime, high: datetime.datetime) -> dict[str, Any]:
    screenings = PostScreening.objects.filter(created_at__gte=low, created_at__lt=high)
    tiers = _count(["allow", "review", "hold"], screenings.values_list("decision", flat=True))
    posts = [t for t in _first_decided_in(low, high) if t.subject_type == Case.SubjectType.POST]
    flagged = [t for t in posts if t.screened]
    held = [t for t in posts if t.held_by_screening]
    confirmed = [t for t in posts if t.confirmed]
    return {
        "posts_screened": sum(tiers.values()),
        "screening_by_tier": tiers,
        "decided_post_cases": len(posts),
        "flagged_by_screening": len(flagged),
        "flagged_and_confirmed": sum(1 for t in flagged if t.confirmed),
        "held_by_screening": len(held),
        "held_and_confirmed": sum(1 for t in held if t.confirmed),
        "confirmed_violations": len(confirmed),
        "precision": ratio(sum(1 for t in flagged if t.confirmed), len(flagged)),
        "hold_precision": ratio(sum(1 for t in held if t.confirmed), len(held)),
        "recall": ratio(sum(1 for t in confirmed if t.screened), len(confirmed)),
        "fully_automated_decisions": Decision.objects.filter(
            created_at__gte=low, created_at__lt=high, decided_by=Decision.DecidedBy.AUTOMATIC
        ).count(),
    }


def _complaint_figures(low: datetime.datetime, high: datetime.datetime) -> dict[str, Any]:
    appeals = list(Appeal.objects.filter(created_at__gte=low, created_at__lt=high).order_by("id"))
    outcome = Counter[str]()
    times: list[float] = []
    for appeal in appeals:
        if appeal.resolved_at is None or appeal.resolved_at >= high:
            outcome["pending"] += 1
        else:
            outcome[appeal.state] += 1
            times.append(hours(appeal.resolved_at - appeal.created_at))
    resolved = outcome[Appeal.State.UPHELD] + outcome[Appeal.State.REVERSED]
    return {
        "total": len(appeals),
        "by_appellant": {
            "affected_person": sum(1 for a in appeals if not a.is_reporter),
            "notifier": sum(1 for a in appeals if a.is_reporter),
        },
        "by_outcome": {
            "upheld": outcome[Appeal.State.UPHELD],
            "reversed": outcome[Appeal.State.REVERSED],
            "pending": outcome["pending"],
        },
        "median_hours_to_resolve": median(times),
        "reversal_rate": ratio(outcome[Appeal.State.REVERSED], resolved),
    }


def _suspension_figures(low: datetime.datetime, high: datetime.datetime) -> dict[str, Any]:
    restrictions = AccountRestriction.objects.filter(starts_at__gte=low, starts_at__lt=high)
    return {
        "by_kind": _count(AccountRestriction.Kind.values, restrictions.values_list("kind", flat=True)),
        "strikes": Strike.objects.filter(created_at__gte=low, created_at__lt=high).count(),
        "reporters_muted": AuditEvent.objects.filter(
            event="reporter.muted", created_at__gte=low, created_at__lt=high
        ).count(),
    }


def _law_enforcement_figures(low: datetime.datetime, high: datetime.datetime) -> dict[str, Any]:
    notices = list(
        LawEnforcementNotice.objects.filter(notified_at__gte=low, notified_at__lt=high).select_related("case")
    )
    return {
        "notifications": len(notices),
        "median_hours_case_to_notification": median(
            [max(hours(n.notified_at - n.case.opened_at), 0.0) for n in notices]
        ),
    }


# -- the dashboard -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurgeStatus:
    """Whether the screening app has a surge mode, and if so whether it is on."""

    available: bool
    active: bool = False
    since: datetime.datetime | None = None
    detail: str = ""


def surge_provider() -> Any:
    """The screening app's `surge_status` function, or None when it has no surge mode."""
    try:
        from agora.screening import surge  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    provider = getattr(surge, "surge_status", None)
    return provider if callable(provider) else None


def surge_status() -> SurgeStatus:
    """Surge mode as the screening app reports it; `available=False` when it has none.

    The screening app provides `agora.screening.surge.surge_status()` (a mapping or an object with `active`,
    and optionally `since` and `detail`); without it, surge periods are read from the audit log
    (`screening.surge_started` / `screening.surge_ended`), and without either there is none to report.
    """
    provider = surge_provider()
    if provider is not None:
        value = provider()
        get = value.get if isinstance(value, dict) else lambda key, default=None: getattr(value, key, default)
        return SurgeStatus(
            available=True,
            active=bool(get("active", False)),
            since=get("since", None),
            detail=str(get("detail", "") or ""),
        )
    last = AuditEvent.objects.filter(event__in=SURGE_EVENTS).order_by("-created_at", "-id").first()
    if last is None:
        return SurgeStatus(available=False)
    return SurgeStatus(
        available=True, active=last.event.endswith("started"), since=last.created_at, detail=last.reason
    )


@dataclass(frozen=True)
class JuryFigures:
    """The community jury's part: from the decisions it took, plus whatever the jury app reports."""

    installed: bool
    decisions: int = 0
    appealed: int = 0
    reversed_on_appeal: int = 0
    extra: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def reversal_rate(self) -> float | None:
        return ratio(self.reversed_on_appeal, self.appealed)


def jury_figures(since: datetime.datetime, until: datetime.datetime) -> JuryFigures:
    """Jury metrics for the window; `installed=False` when `agora.jury` is not an installed app.

    The jury app may add its own figures (gold-case accuracy, circuit breakers, pool size) through
    `agora.jury.selectors.transparency_metrics(since=..., until=...)`, returning (label, value) pairs.
    """
    if not apps.is_installed("agora.jury"):
        return JuryFigures(installed=False)
    decisions = Decision.objects.filter(
        decided_by=Decision.DecidedBy.JURY, created_at__gte=since, created_at__lt=until
    )
    appeals = Appeal.objects.filter(decision__in=decisions).exclude(state=Appeal.State.PENDING)
    extra: list[tuple[str, Any]] = []
    try:
        from agora.jury import selectors as jury_selectors  # type: ignore[import-not-found,unused-ignore]

        provider = getattr(jury_selectors, "transparency_metrics", None)
        if callable(provider):
            extra = [(str(label), value) for label, value in provider(since=since, until=until)]
    except ImportError:
        extra = []
    return JuryFigures(
        installed=True,
        decisions=decisions.count(),
        appealed=appeals.count(),
        reversed_on_appeal=appeals.filter(state=Appeal.State.REVERSED).count(),
        extra=extra,
    )


def priority_band(severity: int) -> str:
    if severity >= 5:
        return "urgent"
    if severity >= 3:
        return "high"
    return "normal"


def dashboard_figures(*, now: datetime.datetime | None = None, days: int = DASHBOARD_DAYS) -> dict[str, Any]:
    """What the moderation dashboard shows: the live queue now, and the last `days` days' performance."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    live = list(Case.objects.exclude(state=Case.State.DECIDED).order_by("deadline"))
    open_by_band = _zeros(PRIORITY_BANDS)
    overdue_by_band = _zeros(PRIORITY_BANDS)
    for case in live:
        band = priority_band(case.severity)
        open_by_band[band] += 1
        if case.deadline < now:
            overdue_by_band[band] += 1
    decided = _first_decided_in(since, now + datetime.timedelta(microseconds=1))
    timings: dict[str, dict[str, Any]] = {}
    for tier in TIERS:
        cases = [t for t in decided if t.tier == tier]
        to_action = [t.hours_to_first_action for t in cases if t.hours_to_first_action is not None]
        to_decision = [t.hours_to_decision for t in cases if t.hours_to_decision is not None]
        timings[tier] = {
            "deadline_hours": int(settings.AGORA_MODERATION_DEADLINE_HOURS[tier]),
            "cases": len(cases),
            "first_action_median": median(to_action),
            "first_action_p90": p90(to_action),
            "decision_median": median(to_decision),
            "decision_p90": p90(to_decision),
            "within_deadline": sum(1 for t in cases if t.within_deadline),
            "within_deadline_share": ratio(sum(1 for t in cases if t.within_deadline), len(cases)),
        }
    opened = Case.objects.filter(opened_at__gte=since, opened_at__lt=now + datetime.timedelta(seconds=1))
    sources = _count(Case.Source.values, opened.values_list("source", flat=True))
    total_opened = sum(sources.values())
    daily = Counter(
        timezone.localtime(opened_at).date() for opened_at in opened.values_list("opened_at", flat=True)
    )
    first_day = timezone.localtime(since).date() + datetime.timedelta(days=1)
    held = Post.objects.filter(moderation_state=ModerationState.HELD)
    oldest_held = (
        Case.objects.filter(post__in=held).exclude(state=Case.State.DECIDED).order_by("opened_at").first()
    )
    resolved = Appeal.objects.filter(resolved_at__gte=since, resolved_at__lte=now)
    resolved_count = resolved.count()
    reversed_count = resolved.filter(state=Appeal.State.REVERSED).count()
    return {
        "now": now,
        "days": days,
        "open_by_priority": open_by_band,
        "overdue_by_priority": overdue_by_band,
        "open_total": len(live),
        "overdue_total": sum(overdue_by_band.values()),
        "under_appeal": sum(1 for case in live if case.state == Case.State.APPEALED),
        "timings": timings,
        "opened_by_source": sources,
        "opened_total": total_opened,
        "automatic_share": ratio(sources[Case.Source.SCREENING], total_opened),
        "reported_share": ratio(sources[Case.Source.REPORT], total_opened),
        "opened_per_day": [
            (day, daily.get(day, 0)) for day in (first_day + datetime.timedelta(days=i) for i in range(days))
        ],
        "held_posts": held.count(),
        "oldest_held_since": oldest_held.opened_at if oldest_held else None,
        "appeals_pending": Appeal.objects.filter(state=Appeal.State.PENDING).count(),
        "appeals_resolved": resolved_count,
        "appeals_reversed": reversed_count,
        "reversal_rate": ratio(reversed_count, resolved_count),
        "surge": surge_status(),
        "jury": jury_figures(since, now + datetime.timedelta(seconds=1)),
    }


# -- the moderation plan -------------------------------------------------------------------------------------


def team_sizes() -> dict[str, int]:
    """Active accounts per moderation role (superusers count as administrators)."""
    active = User.objects.filter(is_active=True)
    admins = active.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True)).count()
    moderators = active.filter(role=User.Role.MODERATOR, is_superuser=False).count()
    return {"administrators": admins, "moderators": moderators}


def rules_in_force() -> list[Rule]:
    return list(Rule.objects.filter(is_active=True).order_by("number"))


def law_enforcement_performance(since: datetime.datetime, until: datetime.datetime) -> dict[str, Any]:
    return _law_enforcement_figures(since, until)


def complaint_performance(since: datetime.datetime, until: datetime.datetime) -> dict[str, Any]:
    return _complaint_figures(since, until)


def flatten(figures: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`: the form of the CSV export and of the tests' comparisons."""
    flat: dict[str, Any] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def appeal_independence(since: datetime.datetime, until: datetime.datetime) -> dict[str, int]:
    """Resolved appeals in the window, and how many the deciding moderator resolved himself (should be 0)."""
    resolved = Appeal.objects.filter(resolved_at__gte=since, resolved_at__lt=until).exclude(
        state=Appeal.State.PENDING
    )
    same = resolved.filter(resolved_by__isnull=False, resolved_by=F("decision__moderator")).count()
    return {"resolved": resolved.count(), "by_original_moderator": same}


def statement_coverage(since: datetime.datetime, until: datetime.datetime) -> dict[str, int]:
    """Restrictive decisions in the window and how many have a statement of reasons (should be all)."""
    restrictive = Decision.objects.filter(
        created_at__gte=since, created_at__lt=until, action__in=sorted(Decision.RESTRICTIVE)
    )
    return {
        "restrictive_decisions": restrictive.count(),
        "with_statement": restrictive.filter(statement__isnull=False).count(),
    }


def notice_response(since: datetime.datetime, until: datetime.datetime) -> dict[str, Any]:
    """Reports received in the window: how many were answered within 24 hours (the app stores' promise)."""
    figures = _notice_figures(since, until, list(dsa.Category.values))
    return {
        "received": figures["total"],
        "answered_within_24h": figures["answered_within_24_hours"],
        "median_hours": figures["median_hours_to_decision"],
        "pending": figures["by_outcome"]["pending"],
    }
