"""A moderator opens the dashboard from the moderation navigation in headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from agora.accounts.models import User
from agora.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from agora.moderation import dsa, services
from agora.moderation.tests.factories import ensure_default_rules
from agora.posts import services as post_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THREAT = "Readers should bring guns and hang Senator Miller and Judge Ross on January 6th."


def test_a_moderator_reads_the_dashboard(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    ensure_default_rules()
    author = UserFactory(username="ranter")
    reporter = UserFactory(username="witness")
    warden = UserFactory(username="warden", role=User.Role.MODERATOR)
    post_services.create_post(author=author, text=THREAT)  # held: an urgent case
    spam = post_services.create_post(author=reporter, text="Cheap watches here")
    report = services.create_report(
        reporter=author, post=spam, category=dsa.Category.SCAMS_AND_FRAUD, explanation="Spam."
    )
    services.decide_case(
        case=report.case,
        action="remove",
        rule=services.Rule.objects.get(number=6),
        moderator=warden,
        explanation="Spam.",
    )

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    base_url = live_server.url
    page.goto(f"{base_url}/login")
    page.get_by_label("Username or e-mail").fill("warden")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")

    page.get_by_test_id("nav-moderation").click()
    page.get_by_test_id("nav-dashboard").click()
    page.wait_for_url(f"{base_url}/moderation/dashboard")
    expect(page.get_by_role("heading", name="Moderation", exact=True)).to_be_visible()
    expect(page.get_by_test_id("tile-open")).to_contain_text("1")
    expect(page.get_by_test_id("tile-held")).to_contain_text("held posts awaiting review")
    expect(page.get_by_test_id("tile-held").locator("strong")).to_have_text("1")
    expect(page.get_by_test_id("tile-surge")).to_contain_text("surge mode")
    expect(page.get_by_test_id("timings")).to_contain_text("Threats and violence")
    expect(page.get_by_test_id("timings").locator("tr[data-tier=illegal] td").nth(1)).to_have_text("1")
    expect(page.get_by_test_id("open-by-priority")).to_contain_text("Urgent (threats, violence)")

    # Every chart is an image with an accessible name and description, and is drawn (has bars).
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(4)
    for index in range(4):
        chart = charts.nth(index)
        expect(chart).to_have_attribute("role", "img")
        title_id, desc_id = chart.get_attribute("aria-labelledby").split()
        assert page.locator(f"#{title_id}").text_content()
        assert page.locator(f"#{desc_id}").text_content()
        assert chart.bounding_box()["width"] > 200
    assert page.get_by_role("img", name="Open cases by priority").count() == 1
    context.close()
