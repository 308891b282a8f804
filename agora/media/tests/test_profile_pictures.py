"""Avatars and profile headers: cropped, stripped, replaced and deleted for real."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.media import selectors
from agora.media.models import MediaAttachment
from agora.media.tests import samples

pytestmark = pytest.mark.django_db


def _save(client: Client, run_on_commit: Callable[..., Any], **files: Any) -> Any:
    with run_on_commit():
        return client.post(reverse("media:settings_pictures"), files)


def test_avatar_and_header_are_cropped_stripped_and_shown_on_the_profile(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(alice)
    response = _save(
        client,
        run_on_commit,
        avatar=samples.upload("me.jpg", samples.jpeg_with_gps(size=(900, 500))),
        header=samples.upload("view.png", samples.png_with_xmp_location(size=(2000, 900))),
    )
    assert response.status_code == 302
    images = selectors.profile_images(alice)
    assert (images["avatar"].width, images["avatar"].height) == (400, 400)
    assert (images["header"].width, images["header"].height) == (1500, 500)
    for media_file in images.values():
        assert samples.leaked_metadata(Path(default_storage.path(media_file.storage_name))) == []
    page = Client().get(reverse("web:profile", kwargs={"username": "alice"})).content.decode()
    assert images["avatar"].url in page and images["header"].url in page
    assert Client().get(images["avatar"].url).status_code == 200


def test_a_new_avatar_replaces_the_old_one_and_its_file(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(alice)
    _save(client, run_on_commit, avatar=samples.upload("a.jpg", samples.jpeg_with_gps()))
    old = selectors.profile_images(alice)["avatar"]
    old_path = Path(default_storage.path(old.storage_name))
    _save(client, run_on_commit, avatar=samples.upload("b.jpg", samples.jpeg_with_gps()))
    assert selectors.profile_images(alice)["avatar"].key != old.key
    assert not old_path.exists()
    assert Client().get(old.url).status_code == 404
    _save(client, run_on_commit, remove_avatar="on")
    assert "avatar" not in selectors.profile_images(alice)


def test_videos_are_not_avatars_and_bad_files_get_a_message(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(alice)
    response = _save(client, run_on_commit, avatar=samples.upload("a.jpg", samples.HTML_AS_JPEG))
    assert response.status_code == 200 and "not supported" in response.content.decode()
    assert not MediaAttachment.objects.exists()


def test_deleting_the_account_deletes_avatar_and_header_files(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    alice.set_password("pw-for-deletion")
    alice.save()
    client = Client()
    client.force_login(alice)
    _save(client, run_on_commit, avatar=samples.upload("a.jpg", samples.jpeg_with_gps()))
    path = Path(default_storage.path(selectors.profile_images(alice)["avatar"].storage_name))
    assert path.exists()
    with run_on_commit():
        account_services.delete_account(user=alice, password="pw-for-deletion")
    assert not path.exists()
