"""The review queue: urgent cases first within their short window, then overdue ones, flagged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.moderation import dsa, selectors, services
from agora.moderation.models import Case, Rule
from agora.posts import services as post_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def screening_off(settings: Any) -> None:
    """These tests report explicit threats; automated screening would hold them before anyone could report."""
    settings.AGORA_SCREENING_ENABLED = False


def _report(reporter: User, category: str, text: str) -> Case:
    author = UserFactory()
    post = post_services.create_post(author=author, text=text)
    return services.create_report(reporter=reporter, post=post, category=category, explanation="Look.").case


def test_fresh_violence_case_comes_before_an_overdue_low_severity_case(bob: User, moderator: User) -> None:
    spam = _report(bob, dsa.Category.OTHER_VIOLATION_TC, "Buy cheap watches")
    # The spam report is eight days old: past its seven-day deadline.
    Case.objects.filter(pk=spam.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=8),
        deadline=timezone.now() - datetime.timedelta(days=1),
    )
    later_spam = _report(bob, dsa.Category.OTHER_VIOLATION_TC, "More watches")
    violence = _report(bob, dsa.Category.VIOLENCE, "I will shoot the mayor tomorrow")
    assert violence.deadline - violence.opened_at == datetime.timedelta(hours=1)
    assert later_spam.deadline - later_spam.opened_at == datetime.timedelta(days=7)

    queue = list(selectors.review_queue(moderator))
    assert [case.pk for case in queue] == [violence.pk, spam.pk, later_spam.pk]
    assert [case.overdue for case in queue] == [False, True, False]

    client = Client()
    client.force_login(moderator)
    page = client.get(reverse("moderation:queue")).content.decode()
    assert page.index(str(violence.pk)) < page.index(str(spam.pk)) < page.index(str(later_spam.pk))
    assert page.count('data-testid="overdue"') == 1
    assert "overdue by 24 hours" in page


def test_overdue_violence_case_still_leads_and_overdue_cases_precede_fresh_ones(
    bob: User, moderator: User
) -> None:
    fresh_illegal = _report(bob, dsa.Category.SCAMS_AND_FRAUD, "Send me your bank login")
    overdue_violence = _report(bob, dsa.Category.VIOLENCE, "threat")
    Case.objects.filter(pk=overdue_violence.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=5)
    )
    overdue_spam = _report(bob, dsa.Category.OTHER_VIOLATION_TC, "spam")
    Case.objects.filter(pk=overdue_spam.pk).update(deadline=timezone.now() - datetime.timedelta(hours=2))
    queue = list(selectors.review_queue(moderator))
    assert [case.pk for case in queue] == [overdue_violence.pk, overdue_spam.pk, fresh_illegal.pk]
    assert fresh_illegal.deadline - fresh_illegal.opened_at == datetime.timedelta(hours=24)


def test_a_graver_second_report_raises_severity_and_shortens_the_deadline(bob: User, carol: User) -> None:
    author = UserFactory(followers_count=10_000)
    post = post_services.create_post(author=author, text="something")
    first = services.create_report(
        reporter=bob, post=post, category=dsa.Category.OTHER_VIOLATION_TC, explanation="x"
    )
    case = first.case
    seven_days = case.deadline
    services.create_report(reporter=carol, post=post, category=dsa.Category.VIOLENCE, explanation="a threat")
    case.refresh_from_db()
    assert case.severity == 5 and case.category == dsa.Category.VIOLENCE
    assert case.deadline < seven_days
    # Reach raises priority: the same severity with a large audience outranks a small one.
    assert case.priority > services.compute_priority(5, 0)


def test_muted_reporter_reports_do_not_raise_priority(bob: User, moderator: User) -> None:
    services.set_reporter_muted(
        moderator=moderator, user=bob, muted=True, reason="Dozens of unfounded reports."
    )
    case = _report(bob, dsa.Category.VIOLENCE, "an ordinary post")
    assert case.severity == 1
    assert case.deadline - case.opened_at == datetime.timedelta(days=7)
    assert case.reports.get().deprioritised


def test_queue_is_for_moderators_only(bob: User) -> None:
    client = Client()
    assert client.get(reverse("moderation:queue")).status_code == 302
    client.force_login(bob)
    assert client.get(reverse("moderation:queue")).status_code == 403


def test_rules_exist_after_migration() -> None:
    assert Rule.objects.filter(is_active=True).count() >= 8
    for rule in Rule.objects.all():
        assert rule.category in dsa.Category.values
        assert all(keyword in dsa.KEYWORDS for keyword in rule.category_specification)
        if rule.ground == dsa.Ground.ILLEGAL:
            assert rule.legal_ground
