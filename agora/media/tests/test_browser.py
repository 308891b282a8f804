"""A person posts a photo with a description through the composer and opens it full size, in a real
browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agora.media.tests import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_a_photo_with_alt_text_see_it_in_the_post_and_open_it_full_size(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    from agora.accounts.models import User

    User.objects.create_user(
        username="fotografin", email="f@example.org", password="a long and good password"
    )
    photo = tmp_path / "beach.jpg"
    photo.write_bytes(samples.jpeg_with_gps(size=(1200, 800), orientation=1))

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    console_errors: list[str] = []
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    base_url = live_server.url
    page.goto(f"{base_url}/login")
    page.get_by_label("Username or e-mail address").fill("fotografin")
    page.get_by_label("Password").fill("a long and good password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")

    page.get_by_placeholder("What's on your mind?").fill("Sunset at the beach")
    page.get_by_text("Add pictures or a video").click()
    page.get_by_label("Picture or video 1").set_input_files(str(photo))
    page.locator("#id_alt_0").fill("Orange sun sinking into a calm sea")
    page.get_by_role("button", name="Post", exact=True).click()

    post = page.locator("article.post", has_text="Sunset at the beach")
    image = post.get_by_role("img", name="Orange sun sinking into a calm sea")
    expect(image).to_be_visible()
    # The picture really loaded (not a broken image), from a random key under /media/.
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert (image.get_attribute("src") or "").startswith("/media/")
    assert "w," in (image.get_attribute("srcset") or "")

    post.locator("a.attachment-link").click()
    page.wait_for_url(f"{base_url}/media/**")
    assert page.evaluate("document.images.length") == 1
    assert page.evaluate("document.images[0].naturalWidth") == 1200
    # No Content-Security-Policy violations or script errors on the way.
    assert not [error for error in console_errors if "Content Security Policy" in error or "Refused" in error]
    context.close()
