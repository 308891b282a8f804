"""Settings → Development in headless Chromium: make an app, copy its token, use it with the API."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from agora.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_app_made_on_the_development_page_gives_a_token_the_api_accepts(
    browser: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    UserFactory(username="builder")
    base_url = live_server.url
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("Username or e-mail").fill("builder")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")

    page.goto(f"{base_url}/settings/profile")
    page.get_by_role("link", name="Development").click()
    page.get_by_label("Application name").fill("My script")
    page.get_by_label("write: post, like, repost and change your account").check()
    page.get_by_test_id("create-app").click()
    app = page.get_by_test_id("app")
    expect(app).to_contain_text("My script")
    expect(app).to_contain_text("read write")
    token = page.get_by_test_id("access-token").input_value()
    assert len(token) >= 30

    api = f"{base_url}/api/v1/accounts/verify_credentials"
    me = requests.get(api, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.status_code == 200 and me.json()["username"] == "builder"

    # Regenerating replaces the token: the old one stops working at once.
    page.get_by_test_id("regenerate-token").click()
    new_token = page.get_by_test_id("access-token").input_value()
    assert new_token != token
    assert requests.get(api, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 401
    assert requests.get(api, headers={"Authorization": f"Bearer {new_token}"}, timeout=10).status_code == 200

    # Authorised apps lists it; revoking ends its access.
    page.get_by_role("link", name="Authorised apps").click()
    listed = page.get_by_test_id("authorised-app")
    expect(listed).to_contain_text("My script")
    listed.get_by_role("button", name="Revoke").click()
    expect(page.locator("main")).to_contain_text("No application has access to your account.")
    assert requests.get(api, headers={"Authorization": f"Bearer {new_token}"}, timeout=10).status_code == 401
