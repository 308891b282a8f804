"""A juror gets an invitation, votes in headless Chromium, and the case resolves."""

from __future__ import annotations

import random
from typing import Any

import pytest

from agora.accounts.tests.factories import DEFAULT_PASSWORD
from agora.jury import services
from agora.jury.models import DocketItem, Jury, Verdict
from agora.jury.tests.factories import add_gold, grey_rule, jurors, reported_case
from agora.jury.tests.test_counting import _learned_axis
from agora.moderation.models import Case, Decision
from agora.posts.models import ModerationState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_juror_gets_an_invitation_votes_and_the_case_resolves(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    rule = grey_rule()
    add_gold(rule)
    people = jurors(rule, 7)
    _learned_axis(people, [0.5 if i % 2 else -0.5 for i in range(7)])
    case = reported_case(rule, text="You are all worthless idiots.")
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None
    seats = list(jury.seats.select_related("juror").order_by("juror__username"))
    me = seats[0].juror
    for seat in seats[1:]:
        services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.VIOLATES, rule=rule)
    assert Case.objects.get(pk=case.pk).is_live

    base_url = live_server.url
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Username or e-mail").fill(me.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")

    open_items = DocketItem.objects.filter(juror=me, voted_at__isnull=True).count()
    expect(page.get_by_test_id("jury-invitations")).to_have_text(str(open_items))
    page.get_by_test_id("nav-jury").click()
    saw_gold_feedback = saw_content = False
    for _ in range(open_items):
        page.get_by_test_id("docket-item").first.click()
        content = page.get_by_test_id("item-content").inner_text()
        saw_content = saw_content or "You are all worthless idiots." in content
        form = page.get_by_test_id("vote-form")
        form.get_by_label("Violates the rule").check()
        form.get_by_label("Rule", exact=True).select_option(label=str(rule))
        form.get_by_label("Reason (optional)").fill("Insults everyone.")
        page.get_by_test_id("cast-vote").click()
        expect(page.locator(".messages")).to_contain_text("your vote is recorded")
        saw_gold_feedback = saw_gold_feedback or page.get_by_test_id("gold-feedback").count() > 0
        if page.get_by_test_id("jury-state").count():
            expect(page.get_by_test_id("jury-state")).to_contain_text("Decided by the jury")
        page.get_by_role("link", name="Back to your docket").click()
    expect(page.get_by_test_id("docket")).to_contain_text("No open invitations.")
    assert saw_content and saw_gold_feedback

    jury.refresh_from_db()
    case.refresh_from_db()
    assert jury.state == Jury.State.DECIDED and case.state == Case.State.DECIDED
    decision = Decision.objects.get(case=case)
    assert decision.decided_by == Decision.DecidedBy.JURY and "Insults everyone." in decision.explanation
    assert case.post is not None and case.post.moderation_state == ModerationState.REMOVED
    context.close()
