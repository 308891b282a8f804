"""Who may be drawn: the eligible pool, exclusions, gold on the docket, stratification."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from agora.accounts.models import Follow, User
from agora.accounts.tests.factories import UserFactory
from agora.jury import conf, services
from agora.jury.models import DocketItem, JurorProfile, Jury, ViewpointFit
from agora.jury.tests.factories import add_gold, grey_rule, juror, jurors, reported_case, right_answers
from agora.moderation.models import AuditEvent, Decision, Strike
from agora.posts import services as post_services

pytestmark = pytest.mark.django_db


def test_author_reporter_their_two_hop_circle_and_involved_parties_are_never_drawn() -> None:
    rule = grey_rule()
    add_gold(rule)
    author, reporter = juror(rule, username="author"), juror(rule, username="reporter")
    friend = juror(rule, username="friend")  # follows the author
    friend_of_friend = juror(rule, username="fof")  # followed by the friend: two hops
    replier = juror(rule, username="replier")  # replied to the reporter
    far = juror(rule, username="far")  # three hops from the author: may sit
    Follow.objects.create(follower=friend, followee=author)
    Follow.objects.create(follower=friend, followee=friend_of_friend)
    Follow.objects.create(follower=friend_of_friend, followee=far)
    reporter_post = post_services.create_post(author=reporter, text="My opinion.")
    post_services.create_post(author=replier, text="I disagree.", in_reply_to=reporter_post)
    strangers = jurors(rule, 6, prefix="stranger")
    case = reported_case(rule, author=author, reporter=reporter)

    excluded = {author.pk, reporter.pk, friend.pk, friend_of_friend.pk, replier.pk}
    assert excluded <= services.social_circle(services.involved_parties(case))
    jury = services.draw_jury(case=case, rng=random.Random(3))

    assert jury is not None and jury.size == 7
    drawn = set(jury.seats.values_list("juror_id", flat=True))
    # Exactly seven people remain eligible, so the lot must take all of them and none of the others.
    assert drawn == {far.pk, *(s.pk for s in strangers)}
    assert not drawn & excluded


def test_pool_leaves_out_new_uncalibrated_struck_opted_out_and_capped_accounts() -> None:
    rule = grey_rule()
    add_gold(rule)
    now = timezone.now()
    regulars = jurors(rule, 3)
    newcomer = UserFactory(username="newcomer", date_joined=now - datetime.timedelta(days=3))
    services.submit_calibration(user=newcomer, rule=rule, answers=right_answers(rule))
    UserFactory(username="uncalibrated", date_joined=now - datetime.timedelta(days=90))
    struck = juror(rule, username="struck")
    opted_out = juror(rule, username="optedout")
    JurorProfile.objects.filter(user=opted_out).update(opted_out=True)
    case = reported_case(rule)
    decision = Decision.objects.create(case=case, action="warn", explanation="x", rule=rule)
    Strike.objects.create(
        user=struck, decision=decision, rule=rule, expires_at=now + datetime.timedelta(days=9)
    )
    busy = juror(rule, username="busy")
    for _ in range(10):
        other = reported_case(rule, author=UserFactory(), reporter=UserFactory())
        jury = Jury.objects.create(case=other, mode="decide", category=rule.category, size=7, deadline=now)
        DocketItem.objects.create(juror=busy, jury=jury, created_at=now, deadline=now)

    pool = {pk for pk, _factor in services.eligible_pool(rule=rule, now=now, exclude=set())}

    names = {u.pk: u.username for u in User.objects.all()}
    assert {u.pk for u in regulars} <= pool
    assert not {names[pk] for pk in pool} & {"newcomer", "uncalibrated", "struck", "optedout", "busy"}


def test_failed_calibration_keeps_a_person_out_of_the_pool() -> None:
    rule = grey_rule()
    add_gold(rule)
    person = UserFactory(date_joined=timezone.now() - datetime.timedelta(days=90))
    wrong = {
        key: ("not" if value == "violates" else "violates") for key, value in right_answers(rule).items()
    }
    result = services.submit_calibration(user=person, rule=rule, answers=wrong)
    assert not result.passed
    assert person.pk not in {
        pk for pk, _f in services.eligible_pool(rule=rule, now=timezone.now(), exclude=set())
    }


def test_a_new_jurors_docket_starts_with_known_answer_cases() -> None:
    rule = grey_rule()
    add_gold(rule)
    jurors(rule, 7)
    jury = services.draw_jury(case=reported_case(rule), rng=random.Random(1))
    assert jury is not None
    for seat in jury.seats.all():
        items = list(DocketItem.objects.filter(juror=seat.juror))
        gold = [i for i in items if i.gold_id is not None]
        assert len(gold) == conf.get("GOLD_PROBATION") and items[-1] == seat  # listed before the seat


def test_draw_takes_half_the_seats_from_each_pole_of_the_viewpoint_axis() -> None:
    rule = grey_rule()
    add_gold(rule)
    majority = jurors(rule, 20, prefix="maj")
    minority = jurors(rule, 3, prefix="min")
    for user in majority:
        JurorProfile.objects.filter(user=user).update(viewpoint=0.8, intercept=0.0)
    for user in minority:
        JurorProfile.objects.filter(user=user).update(viewpoint=-0.8, intercept=0.0)
    ViewpointFit.objects.create(mu=0.5, raters=23, items=40, ratings=400, pool_variance=0.4)

    jury = services.draw_jury(case=reported_case(rule), rng=random.Random(5))

    assert jury is not None and jury.stratified
    drawn = set(jury.seats.values_list("juror_id", flat=True))
    assert {u.pk for u in minority} <= drawn  # 3 of 7 seats from a pole that is 13 % of the pool
    assert AuditEvent.objects.filter(event="jury.drawn", case=jury.case).exists()


def test_too_small_a_pool_leaves_the_case_with_staff() -> None:
    rule = grey_rule()
    add_gold(rule)
    jurors(rule, 4)
    case = reported_case(rule)
    assert services.draw_jury(case=case) is None
    assert AuditEvent.objects.filter(event="jury.pool_too_small", case=case).exists()
    case.refresh_from_db()
    assert case.is_live
