"""Jury pages: the docket and the vote form for jurors, calibration, the status page for staff."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.jury import services
from agora.jury.models import Calibration, DocketItem
from agora.jury.tests.factories import add_gold, grey_rule, jurors, reported_case, right_answers

pytestmark = pytest.mark.django_db


def _seated() -> tuple[User, DocketItem]:
    rule = grey_rule()
    add_gold(rule)
    jurors(rule, 7)
    jury = services.draw_jury(case=reported_case(rule, text="Unique reported words."), rng=random.Random(1))
    assert jury is not None
    seat = jury.seats.select_related("juror").first()
    assert seat is not None
    return seat.juror, seat


def test_docket_needs_login_and_shows_invitations_in_the_navigation(client: Any) -> None:
    assert client.get(reverse("jury:docket")).status_code == 302
    juror, seat = _seated()
    client.force_login(juror)
    page = client.get(reverse("jury:docket")).content.decode()
    assert 'data-testid="nav-jury"' in page and reverse("jury:badge") in page
    assert reverse("jury:item", args=[seat.pk]) in page
    open_items = DocketItem.objects.filter(juror=juror, voted_at__isnull=True).count()
    badge = client.get(reverse("jury:badge")).content.decode()
    assert 'data-testid="jury-invitations"' in badge and f">{open_items}</span>" in badge
    client.force_login(UserFactory(username="idle"))
    assert "jury-invitations" not in client.get(reverse("jury:badge")).content.decode()


def test_vote_form_shows_content_and_rule_question_but_no_tallies(client: Any) -> None:
    juror, seat = _seated()
    client.force_login(juror)
    page = client.get(reverse("jury:item", args=[seat.pk])).content.decode()
    assert "Unique reported words." in page and "Does this post break rule" in page
    assert "votes say" not in page and "p_violates" not in page


def test_violates_without_a_rule_is_a_form_error_not_a_server_error(client: Any) -> None:
    juror, seat = _seated()
    client.force_login(juror)
    response = client.post(reverse("jury:item", args=[seat.pk]), {"verdict": "violates", "rule": ""})
    assert response.status_code == 200
    assert "Say which rule it breaks." in response.content.decode()
    seat.refresh_from_db()
    assert seat.voted_at is None


def test_someone_elses_docket_item_is_404(client: Any) -> None:
    _juror, seat = _seated()
    client.force_login(UserFactory(username="nosy"))
    assert client.get(reverse("jury:item", args=[seat.pk])).status_code == 404
    assert client.get("/jury/items/not-a-uuid").status_code == 404


def test_gold_feedback_after_answering(client: Any) -> None:
    juror, _seat = _seated()
    gold_item = DocketItem.objects.filter(juror=juror, gold__isnull=False).select_related("gold").first()
    assert gold_item is not None and gold_item.gold is not None
    client.force_login(juror)
    verdict = "violates" if gold_item.gold.violates else "not"
    response = client.post(
        reverse("jury:item", args=[gold_item.pk]),
        {"verdict": verdict, "rule": str(gold_item.gold.rule_id) if verdict == "violates" else ""},
        follow=True,
    )
    page = response.content.decode()
    assert "This was a known-answer case." in page and "matches the settled answer" in page


def test_calibration_test_through_the_web(client: Any) -> None:
    rule = grey_rule()
    add_gold(rule)
    person = UserFactory(username="newjuror")
    client.force_login(person)
    assert rule.title in client.get(reverse("jury:calibration_list")).content.decode()
    url = reverse("jury:calibration", args=[rule.number])
    assert client.post(url, {}).status_code == 200  # unanswered: the form says so
    client.post(url, right_answers(rule))
    attempt = Calibration.objects.get(user=person)
    assert attempt.passed and attempt.correct == attempt.total


def test_status_page_is_for_moderators(client: Any) -> None:
    client.force_login(UserFactory(username="someone"))
    assert client.get(reverse("jury:status")).status_code == 403
    client.force_login(UserFactory(username="warden", role=User.Role.MODERATOR))
    page = client.get(reverse("jury:status")).content.decode()
    assert "Jury power by category" in page
    assert 'data-testid="nav-jury-status"' in client.get(reverse("moderation:queue")).content.decode()


def test_drawn_jurors_are_invited_by_email(run_on_commit: Any, mailoutbox: Any) -> None:
    rule = grey_rule()
    add_gold(rule)
    people = jurors(rule, 7)
    with run_on_commit():
        jury = services.draw_jury(case=reported_case(rule), rng=random.Random(1))
    assert jury is not None
    invited = {m.to[0] for m in mailoutbox if "community jury" in m.subject}
    assert invited == {p.email for p in people}
    assert all(reverse("jury:docket") in m.body for m in mailoutbox if "community jury" in m.subject)
