"""Search and explore driven through a real headless Chromium (`browser` fixture: conftest.py): search from
the explore page, follow a hashtag, and see its new posts on the home timeline."""

from __future__ import annotations

from typing import Any

import pytest

from agora.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from agora.posts import services as post_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_explore_follow_a_hashtag_and_see_its_posts_on_home(
    browser: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    base_url = live_server.url
    gardener = UserFactory(username="gardener", display_name="Green Thumb")
    UserFactory(username="reader")
    post_services.create_post(
        author=gardener, text="Tomatoes need sun and patience #gardening", language="en"
    )

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Username or e-mail address").fill("reader")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")

    page.get_by_test_id("nav-explore").click()
    page.wait_for_url(f"{base_url}/explore")
    search_box = page.get_by_role("searchbox")
    search_box.press_sequentially("garden", delay=30)
    # Suggestions arrive through htmx while typing: the hashtag and a "search for" entry.
    suggestions = page.locator("#search-suggestions")
    expect(suggestions.get_by_role("link", name="#gardening")).to_be_visible()
    search_box.press("Enter")
    expect(page.get_by_text("Tomatoes need sun and patience")).to_be_visible()

    page.get_by_role("link", name="#gardening").first.click()
    page.wait_for_url(f"{base_url}/tags/gardening")
    page.get_by_role("button", name="Follow hashtag").click()
    expect(page.get_by_role("button", name="Unfollow hashtag")).to_be_visible()

    # The reader follows nobody; a new post with the hashtag reaches their home timeline anyway.
    post_services.create_post(author=gardener, text="First seedlings are up #gardening", language="en")
    page.goto(f"{base_url}/")
    expect(page.get_by_text("First seedlings are up")).to_be_visible()
    context.close()
