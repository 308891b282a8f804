"""A moderator works a case from the queue to a decision in headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from agora.accounts.models import User
from agora.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from agora.moderation import dsa, services
from agora.moderation.models import AuditEvent, Case, ModerationNotice
from agora.moderation.tests.factories import ensure_default_rules
from agora.posts import services as post_services
from agora.posts.models import ModerationState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moderator_works_a_case_from_the_queue_to_a_decision(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    ensure_default_rules()
    author = UserFactory(username="ranter")
    reporter = UserFactory(username="witness")
    UserFactory(username="warden", role=User.Role.MODERATOR)
    post = post_services.create_post(author=author, text="Bring your rifles to the council meeting tonight")
    services.create_report(
        reporter=reporter, post=post, category=dsa.Category.VIOLENCE, explanation="Calls for armed violence."
    )
    base_url = live_server.url
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Username or e-mail").fill("warden")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")

    page.get_by_test_id("nav-moderation").click()
    queue = page.get_by_test_id("queue")
    expect(queue).to_contain_text("@ranter")
    expect(queue).to_contain_text("left")
    page.get_by_test_id("case-link").first.click()

    expect(page.get_by_test_id("case-summary")).to_contain_text("Violence")
    expect(page.locator("main")).to_contain_text("Bring your rifles to the council meeting tonight")
    expect(page.locator("main")).to_contain_text("Calls for armed violence.")
    page.get_by_test_id("claim").click()
    expect(page.get_by_test_id("case-summary")).to_contain_text("assigned to @warden")

    form = page.get_by_test_id("decide-form")
    form.get_by_label("Action").select_option("remove")
    form.get_by_label("Rule").select_option(
        label="1. No calls to violence, threats or glorification of violence"
    )
    form.get_by_label("Explanation for the people involved").fill(
        "The post calls on readers to bring rifles."
    )
    page.get_by_test_id("decide").click()

    page.wait_for_url(f"{base_url}/moderation/")
    expect(page.locator(".messages")).to_contain_text("Decided: Remove.")
    expect(page.get_by_test_id("queue")).to_contain_text("Nothing to review")

    post.refresh_from_db()
    assert post.moderation_state == ModerationState.REMOVED
    case = Case.objects.get()
    assert case.state == Case.State.DECIDED and case.assigned_to is not None
    assert AuditEvent.objects.filter(case=case, event="decision.remove", actor_name="warden").exists()
    assert ModerationNotice.objects.filter(recipient=author, kind=ModerationNotice.Kind.DECISION).exists()
    context.close()
