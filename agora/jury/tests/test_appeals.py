"""An appeal against a jury decision goes to a fresh, larger, disjoint jury, then to staff sign-off."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.jury import services
from agora.jury.models import Jury, Verdict
from agora.jury.tests.factories import add_gold, grey_rule, jurors, reported_case
from agora.jury.tests.test_counting import _learned_axis
from agora.moderation import services as moderation
from agora.moderation.models import Appeal, Decision
from agora.posts.models import ModerationState

pytestmark = pytest.mark.django_db


def test_appeal_goes_to_a_larger_disjoint_jury_and_staff_signs_off(client: Any) -> None:
    rule = grey_rule()
    add_gold(rule)
    people = jurors(rule, 20)
    _learned_axis(people, [0.5 if i % 2 else -0.5 for i in range(20)])
    author = UserFactory(username="author")
    case = reported_case(rule, author=author)
    first = services.draw_jury(case=case, rng=random.Random(1))
    assert first is not None
    for seat in first.seats.all():
        services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.VIOLATES, rule=rule)
    first.refresh_from_db()
    assert first.decision is not None and first.decision.action == Decision.Action.REMOVE

    appeal = moderation.file_appeal(appellant=author, decision=first.decision, text="It was satire.")
    result = services.tick(rng=random.Random(2))
    assert result["appeal_juries"] == 1
    second = Jury.objects.get(appeal=appeal)
    assert second.kind == Jury.Kind.APPEAL and second.size == 11
    first_jurors = set(first.seats.values_list("juror_id", flat=True))
    second_jurors = set(second.seats.values_list("juror_id", flat=True))
    assert len(second_jurors) == 11 and not first_jurors & second_jurors

    for seat in second.seats.all():
        services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.DOES_NOT_VIOLATE, reason="Satire.")
    second.refresh_from_db()
    assert second.state == Jury.State.AWAITING_SIGNOFF and second.outcome == Jury.Outcome.KEEP
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.PENDING  # nothing changes before staff signs off

    staff = UserFactory(username="warden", role=User.Role.MODERATOR)
    client.force_login(staff)
    status_page = client.get(reverse("jury:status")).content.decode()
    assert 'data-testid="signoff"' in status_page and "Appeal jury recommends: Keep" in status_page
    url = reverse("jury:sign_off", args=[second.pk])
    client.post(url, {"reverse": "1", "reasons": ""})  # no reasons: refused, nothing changes
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.State.PENDING
    response = client.post(url, {"reverse": "1", "reasons": "The appeal jury is right."}, follow=True)
    assert "Signed off." in response.content.decode()
    appeal.refresh_from_db()
    second.refresh_from_db()
    assert appeal.state == Appeal.State.REVERSED and appeal.resolved_by == staff
    assert second.state == Jury.State.SIGNED_OFF
    post = case.post
    assert post is not None
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.PUBLISHED
