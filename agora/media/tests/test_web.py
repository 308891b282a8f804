"""Media in the web app: the composer's uploads, post cards with pictures, and who may fetch which file."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.media import services
from agora.media.models import MediaAttachment
from agora.media.tests import samples
from agora.posts import services as post_services
from agora.posts.models import Post, Visibility

pytestmark = pytest.mark.django_db


def _compose(client: Client, run_on_commit: Callable[..., Any], **fields: Any) -> Any:
    data = {"text": "", "spoiler_text": "", "visibility": "public", **fields}
    with run_on_commit():
        return client.post(reverse("web:compose"), data)


def _posted_attachment(owner: User, visibility: str, run_on_commit: Callable[..., Any]) -> MediaAttachment:
    with run_on_commit():
        attachment = services.upload_media(
            owner=owner, upload=samples.upload("a.jpg", samples.jpeg_with_gps())
        )
    post_services.create_post(author=owner, text="pic", visibility=visibility, media_ids=[attachment.pk])
    attachment.refresh_from_db()
    return attachment


def test_composer_posts_pictures_with_alt_text_and_the_card_shows_them_with_srcset(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(alice)
    response = _compose(
        client,
        run_on_commit,
        text="Two pictures",
        media_0=samples.upload("one.jpg", samples.jpeg_with_gps()),
        alt_0="A red square",
        media_2=samples.upload("two.png", samples.png_with_xmp_location()),
        alt_2="A map",
    )
    assert response.status_code == 302
    post = Post.objects.get(author=alice)
    attachments = list(post.media_attachments.all())
    assert [a.alt_text for a in attachments] == ["A red square", "A map"]
    assert all(a.state == MediaAttachment.State.READY for a in attachments)

    page = (
        Client().get(reverse("web:thread", kwargs={"username": "alice", "post_id": post.pk})).content.decode()
    )
    assert 'alt="A red square"' in page and 'alt="A map"' in page
    # The upright 400 x 800 picture comes in two sizes: 320 and 400 pixels wide.
    assert re.search(r'srcset="/media/[\w-]+ 320w, /media/[\w-]+ 400w"', page)
    first = attachments[0].main_file
    assert first is not None and f'href="{first.url}"' in page


def test_composer_accepts_a_post_of_pictures_alone_but_not_an_empty_one(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(alice)
    _compose(client, run_on_commit, media_0=samples.upload("a.jpg", samples.jpeg_with_gps()))
    assert Post.objects.filter(author=alice).count() == 1
    response = _compose(client, run_on_commit)
    assert response.status_code == 200
    assert "Write something first." in response.content.decode()


def test_composer_refuses_html_named_jpg_with_a_message_and_posts_nothing(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(alice)
    response = _compose(
        client, run_on_commit, text="look", media_0=samples.upload("cat.jpg", samples.HTML_AS_JPEG)
    )
    assert response.status_code == 200
    assert "cat.jpg: This file type is not supported." in response.content.decode()
    assert not Post.objects.exists() and not MediaAttachment.objects.exists()


def test_composer_refuses_a_truncated_png_and_keeps_nothing(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    # Outside tests the request runs in autocommit, so processing (scheduled on commit) runs at once, inside
    # the request; the test's wrapping transaction would postpone it, so run on-commit work immediately here.
    with mock.patch("django.db.transaction.on_commit", side_effect=lambda func, *a, **k: func()):
        response = client.post(
            reverse("web:compose"),
            {
                "text": "broken",
                "visibility": "public",
                "media_0": samples.upload("cut.png", samples.truncated_png()),
            },
        )
    assert response.status_code == 200
    assert "damaged or incomplete" in response.content.decode()
    assert not Post.objects.exists() and not MediaAttachment.objects.exists()


def test_sensitive_media_is_inside_a_closed_details_until_opened(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(alice)
    _compose(
        client,
        run_on_commit,
        text="spoiler",
        sensitive="on",
        media_0=samples.upload("a.jpg", samples.jpeg_with_gps()),
        alt_0="Gore",
    )
    post = Post.objects.get()
    assert post.sensitive
    page = Client().get(reverse("web:profile", kwargs={"username": "alice"})).content.decode()
    assert '<details class="sensitive-media">' in page
    assert 'class="blurred"' in page and 'alt="Gore"' in page


def test_followers_only_media_is_404_for_visitors_and_strangers_and_200_for_followers(
    alice: User, bob: User, carol: User, run_on_commit: Callable[..., Any]
) -> None:
    account_services.follow(follower=bob, target=alice)
    attachment = _posted_attachment(alice, Visibility.FOLLOWERS, run_on_commit)
    url = attachment.files.first().url
    assert Client().get(url).status_code == 404
    stranger, follower = Client(), Client()
    stranger.force_login(carol)
    follower.force_login(bob)
    assert stranger.get(url).status_code == 404
    response = follower.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    # Blocking ends it too.
    account_services.block(blocker=alice, target=bob)
    assert follower.get(url).status_code == 404


def test_unposted_uploads_are_visible_only_to_the_uploader(
    alice: User, bob: User, run_on_commit: Callable[..., Any]
) -> None:
    with run_on_commit():
        attachment = services.upload_media(
            owner=alice, upload=samples.upload("a.jpg", samples.jpeg_with_gps())
        )
    url = attachment.files.first().url
    owner, other = Client(), Client()
    owner.force_login(alice)
    other.force_login(bob)
    assert owner.get(url).status_code == 200
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_media_files_are_served_with_exact_type_nosniff_and_a_sandbox(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    attachment = _posted_attachment(alice, Visibility.PUBLIC, run_on_commit)
    media_file = attachment.main_file
    assert media_file is not None
    response = Client().get(media_file.url)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "public, max-age=3600"


def test_stale_unposted_uploads_are_purged_with_their_files(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    from datetime import timedelta
    from pathlib import Path

    from django.core.files.storage import default_storage
    from django.utils import timezone

    with run_on_commit():
        attachment = services.upload_media(
            owner=alice, upload=samples.upload("a.jpg", samples.jpeg_with_gps())
        )
    paths = [Path(default_storage.path(f.storage_name)) for f in attachment.files.all()]
    MediaAttachment.objects.filter(pk=attachment.pk).update(created_at=timezone.now() - timedelta(days=2))
    with run_on_commit():
        assert services.purge_stale_uploads() >= 1
    assert not any(path.exists() for path in paths)


def test_on_object_storage_viewers_get_a_signed_expiring_url_after_the_visibility_check(
    alice: User, bob: User, settings: Any
) -> None:
    pytest.importorskip("storages")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "agora-test",
                "endpoint_url": "https://s3.example.org",
                "region_name": "us-east-1",
                "access_key": "test-access",
                "secret_key": "test-secret",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 3600,
                "signature_version": "s3v4",
            },
        },
    }
    post = post_services.create_post(author=alice, text="private", visibility=Visibility.FOLLOWERS)
    attachment = MediaAttachment.objects.create(
        owner=alice, post=post, kind=MediaAttachment.Kind.IMAGE, state=MediaAttachment.State.READY
    )
    from agora.media.models import MediaFile

    media_file = MediaFile.objects.create(
        attachment=attachment, variant="original", storage_name="ab/abc.jpg", content_type="image/jpeg"
    )
    assert Client().get(media_file.url).status_code == 404
    account_services.follow(follower=bob, target=alice)
    follower = Client()
    follower.force_login(bob)
    response = follower.get(media_file.url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://s3.example.org/agora-test/ab/abc.jpg?")
    assert "X-Amz-Expires=3600" in location and "X-Amz-Signature=" in location
    assert response["Cache-Control"] == "private, no-store"


def test_uploader_can_change_the_description_and_drop_an_unposted_upload(
    alice: User, bob: User, run_on_commit: Callable[..., Any]
) -> None:
    with run_on_commit():
        attachment = services.upload_media(
            owner=alice, upload=samples.upload("a.jpg", samples.jpeg_with_gps())
        )
    url = reverse("media:status", kwargs={"media_id": attachment.pk})
    owner, other = Client(), Client()
    owner.force_login(alice)
    other.force_login(bob)
    assert other.post(url, {"description": "hijacked"}).status_code == 404
    assert owner.post(url, {"description": "A quiet lake"}).json()["description"] == "A quiet lake"
    assert owner.post(url, {"description": "x" * 1501}).status_code == 422
    paths = [f.storage_name for f in attachment.files.all()]
    with run_on_commit():
        assert owner.delete(url).status_code == 204
    assert not MediaAttachment.objects.filter(pk=attachment.pk).exists()
    from django.core.files.storage import default_storage

    assert not any(default_storage.exists(name) for name in paths)


def test_an_oversized_upload_is_cut_off_while_it_arrives(alice: User, settings: Any) -> None:
    settings.AGORA_MEDIA_MAX_IMAGE_BYTES = settings.AGORA_MEDIA_MAX_VIDEO_BYTES = 1024
    client = Client()
    client.force_login(alice)
    response = client.post(
        reverse("media:upload"), {"file": samples.upload("big.jpg", b"\xff\xd8\xff" + b"0" * 200_000)}
    )
    assert response.status_code == 413
    assert not MediaAttachment.objects.exists()


def test_composer_says_when_a_file_was_too_large(
    alice: User, settings: Any, run_on_commit: Callable[..., Any]
) -> None:
    settings.AGORA_MEDIA_MAX_IMAGE_BYTES = settings.AGORA_MEDIA_MAX_VIDEO_BYTES = 1024
    client = Client()
    client.force_login(alice)
    response = _compose(
        client,
        run_on_commit,
        text="huge",
        media_0=samples.upload("big.jpg", b"\xff\xd8\xff" + b"0" * 200_000),
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not Post.objects.exists()
