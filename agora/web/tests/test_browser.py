"""The social core driven through a real headless Chromium, as a person would use it (`browser` fixture:
conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_up(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("E-mail address").fill(f"{username}@example.org")
    page.get_by_label("Password").fill("a long and good password")
    page.get_by_label("I have read and accept").check()
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{base_url}/")


def test_two_people_follow_post_like_reply_and_get_notified(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    base_url = live_server.url
    a_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    b_context = browser.new_context(locale="en-US")
    visitor_context = browser.new_context(locale="en-US")
    a_page, b_page, visitor = a_context.new_page(), b_context.new_page(), visitor_context.new_page()

    _sign_up(a_page, base_url, "anna")
    _sign_up(b_page, base_url, "bert")

    # A follows B.
    a_page.goto(f"{base_url}/@bert")
    a_page.get_by_role("button", name="Follow").click()
    expect(a_page.get_by_role("button", name="Unfollow")).to_be_visible()

    # B posts; the compose box counts characters as B types.
    b_page.goto(f"{base_url}/")
    box = b_page.get_by_placeholder("What's on your mind?")
    box.fill("Hello from Bert #greetings")
    expect(b_page.locator("[data-char-count]").first).to_have_text(
        str(1000 - len("Hello from Bert #greetings"))
    )
    b_page.get_by_role("button", name="Post", exact=True).click()
    expect(b_page.get_by_text("Hello from Bert")).to_be_visible()

    # A sees it on the home timeline, likes it (htmx, no reload) and replies.
    a_page.goto(f"{base_url}/")
    post = a_page.locator("article.post", has_text="Hello from Bert")
    expect(post).to_be_visible()
    post.get_by_role("button", name="Like").click()
    expect(post.get_by_role("button", name="Unlike")).to_contain_text("1")
    post.locator("a.post-time").click()
    reply_box = a_page.locator("form.compose textarea")
    expect(reply_box).to_have_value(re.compile(r"^@bert "))
    reply_box.fill("@bert Nice to see you here!")
    a_page.get_by_role("button", name="Reply", exact=True).click()
    expect(a_page.locator("article.post", has_text="Nice to see you here!")).to_be_visible()

    # B gets notifications for the follow, the like and the reply.
    b_page.goto(f"{base_url}/")
    expect(b_page.get_by_test_id("nav-notifications").locator(".badge")).to_have_text("3")
    b_page.get_by_test_id("nav-notifications").click()
    notifications = b_page.locator("li.notification")
    expect(notifications.filter(has_text="followed you")).to_have_count(1)
    expect(notifications.filter(has_text="liked your post")).to_have_count(1)
    expect(notifications.filter(has_text="replied to your post")).to_have_count(1)

    # A followers-only post of B is not visible to a logged-out visitor, not even by its link.
    b_page.goto(f"{base_url}/")
    b_page.get_by_placeholder("What's on your mind?").fill("Only for my followers")
    b_page.get_by_label("Who can see this").select_option("followers")
    b_page.get_by_role("button", name="Post", exact=True).click()
    private_link = b_page.locator("article.post", has_text="Only for my followers").locator("a.post-time")
    private_url = private_link.get_attribute("href")
    assert private_url and private_url.startswith("/@bert/")

    response = visitor.goto(f"{base_url}{private_url}")
    assert response is not None and response.status == 404
    expect(visitor.get_by_text("Only for my followers")).to_have_count(0)
    visitor.goto(f"{base_url}/@bert")
    expect(visitor.get_by_text("Hello from Bert")).to_be_visible()
    expect(visitor.get_by_text("Only for my followers")).to_have_count(0)

    # The follower does see it.
    a_page.goto(f"{base_url}{private_url}")
    expect(a_page.get_by_text("Only for my followers")).to_be_visible()

    for context in (a_context, b_context, visitor_context):
        context.close()


def test_interface_follows_browser_language_and_can_be_switched(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"})
    page = context.new_page()
    page.goto(f"{live_server.url}/public")
    expect(page.get_by_role("heading", name="Lokale Zeitleiste")).to_be_visible()
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Wechseln").click()
    expect(page.get_by_role("heading", name="Local timeline")).to_be_visible()
    context.close()
