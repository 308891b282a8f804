"""Gold cases: reliability and the eligibility floor; the per-category circuit breaker."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.jury import services
from agora.jury.models import CategoryBreaker, DocketItem, JurorProfile, Jury, Verdict
from agora.jury.tests.factories import add_gold, grey_rule, jurors, reported_case
from agora.moderation.models import AuditEvent, Decision

pytestmark = pytest.mark.django_db


def _answer_gold(user: User, *, right: bool) -> DocketItem:
    item = (
        DocketItem.objects.filter(juror=user, gold__isnull=False, voted_at__isnull=True)
        .select_related("gold")
        .first()
    )
    assert item is not None and item.gold is not None
    says_violates = item.gold.violates if right else not item.gold.violates
    return services.cast_vote(
        juror=user,
        item=item,
        verdict=Verdict.VIOLATES if says_violates else Verdict.DOES_NOT_VIOLATE,
        rule=item.gold.rule if says_violates else None,
    )


def test_keeping_seeded_incitement_on_a_gold_case_ends_eligibility_and_the_juror_is_never_drawn_again() -> (
    None
):
    rule = grey_rule()
    add_gold(rule)
    people = jurors(rule, 8)
    jury = services.draw_jury(case=reported_case(rule), rng=random.Random(2))
    assert jury is not None
    seat = jury.seats.first()
    assert seat is not None
    partisan = seat.juror
    item = DocketItem.objects.filter(juror=partisan, gold__violates=True).first()
    assert item is not None
    item = services.cast_vote(juror=partisan, item=item, verdict=Verdict.DOES_NOT_VIOLATE)

    assert item.correct is False
    profile = JurorProfile.objects.get(user=partisan)
    assert profile.ineligible_since is not None and profile.reliability < 0.8
    assert "below the floor" in profile.ineligible_reason
    assert AuditEvent.objects.filter(event="jury.juror_ineligible", subject_user_id=partisan.pk).exists()
    for _ in range(5):
        case = reported_case(rule, author=UserFactory(), reporter=UserFactory())
        drawn = services.draw_jury(case=case, rng=random.Random(_))
        assert drawn is None or partisan.pk not in set(drawn.seats.values_list("juror_id", flat=True))
    pool = {pk for pk, _f in services.eligible_pool(rule=rule, now=timezone.now(), exclude=set())}
    assert partisan.pk not in pool and len(pool) == len(people) - 1


def test_right_gold_answers_raise_reliability_and_votes_on_real_cases_never_do() -> None:
    rule = grey_rule()
    add_gold(rule)
    jurors(rule, 7)
    jury = services.draw_jury(case=reported_case(rule), rng=random.Random(2))
    assert jury is not None
    seat = jury.seats.first()
    assert seat is not None
    before = JurorProfile.objects.get(user=seat.juror).reliability
    _answer_gold(seat.juror, right=True)
    after = JurorProfile.objects.get(user=seat.juror).reliability
    assert after > before
    # An opinion on a real case, however unpopular, changes nothing about standing.
    services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.DOES_NOT_VIOLATE)
    assert JurorProfile.objects.get(user=seat.juror).reliability == after


def test_circuit_breaker_trips_on_gold_accuracy_routes_the_category_to_staff_and_shows_why(
    settings: Any, client: Any
) -> None:
    settings.AGORA_JURY = {
        **settings.AGORA_JURY,
        "BREAKER_MIN_SAMPLE": 4,
        "GOLD_PROBATION": 0,
        "GOLD_SHARE": 0.5,
        "RELIABILITY_FLOOR": 0.0,
    }
    rule = grey_rule()
    add_gold(rule, count=12)
    people = jurors(rule, 7)
    first = services.draw_jury(case=reported_case(rule), rng=random.Random(4))
    assert first is not None and first.mode == Jury.Mode.DECIDE
    for person in people:
        if DocketItem.objects.filter(juror=person, gold__isnull=False, voted_at__isnull=True).exists():
            _answer_gold(person, right=False)

    breaker = CategoryBreaker.objects.get(category=rule.category)
    assert breaker.state == CategoryBreaker.State.TRIPPED and breaker.accuracy is not None
    assert breaker.accuracy < breaker.threshold and "threshold" in breaker.reason
    assert AuditEvent.objects.filter(event="jury.breaker_tripped").exists()

    case = reported_case(rule, author=UserFactory(), reporter=UserFactory())
    advisory = services.draw_jury(case=case, rng=random.Random(5))
    assert advisory is not None and advisory.mode == Jury.Mode.ADVISORY
    for seat in advisory.seats.all():
        services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.VIOLATES, rule=rule)
    advisory.refresh_from_db()
    case.refresh_from_db()
    assert advisory.state == Jury.State.ESCALATED and case.is_live
    assert not Decision.objects.filter(case=case).exists()

    client.force_login(UserFactory(username="warden", role=User.Role.MODERATOR))
    page = client.get(reverse("jury:status")).content.decode()
    assert "Tripped" in page and "threshold" in page
    # The moderation dashboard shows the breaker too, with the gold accuracy behind it.
    dashboard = client.get(reverse("transparency:dashboard")).content.decode()
    assert "Circuit breaker" in dashboard and "Categories with jury power switched off now" in dashboard
    assert "Accuracy on known-answer cases" in dashboard


def test_an_admin_can_switch_a_tripped_category_back_on(settings: Any, client: Any) -> None:
    rule = grey_rule()
    breaker = services.breaker_for(rule.category)
    CategoryBreaker.objects.filter(pk=breaker.pk).update(
        state=CategoryBreaker.State.TRIPPED, reason="Low accuracy."
    )
    moderator = UserFactory(username="warden", role=User.Role.MODERATOR)
    client.force_login(moderator)
    url = reverse("jury:reset_breaker", args=[rule.category])
    assert client.post(url, {"reason": "Pool recalibrated."}).status_code == 403
    client.force_login(UserFactory(username="boss", role=User.Role.ADMIN))
    response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    assert CategoryBreaker.objects.get(pk=breaker.pk).state == CategoryBreaker.State.TRIPPED
    client.post(url, {"reason": "Pool recalibrated."})
    breaker.refresh_from_db()
    assert breaker.state == CategoryBreaker.State.ON and breaker.reason == "Pool recalibrated."
