"""A moderation scenario for a seeded instance (`agora moderation scenario`): weeks of reports, screening
holds, decisions, appeals and law-enforcement notifications, made through the real services so every record
(cases, decisions, statements of reasons, strikes, audit log) is what production would write.

The clock is moved with `time_machine` for each step, so the cases spread over the past days with realistic
waiting times; nothing is written into the tables directly. The same seed gives the same scenario on the same
seeded community.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.db.models import Q
from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.services import create_account_by_operator
from agora.moderation import dsa, services
from agora.moderation.models import Case, Decision, Rule
from agora.posts import services as post_services
from agora.posts.models import ModerationState, Post, Visibility

THREATS = [
    "Bring your guns and hang Senator {name} on January 6th.",
    "Readers should bring guns and shoot Judge {name} at the courthouse tomorrow.",
    "Bringt eure Waffen mit und hängt Bürgermeister {name} am Samstag vor dem Rathaus auf!",
    "Everyone bring rifles and kill the {name} family at their house tonight.",
]
BORDERLINE = [
    "Traitors like {name} should all be hanged.",
    "Someone should teach {name} a lesson they will never forget.",
    "Verräter wie {name} gehören alle aufgehängt.",
]
NAMES = ["Miller", "Ross", "Weber", "Schmidt", "Keller", "Novak", "Berger", "Fischer"]
REPORT_REASONS = {
    dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH: "Insults a group of people for who they are.",
    dsa.Category.SCAMS_AND_FRAUD: "Links to a fake giveaway that asks for bank details.",
    dsa.Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS: "Posts someone's home address.",
    dsa.Category.OTHER_VIOLATION_TC: "Graphic picture without a content warning.",
    dsa.Category.VIOLENCE: "Reads like a threat against a neighbour.",
}


class ScenarioError(Exception):
    """The instance cannot host the scenario (e.g. nobody to report or be reported: seed it first)."""


@dataclass
class ScenarioResult:
    cases: int = 0
    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        parts = ", ".join(f"{value} {key}" for key, value in sorted(self.counts.items()))
        return f"{self.cases} cases: {parts}"


@contextmanager
def _at(moment: datetime.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def _team(rng: random.Random) -> list[User]:
    """The moderators the scenario decides with; creates a small staff team when there is none."""
    team = list(
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[User.Role.MODERATOR, User.Role.ADMIN]) | Q(is_superuser=True))
        .order_by("username")
    )
    for name in ("mod_anna", "mod_ben", "mod_cem"):
        if len(team) >= 3:
            break
        if User.objects.filter(username=name).exists():
            continue
        team.append(
            create_account_by_operator(
                username=name,
                email=f"{name}@moderators.invalid",
                password=f"{name}-{rng.randrange(10**9)}-Scenario!",
                role=User.Role.MODERATOR,
                confirmed=True,
            )
        )
    return team


def run_scenario(
    *, cases: int = 60, days: int = 28, seed: int = 1, now: datetime.datetime | None = None
) -> ScenarioResult:
    """Play `cases` moderation stories over the last `days` days on the existing community."""
    rng = random.Random(seed)
    now = now or timezone.now()
    people = list(
        User.objects.filter(is_active=True, role=User.Role.USER, is_superuser=False).order_by("username")[
            :400
        ]
    )
    if len(people) < 6:
        raise ScenarioError("the scenario needs at least 6 ordinary accounts: run `agora seed` first")
    team = _team(rng)
    rules = {rule.number: rule for rule in Rule.objects.filter(is_active=True)}
    if 1 not in rules:
        raise ScenarioError("rule 1 (violence) is missing or not in force")
    public_posts = list(
        Post.objects.filter(
            visibility=Visibility.PUBLIC,
            moderation_state=ModerationState.PUBLISHED,
            repost_of__isnull=True,
            author__in=people,
        )
        .exclude(moderation_cases__isnull=False)
        .order_by("id")[: cases * 3]
    )
    result = ScenarioResult()
    start = now - datetime.timedelta(days=days)
    stories: list[Callable[..., None]] = [
        _held_threat,
        _held_threat,
        _borderline,
        _user_report,
        _user_report,
        _user_report,
        _notice,
        _account_report,
    ]
    for _index in range(cases):
        # Later stories are more likely to be still open, as in a real queue.
        opened = start + datetime.timedelta(seconds=rng.uniform(0, days * 86400 - 3600))
        story = rng.choice(stories)
        context = _Context(rng=rng, now=now, people=people, team=team, rules=rules, posts=public_posts)
        story(context, opened, result)
        result.cases += 1
        result.counts[story.__name__.strip("_")] += 1
    return result


@dataclass
class _Context:
    rng: random.Random
    now: datetime.datetime
    people: list[User]
    team: list[User]
    rules: dict[int, Rule]
    posts: list[Post]

    def person(self, *, other_than: User | None = None) -> User:
        while True:
            person = self.rng.choice(self.people)
            person.refresh_from_db()
            if person.is_active and person != other_than:
                return person

    def moderator(self, *, other_than: Any = None) -> User:
        choices = [m for m in self.team if m.pk != other_than] or self.team
        return self.rng.choice(choices)

    def rule(self, number: int) -> Rule:
        return self.rules.get(number) or self.rules[1]

    def later(
        self, moment: datetime.datetime, low_hours: float, high_hours: float
    ) -> datetime.datetime | None:
        """A moment after `moment`, or None when it would be in the future (the case is still waiting)."""
        value = moment + datetime.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        return value if value < self.now - datetime.timedelta(minutes=1) else None


def _claim_and_decide(
    ctx: _Context,
    case: Case,
    opened: datetime.datetime,
    decide: Callable[[User], Decision],
    *,
    hours: tuple[float, float],
    result: ScenarioResult,
) -> tuple[Decision, User] | None:
    moderator = ctx.moderator()
    claimed = ctx.later(opened, hours[0] * 0.3, hours[0])
    if claimed is None:
        result.counts["left open"] += 1
        return None
    with _at(claimed):
        services.claim_case(moderator=moderator, case=case)
    decided = ctx.later(claimed, hours[0] * 0.2, hours[1])
    if decided is None:
        result.counts["left open"] += 1
        return None
    with _at(decided):
        decision = decide(moderator)
    return decision, moderator


def _maybe_appeal(
    ctx: _Context, decision: Decision, appellant: User, result: ScenarioResult, *, chance: float
) -> None:
    if ctx.rng.random() >= chance:
        return
    filed = ctx.later(decision.created_at, 2, 72)
    if filed is None:
        return
    with _at(filed):
        appeal = services.file_appeal(
            appellant=appellant, decision=decision, text="I think this was a mistake."
        )
    result.counts["appeals"] += 1
    resolved = ctx.later(filed, 4, 96)
    if resolved is None:
        return
    reviewer = appeal.assigned_to or ctx.moderator(other_than=decision.moderator_id)
    reverse = ctx.rng.random() < 0.3
    with _at(resolved):
        if appeal.is_reporter:
            services.decide_appeal(
                moderator=reviewer,
                appeal=appeal,
                reverse=reverse,
                reasons="A second moderator looked at the report again.",
                action=Decision.Action.REMOVE if reverse and decision.case.post_id else Decision.Action.WARN,
                rule=ctx.rule(4),
            )
        else:
            services.decide_appeal(
                moderator=reviewer,
                appeal=appeal,
                reverse=reverse,
                reasons="A second moderator reviewed the decision and the context.",
            )
    result.counts["appeals reversed" if reverse else "appeals upheld"] += 1


def _held_threat(ctx: _Context, opened: datetime.datetime, result: ScenarioResult) -> None:
    author = ctx.person()
    text = ctx.rng.choice(THREATS).format(name=ctx.rng.choice(NAMES))
    with _at(opened):
        post = post_services.create_post(author=author, text=text)
    case = Case.objects.filter(post=post).order_by("-opened_at").first()
    if case is None:  # screening switched off: report it instead
        with _at(opened):
            services.create_report(
                reporter=ctx.person(other_than=author),
                post=post,
                category=dsa.Category.VIOLENCE,
                explanation="Calls for violence against a named person.",
            )
        case = Case.objects.filter(post=post).order_by("-opened_at").first()
        assert case is not None
    result.counts["held posts"] += post.moderation_state == ModerationState.HELD
    false_alarm = ctx.rng.random() < 0.12

    def decide(moderator: User) -> Decision:
        if false_alarm:
            return services.decide_case(
                case=case,
                action=Decision.Action.RESTORE,
                moderator=moderator,
                explanation="Quoted in a news context; not a call to violence.",
            )
        return services.decide_case(
            case=case,
            action=Decision.Action.REMOVE,
            rule=ctx.rule(1),
            moderator=moderator,
            explanation="The post calls on readers to kill a named person.",
        )

    outcome = _claim_and_decide(ctx, case, opened, decide, hours=(0.3, 1.4), result=result)
    if outcome is None:
        return
    decision, moderator = outcome
    if not false_alarm and ctx.rng.random() < 0.35:
        with _at(decision.created_at + datetime.timedelta(minutes=ctx.rng.uniform(2, 25))):
            services.record_law_enforcement_notice(
                moderator=moderator,
                case=case,
                authority=ctx.rng.choice(
                    ["Polizei Berlin (Internetwache)", "Europol EU IRU", "Landeskriminalamt NRW"]
                ),
                reference=f"REF-{ctx.rng.randrange(10000, 99999)}",
            )
        result.counts["law-enforcement notices"] += 1
    if not false_alarm and ctx.rng.random() < 0.4:
        suspend_at = decision.created_at + datetime.timedelta(minutes=5)
        account_case = None
        with _at(suspend_at):
            account_case = services.open_or_join_case(
                source=Case.Source.MODERATOR, category=dsa.Category.VIOLENCE, account=author, actor=moderator
            )
            services.decide_case(
                case=account_case,
                action=Decision.Action.SUSPEND,
                rule=ctx.rule(1),
                moderator=moderator,
                duration=datetime.timedelta(days=30),
                explanation="Repeated calls to violence: the account is suspended for 30 days.",
            )
        result.counts["suspensions"] += 1
        return
    if not false_alarm:
        _maybe_appeal(ctx, decision, author, result, chance=0.3)


def _borderline(ctx: _Context, opened: datetime.datetime, result: ScenarioResult) -> None:
    author = ctx.person()
    with _at(opened):
        post = post_services.create_post(
            author=author, text=ctx.rng.choice(BORDERLINE).format(name=ctx.rng.choice(NAMES))
        )
    case = Case.objects.filter(post=post).exclude(state=Case.State.DECIDED).first()
    if case is None:
        return
    action = ctx.rng.choice([Decision.Action.LIMIT, Decision.Action.DISMISS, Decision.Action.REMOVE])

    def decide(moderator: User) -> Decision:
        return services.decide_case(
            case=case,
            action=action,
            rule=None if action == Decision.Action.DISMISS else ctx.rule(4),
            moderator=moderator,
            explanation="Hostile, but no call to act."
            if action == Decision.Action.DISMISS
            else "Dehumanising language.",
        )

    outcome = _claim_and_decide(ctx, case, opened, decide, hours=(0.3, 1.3), result=result)
    if outcome and action != Decision.Action.DISMISS:
        _maybe_appeal(ctx, outcome[0], author, result, chance=0.4)


def _report_subject(ctx: _Context) -> Post | None:
    while ctx.posts:
        post = ctx.posts.pop()
        post.refresh_from_db()
        if post.moderation_state == ModerationState.PUBLISHED and post.author.is_active:
            return post
    return None


def _user_report(ctx: _Context, opened: datetime.datetime, result: ScenarioResult) -> None:
    post = _report_subject(ctx)
    if post is None:
        return
    category = ctx.rng.choice(list(REPORT_REASONS))
    reporter = ctx.person(other_than=post.author)
    with _at(opened):
        report = services.create_report(
            reporter=reporter, post=post, category=category, explanation=REPORT_REASONS[category]
        )
    case = report.case
    dismissed = ctx.rng.random() < 0.55
    rule_number = {
        dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH: 4,
        dsa.Category.SCAMS_AND_FRAUD: 6,
        dsa.Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS: 5,
        dsa.Category.OTHER_VIOLATION_TC: 8,
        dsa.Category.VIOLENCE: 1,
    }[category]
    action = Decision.Action.LABEL if rule_number == 8 else Decision.Action.REMOVE

    def decide(moderator: User) -> Decision:
        if dismissed:
            return services.decide_case(
                case=case,
                action=Decision.Action.DISMISS,
                moderator=moderator,
                explanation="The post does not break the rules or the law.",
            )
        return services.decide_case(
            case=case,
            action=action,
            rule=ctx.rule(rule_number),
            moderator=moderator,
            explanation="The post breaks the rule cited.",
            content_warning="Graphic content" if action == Decision.Action.LABEL else "",
        )

    tier_hours = (
        (0.3, 1.2) if category == dsa.Category.VIOLENCE else (2, 40) if rule_number in (5, 4, 6) else (5, 150)
    )
    outcome = _claim_and_decide(ctx, case, opened, decide, hours=tier_hours, result=result)
    if outcome is None:
        return
    if dismissed:
        _maybe_appeal(ctx, outcome[0], reporter, result, chance=0.25)
    else:
        _maybe_appeal(ctx, outcome[0], post.author, result, chance=0.3)


def _notice(ctx: _Context, opened: datetime.datetime, result: ScenarioResult) -> None:
    post = _report_subject(ctx)
    if post is None:
        return
    with _at(opened):
        report = services.create_report(
            reporter=None,
            post=post,
            category=dsa.Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS,
            explanation="This post publishes my home address and phone number.",
            reporter_name="A. Notifier",
            reporter_email="notifier@example.org",
            is_illegal_notice=True,
            bona_fide=True,
        )
    case = report.case

    def decide(moderator: User) -> Decision:
        return services.decide_case(
            case=case,
            action=Decision.Action.REMOVE,
            rule=ctx.rule(5),
            moderator=moderator,
            explanation="The post shares a private address without consent.",
        )

    _claim_and_decide(ctx, case, opened, decide, hours=(1, 30), result=result)


def _account_report(ctx: _Context, opened: datetime.datetime, result: ScenarioResult) -> None:
    account = ctx.person()
    reporter = ctx.person(other_than=account)
    with _at(opened):
        report = services.create_report(
            reporter=reporter,
            account=account,
            category=dsa.Category.SCAMS_AND_FRAUD,
            explanation="This account sends the same investment offer to everyone.",
        )
    case = report.case
    warn = ctx.rng.random() < 0.6

    def decide(moderator: User) -> Decision:
        if warn:
            return services.decide_case(
                case=case,
                action=Decision.Action.WARN,
                rule=ctx.rule(6),
                moderator=moderator,
                explanation="Repeated unsolicited offers: a warning.",
            )
        return services.decide_case(
            case=case,
            action=Decision.Action.DISMISS,
            moderator=moderator,
            explanation="Nothing against the rules found on the account.",
        )

    outcome = _claim_and_decide(ctx, case, opened, decide, hours=(5, 120), result=result)
    if outcome and warn:
        _maybe_appeal(ctx, outcome[0], account, result, chance=0.3)
