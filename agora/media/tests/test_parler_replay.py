"""The "Parler replay": what made Parler's scrape possible must not work here.

(1) uploads with location metadata are stored and served without any (checked with exiftool, not with our own
code); (2) post ids and media keys share no predictable pattern; (3) an anonymous client walking public pages
as fast as it can is throttled within the first minute and never sees a followers-only or deleted post; (4)
after deletion, the media URL is a 404 and the file is gone from disk; (5) bombs, truncated files and HTML
named .jpg are refused with a clear error.
"""

from __future__ import annotations

import base64
import itertools
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.core.ids import id_random_bits
from agora.media import services
from agora.media.models import MediaAttachment, MediaFile, new_file_key
from agora.media.tests import samples
from agora.posts import services as post_services
from agora.posts.models import Post, Visibility

pytestmark = pytest.mark.django_db


def _upload(
    owner: User, name: str, data: bytes, run_on_commit: Callable[..., Any], alt: str = ""
) -> MediaAttachment:
    with run_on_commit():
        attachment = services.upload_media(owner=owner, upload=samples.upload(name, data), alt_text=alt)
    attachment.refresh_from_db()
    return attachment


def _stored_paths(attachment: MediaAttachment) -> list[Path]:
    return [Path(default_storage.path(f.storage_name)) for f in attachment.files.all()]


def _served(client: Client, media_file: MediaFile, tmp_path: Path) -> Path:
    response = client.get(media_file.url)
    assert response.status_code == 200
    path = tmp_path / f"served-{media_file.key}"
    path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    return path


# (1) Metadata ----------------------------------------------------------------------------------------------


def test_jpeg_with_gps_exif_is_stored_and_served_without_any_metadata_and_upright(
    alice: User, run_on_commit: Callable[..., Any], tmp_path: Path
) -> None:
    original = tmp_path / "holiday.jpg"
    original.write_bytes(samples.jpeg_with_gps(size=(800, 400), orientation=6))
    # The checker must see the leak in the input, or its silence about the output would prove nothing.
    assert any("GPS" in leak for leak in samples.leaked_metadata(original))

    attachment = _upload(alice, "holiday.jpg", original.read_bytes(), run_on_commit, alt="A beach")
    assert attachment.state == MediaAttachment.State.READY, attachment.error
    post = post_services.create_post(author=alice, text="Holiday", media_ids=[attachment.pk])

    # Orientation 6 means "rotate 90°": the stored pixels are upright, so width and height swap.
    assert (attachment.width, attachment.height) == (400, 800)
    assert attachment.blurhash and len(attachment.blurhash) >= 6
    paths = _stored_paths(attachment)
    assert {f.variant for f in attachment.files.all()} == {"original", "small"}
    for path in paths:
        assert samples.leaked_metadata(path) == [], path
        assert b"Canon" not in path.read_bytes() and b"secret-comment" not in path.read_bytes()
    for media_file in attachment.files.all():
        served = _served(Client(), media_file, tmp_path)
        assert samples.leaked_metadata(served) == []
    assert post.media_attachments.get().alt_text == "A beach"


def test_png_with_xmp_location_text_chunks_and_exif_comes_out_clean(
    alice: User, run_on_commit: Callable[..., Any], tmp_path: Path
) -> None:
    original = tmp_path / "map.png"
    original.write_bytes(samples.png_with_xmp_location())
    assert samples.leaked_metadata(original)

    attachment = _upload(alice, "map.png", original.read_bytes(), run_on_commit)
    assert attachment.state == MediaAttachment.State.READY, attachment.error
    main = attachment.main_file
    assert main is not None and main.content_type == "image/png"  # transparency kept
    for path in _stored_paths(attachment):
        assert samples.leaked_metadata(path) == []


def test_heic_with_exif_and_xmp_location_is_re_encoded_as_clean_jpeg(
    alice: User, run_on_commit: Callable[..., Any], tmp_path: Path
) -> None:
    original = tmp_path / "phone.heic"
    original.write_bytes(samples.heic_with_metadata())
    assert any("GPS" in leak for leak in samples.leaked_metadata(original))

    attachment = _upload(alice, "IMG_0001.HEIC", original.read_bytes(), run_on_commit)
    assert attachment.state == MediaAttachment.State.READY, attachment.error
    main = attachment.main_file
    assert main is not None and main.content_type == "image/jpeg"
    for path in _stored_paths(attachment):
        assert samples.leaked_metadata(path) == []


def test_animated_gif_keeps_its_frames_and_loses_its_comment(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    attachment = _upload(alice, "dance.gif", samples.animated_gif(12), run_on_commit)
    assert attachment.state == MediaAttachment.State.READY, attachment.error
    assert attachment.kind == MediaAttachment.Kind.ANIMATED
    main = attachment.main_file
    assert main is not None and main.content_type == "image/webp"
    from PIL import Image

    with Image.open(default_storage.path(main.storage_name)) as stored:
        assert stored.n_frames == 12
    for path in _stored_paths(attachment):
        assert samples.leaked_metadata(path) == []


def test_mp4_with_location_atom_is_transcoded_without_metadata_and_gets_a_poster(
    alice: User, run_on_commit: Callable[..., Any], tmp_path: Path
) -> None:
    original = tmp_path / "clip.mp4"
    original.write_bytes(samples.mp4_with_location(tmp_path))
    assert any("GPS" in leak or "xyz" in leak.lower() for leak in samples.leaked_metadata(original))

    attachment = _upload(alice, "clip.mp4", original.read_bytes(), run_on_commit)
    assert attachment.state == MediaAttachment.State.READY, attachment.error
    assert attachment.kind == MediaAttachment.Kind.VIDEO
    assert {f.variant for f in attachment.files.all()} == {"original", "poster"}
    for path in _stored_paths(attachment):
        assert samples.leaked_metadata(path) == [], samples.exiftool_tags(path)
        assert b"secret-comment" not in path.read_bytes() and b"+52.5200" not in path.read_bytes()
    main = attachment.main_file
    assert main is not None
    tags = samples.exiftool_tags(Path(default_storage.path(main.storage_name)))
    assert tags.get("QuickTime:CompressorID") == "avc1" or "avc1" in str(tags)


def test_the_upload_itself_is_never_kept(
    alice: User, run_on_commit: Callable[..., Any], settings: Any
) -> None:
    data = samples.jpeg_with_gps()
    attachment = _upload(alice, "a.jpg", data, run_on_commit)
    assert attachment.staging_name == ""
    staged = list(Path(settings.AGORA_MEDIA_STAGING_DIR).glob("*"))
    assert not any(path.read_bytes() == data for path in staged if path.is_file())
    stored_root = Path(settings.MEDIA_ROOT)
    assert not any(b"Canon" in path.read_bytes() for path in stored_root.rglob("*") if path.is_file())


# (2) No predictable pattern -------------------------------------------------------------------------------


def _bit_balance(values: list[int], bits: int) -> float:
    ones = sum(bin(value).count("1") for value in values)
    return ones / (len(values) * bits)


def test_ids_of_1000_consecutive_posts_and_media_keys_share_no_predictable_pattern(alice: User) -> None:
    posts = Post.objects.bulk_create([Post(author=alice, text=f"post {n}") for n in range(1000)])
    ids = [post.pk for post in posts]
    assert len(set(ids)) == 1000
    randoms = [id_random_bits(value) for value in ids]
    # 64 random bits per id: all distinct, about half of them set, and no constant step between neighbours.
    assert len(set(randoms)) == 1000
    assert 0.45 < _bit_balance(randoms, 64) < 0.55
    steps = {b.int - a.int for a, b in itertools.pairwise(ids)}
    assert len(steps) > 990
    # An id is no counter: ids in the same millisecond differ in far more than their last digits.
    assert all(len(str(value)) == 36 for value in ids)

    keys = [new_file_key() for _ in range(1000)]
    raw = [int.from_bytes(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4)), "big") for key in keys]
    assert len(set(keys)) == 1000
    assert all(len(base64.urlsafe_b64decode(key + "==")) * 8 >= 128 for key in keys)
    assert 0.45 < _bit_balance(raw, 144) < 0.55
    prefixes = {key[:4] for key in keys}
    assert len(prefixes) > 900


def test_media_keys_are_unrelated_to_ids_names_and_each_other(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    attachment = _upload(alice, "alice-2021-01-06.jpg", samples.jpeg_with_gps(), run_on_commit)
    files = list(attachment.files.all())
    assert len(files) == 2
    for media_file in files:
        for clue in (str(attachment.pk), attachment.pk.hex[:12], "alice", "2021", str(alice.pk)[:8]):
            assert clue not in media_file.key and clue not in media_file.storage_name
    small, large = files
    assert small.key[:8] != large.key[:8]


def test_changing_one_character_of_a_media_url_gives_404(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    attachment = _upload(alice, "a.jpg", samples.jpeg_with_gps(), run_on_commit)
    post_services.create_post(author=alice, text="pic", media_ids=[attachment.pk])
    media_file = attachment.files.first()
    assert media_file is not None
    client = Client()
    assert client.get(media_file.url).status_code == 200
    key = media_file.key
    altered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert client.get(reverse("media:file", kwargs={"key": altered})).status_code == 404
    assert client.get("/media/").status_code == 404  # no listing


# (3) Anonymous scraping ---------------------------------------------------------------------------------


def test_anonymous_client_walking_public_pages_is_throttled_within_a_minute_and_sees_nothing_hidden(
    alice: User, bob: User, rate_limits: Any, run_on_commit: Callable[..., Any]
) -> None:
    # Small pages keep the test fast; the budget is the default one.
    rate_limits.AGORA_PAGE_SIZE = 5
    for index in range(12):
        post_services.create_post(author=alice, text=f"public post number {index}")
    post_services.create_post(author=alice, text="FOLLOWERS-ONLY SECRET", visibility=Visibility.FOLLOWERS)
    doomed = post_services.create_post(author=bob, text="DELETED SECRET")
    post_services.delete_post(actor=bob, post=doomed)

    client = Client(REMOTE_ADDR="203.0.113.9")
    url: str | None = reverse("web:public")
    throttled = None
    for request_number in range(1, 2001):
        response = client.get(url or reverse("web:public"))
        if response.status_code == 429:
            throttled = (request_number, response)
            break
        assert response.status_code == 200
        body = response.content.decode()
        assert "SECRET" not in body
        # Follow "older posts" links while there are any, then start over (as a scraper would).
        marker = 'href="/public?before='
        url = None
        if marker in body:
            start = body.index(marker) + len('href="')
            url = body[start : body.index('"', start)].replace("&amp;", "&")
    assert throttled is not None, "never throttled"
    count, response = throttled
    # At most 301 requests, whatever this machine's speed: any scraper faster than 5 pages a second (Parler's
    # took thousands) is stopped within its first minute.
    assert count <= 301
    assert int(response["Retry-After"]) > 0
    assert response["X-RateLimit-Remaining"] == "0"
    # Another address is not affected, and a spoofed X-Forwarded-For does not get the first one out.
    assert Client(REMOTE_ADDR="203.0.113.10").get(reverse("web:public")).status_code == 200
    assert client.get(reverse("web:public"), HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


# (4) Deletion ---------------------------------------------------------------------------------------------


def test_after_deleting_a_post_its_media_url_is_404_and_the_files_are_gone(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    attachment = _upload(alice, "a.jpg", samples.jpeg_with_gps(), run_on_commit)
    post = post_services.create_post(author=alice, text="soon gone", media_ids=[attachment.pk])
    files = list(attachment.files.all())
    paths = _stored_paths(attachment)
    assert all(path.exists() for path in paths)
    client = Client()
    assert all(client.get(f.url).status_code == 200 for f in files)

    with run_on_commit():
        post_services.delete_post(actor=alice, post=post)

    assert all(client.get(f.url).status_code == 404 for f in files)
    assert not any(path.exists() for path in paths)
    assert not MediaAttachment.objects.filter(pk=attachment.pk).exists()


def test_deleting_an_account_deletes_all_its_media_from_storage(
    alice: User, run_on_commit: Callable[..., Any]
) -> None:
    alice.set_password("pw-for-deletion")
    alice.save()
    posted = _upload(alice, "a.jpg", samples.jpeg_with_gps(), run_on_commit)
    post_services.create_post(author=alice, text="x", media_ids=[posted.pk])
    unposted = _upload(alice, "b.png", samples.png_with_xmp_location(), run_on_commit)
    paths = _stored_paths(posted) + _stored_paths(unposted)
    assert len(paths) == 3 and all(path.exists() for path in paths)  # the small PNG needs no smaller size

    with run_on_commit():
        account_services.delete_account(user=alice, password="pw-for-deletion")

    assert not any(path.exists() for path in paths)
    assert not MediaFile.objects.exists()


# (5) Hostile files ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.png", samples.png_bomb(), "too many pixels"),
        ("page.jpg", samples.HTML_AS_JPEG, "not supported"),
        ("frames.gif", samples.animated_gif(10_000, size=(4, 4)), "too many frames"),
        ("empty.jpg", b"", "not supported"),
    ],
)
def test_hostile_uploads_are_refused_before_anything_is_stored(
    alice: User, name: str, data: bytes, message: str, settings: Any
) -> None:
    from django.core.exceptions import ValidationError

    started = time.monotonic()
    with pytest.raises(ValidationError) as raised:
        services.upload_media(owner=alice, upload=samples.upload(name, data))
    assert message in " ".join(raised.value.messages)
    assert time.monotonic() - started < 5
    assert not MediaAttachment.objects.exists()
    staging = Path(settings.AGORA_MEDIA_STAGING_DIR)
    assert not staging.exists() or not any(staging.iterdir())


def test_truncated_png_fails_processing_with_a_clear_error_and_leaves_nothing(
    alice: User, run_on_commit: Callable[..., Any], settings: Any
) -> None:
    attachment = _upload(alice, "cut.png", samples.truncated_png(), run_on_commit)
    assert attachment.state == MediaAttachment.State.FAILED
    assert "damaged or incomplete" in attachment.error
    assert not attachment.files.exists()
    assert not any(Path(settings.AGORA_MEDIA_STAGING_DIR).iterdir())
    # A failed upload cannot be posted.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        post_services.create_post(author=alice, text="x", media_ids=[attachment.pk])


def test_upload_endpoint_answers_refusals_with_422_and_a_message(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(
        reverse("media:upload"), {"file": samples.upload("page.jpg", samples.HTML_AS_JPEG)}
    )
    assert response.status_code == 422
    assert "not supported" in response.json()["error"]


def test_upload_endpoint_returns_a_state_to_poll(alice: User, run_on_commit: Callable[..., Any]) -> None:
    client = Client()
    client.force_login(alice)
    with run_on_commit():
        response = client.post(
            reverse("media:upload"),
            {"file": samples.upload("a.jpg", samples.jpeg_with_gps()), "description": "Sunset"},
        )
    assert response.status_code == 202
    media_id = response.json()["id"]
    assert response.json()["state"] == "pending"
    polled = client.get(reverse("media:status", kwargs={"media_id": media_id})).json()
    assert polled["state"] == "ready"
    assert polled["description"] == "Sunset"
    assert polled["url"].startswith("/media/")
    # Nobody else can poll it, and no one can guess it.
    client.force_login(User.objects.create_user(username="eve", email="eve@example.org", password="x"))
    assert client.get(reverse("media:status", kwargs={"media_id": media_id})).status_code == 404
    assert client.get(reverse("media:status", kwargs={"media_id": uuid.uuid4()})).status_code == 404


def test_video_is_refused_clearly_when_ffmpeg_is_missing(alice: User, settings: Any, tmp_path: Path) -> None:
    from django.core.exceptions import ValidationError

    data = samples.mp4_with_location(tmp_path)
    settings.AGORA_FFMPEG = "/nonexistent/ffmpeg"
    with pytest.raises(ValidationError) as raised:
        services.upload_media(owner=alice, upload=samples.upload("clip.mp4", data, "video/mp4"))
    assert "cannot process videos" in " ".join(raised.value.messages)
    assert not MediaAttachment.objects.exists()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("AGORA_MEDIA_MAX_VIDEO_SIDE", 200, "pixels wide or high"),
        ("AGORA_MEDIA_MAX_VIDEO_SECONDS", 0, "seconds long"),
    ],
)
def test_videos_beyond_the_resolution_or_duration_limit_fail_with_a_message(
    alice: User,
    run_on_commit: Callable[..., Any],
    tmp_path: Path,
    settings: Any,
    setting: str,
    value: int,
    message: str,
) -> None:
    data = samples.mp4_with_location(tmp_path)  # 320 x 240, one second
    setattr(settings, setting, value)
    attachment = _upload(alice, "clip.mp4", data, run_on_commit)
    assert attachment.state == MediaAttachment.State.FAILED
    assert message in attachment.error
    assert not attachment.files.exists()


def test_a_posted_video_shows_as_a_video_with_its_poster(
    alice: User, run_on_commit: Callable[..., Any], tmp_path: Path
) -> None:
    attachment = _upload(
        alice, "clip.mp4", samples.mp4_with_location(tmp_path), run_on_commit, alt="Test card"
    )
    post = post_services.create_post(author=alice, text="watch", media_ids=[attachment.pk])
    page = (
        Client().get(reverse("web:thread", kwargs={"username": "alice", "post_id": post.pk})).content.decode()
    )
    main, poster = attachment.file_of("original"), attachment.file_of("poster")
    assert main is not None and poster is not None
    assert (
        f'poster="{poster.url}"' in page and f'src="{main.url}"' in page and 'aria-label="Test card"' in page
    )
    assert Client().get(main.url)["Content-Type"] == "video/mp4"


@pytest.mark.parametrize(
    ("sabotage", "message"),
    [
        (lambda *args: os._exit(139), "could not be processed"),  # a decoder that crashes the process
        (lambda *args: bytearray(2 << 30), "too much memory"),  # one that eats memory
    ],
)
def test_a_file_that_crashes_or_floods_the_decoder_only_fails_itself(
    alice: User,
    run_on_commit: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    sabotage: Any,
    message: str,
) -> None:
    from agora.media import processing

    monkeypatch.setattr(processing, "process_image", sabotage)
    attachment = _upload(alice, "a.jpg", samples.jpeg_with_gps(), run_on_commit)
    assert attachment.state == MediaAttachment.State.FAILED
    assert message in attachment.error
    # This process is fine and the next upload works.
    monkeypatch.undo()
    assert (
        _upload(alice, "b.jpg", samples.jpeg_with_gps(), run_on_commit).state == MediaAttachment.State.READY
    )


def test_a_decoder_that_never_ends_is_stopped(
    alice: User, run_on_commit: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from agora.media import processing

    monkeypatch.setattr(processing, "IMAGE_SECONDS", 1)
    monkeypatch.setattr(processing, "process_image", lambda *args: time.sleep(30))
    started = time.monotonic()
    attachment = _upload(alice, "a.jpg", samples.jpeg_with_gps(), run_on_commit)
    assert time.monotonic() - started < 10
    assert attachment.state == MediaAttachment.State.FAILED and "too long" in attachment.error
