"""Set-up for jury tests: known-answer cases, calibrated jurors, reported cases, made through the services."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.jury import services
from agora.jury.models import GoldCase, Verdict
from agora.moderation import dsa
from agora.moderation import services as moderation
from agora.moderation.models import Case, Rule
from agora.moderation.tests.factories import RuleFactory
from agora.posts import services as post_services

OLD = datetime.timedelta(days=90)


def grey_rule() -> Rule:
    return RuleFactory(
        title="Be civil", category=dsa.Category.OTHER_VIOLATION_TC, ground=dsa.Ground.INCOMPATIBLE
    )


def add_gold(rule: Rule, count: int = 6) -> list[GoldCase]:
    """Known-answer cases for `rule`, alternating "violates" and "fine"."""
    return [
        services.create_gold_case(
            moderator=None,
            rule=rule,
            text=f"Known-answer case {i} for rule {rule.number}",
            violates=i % 2 == 0,
            explanation="Settled by the moderators.",
        )
        for i in range(count)
    ]


def right_answers(rule: Rule) -> dict[str, str]:
    return {
        str(item.pk): Verdict.VIOLATES if item.violates else Verdict.DOES_NOT_VIOLATE
        for item in services.calibration_items(rule)
    }


def juror(rule: Rule, **fields: Any) -> User:
    """An account old enough to serve that passed the rule's calibration test."""
    user = UserFactory(date_joined=timezone.now() - OLD, **fields)
    services.submit_calibration(user=user, rule=rule, answers=right_answers(rule))
    return user


def jurors(rule: Rule, count: int, prefix: str = "juror") -> list[User]:
    return [juror(rule, username=f"{prefix}{i}") for i in range(count)]


def reported_case(
    rule: Rule, *, author: User | None = None, reporter: User | None = None, text: str = "You are all fools."
) -> Case:
    author = author or UserFactory(username="author")
    reporter = reporter or UserFactory(username="reporter")
    post = post_services.create_post(author=author, text=text)
    report = moderation.create_report(
        reporter=reporter, post=post, category=rule.category, explanation="Rude.", rules=[rule]
    )
    return report.case
