"""Archive export (Mastodon's archive layout) and import of follows, blocks, mutes and bookmarks."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from agora.accounts import services as account_services
from agora.accounts.models import Block, Follow, Mute, User
from agora.accounts.tests.factories import UserFactory
from agora.api.models import Bookmark
from agora.core.exceptions import NotAllowed
from agora.media import services as media_services
from agora.media.tests.samples import jpeg_with_gps
from agora.notifications.models import Notification
from agora.portability import services
from agora.portability.archive import FOLLOWING_HEADER, outbox_json, post_url
from agora.portability.models import ArchiveExport, ImportJob
from agora.posts import services as post_services
from agora.posts.models import Post, Visibility

pytestmark = pytest.mark.django_db
RunOnCommit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def archives_in_temporary_folder(settings: Any, tmp_path: Path) -> Path:
    settings.AGORA_ARCHIVE_DIR = tmp_path / "archives"
    settings.AGORA_DOMAIN = "agora.example"
    return Path(settings.AGORA_ARCHIVE_DIR)


def build(user: User, run_on_commit: RunOnCommit) -> tuple[ArchiveExport, zipfile.ZipFile]:
    with run_on_commit():
        export = services.request_archive(user=user)
    export.refresh_from_db()
    assert export.state == ArchiveExport.State.READY, export.error
    _export, path = services.downloadable_archive(user=user, archive_id=export.pk)
    return export, zipfile.ZipFile(path)


def csv_rows(bundle: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(bundle.read(name).decode())))


def test_outbox_is_json_ld_with_one_create_per_own_public_post(alice: User, bob: User) -> None:
    public = [post_services.create_post(author=alice, text=f"public #{n} #tag @bob") for n in range(3)]
    unlisted = post_services.create_post(author=alice, text="quiet", visibility=Visibility.UNLISTED)
    private = post_services.create_post(author=alice, text="friends", visibility=Visibility.FOLLOWERS)
    post_services.repost(user=alice, post=post_services.create_post(author=bob, text="by bob"))

    outbox = json.loads(json.dumps(outbox_json(alice)))  # survives a JSON round trip
    assert outbox["@context"][0] == "https://www.w3.org/ns/activitystreams"
    assert outbox["type"] == "OrderedCollection"
    creates = [item for item in outbox["orderedItems"] if item["type"] == "Create"]
    to_public = [item for item in creates if "https://www.w3.org/ns/activitystreams#Public" in item["to"]]
    assert sorted(item["object"]["id"] for item in to_public) == sorted(post_url(post) for post in public)
    # Every own post is in the archive once; only the public ones are addressed to everyone.
    assert sorted(item["object"]["id"] for item in creates) == sorted(
        post_url(post) for post in [*public, unlisted, private]
    )
    assert [item["type"] for item in outbox["orderedItems"]].count("Announce") == 1
    note = to_public[0]["object"]
    assert note["type"] == "Note" and note["attributedTo"].endswith("/@alice")
    # The one renderer: links to the mentioned account and the hashtag, nothing else.
    assert 'href="http://agora.example/@bob"' in note["content"]
    assert 'class="hashtag"' in note["content"]


def test_archive_has_mastodons_files_media_and_a_notification(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    with run_on_commit():  # processing runs after the upload commits
        upload = media_services.upload_post_media(
            owner=alice, uploads=[(SimpleUploadedFile("p.jpg", jpeg_with_gps(), "image/jpeg"), "a tree")]
        )
    post = post_services.create_post(author=alice, text="with a picture", media_ids=[upload[0].pk])
    account_services.follow(follower=alice, target=bob)
    account_services.follow(follower=carol, target=alice)
    account_services.block(blocker=alice, target=carol)
    account_services.mute(muter=alice, target=bob)
    liked = post_services.create_post(author=bob, text="likeable")
    post_services.like(user=alice, post=liked)
    Bookmark.objects.create(user=alice, post=liked)

    export, bundle = build(alice, run_on_commit)

    names = set(bundle.namelist())
    assert {"actor.json", "outbox.json", "likes.json", "bookmarks.json"} <= names
    assert {"following_accounts.csv", "blocked_accounts.csv", "muted_accounts.csv", "bookmarks.csv"} <= names
    assert export.progress == 100 and export.expires_at is not None
    assert Notification.objects.filter(recipient=alice, kind=Notification.Kind.ARCHIVE).count() == 1
    assert csv_rows(bundle, "following_accounts.csv") == [
        FOLLOWING_HEADER,
        ["bob@agora.example", "true", "false", ""],
    ]
    assert csv_rows(bundle, "blocked_accounts.csv") == [["carol@agora.example"]]
    assert csv_rows(bundle, "muted_accounts.csv") == [
        ["Account address", "Hide notifications"],
        ["bob@agora.example", "true"],
    ]
    assert csv_rows(bundle, "bookmarks.csv") == [[post_url(liked)]]
    assert json.loads(bundle.read("likes.json"))["orderedItems"] == [post_url(liked)]
    actor = json.loads(bundle.read("actor.json"))
    assert actor["type"] == "Person" and actor["preferredUsername"] == "alice"
    # Followers are a number, never names (blocking carol ended her follow).
    assert actor["followersCount"] == 0 and "carol" not in bundle.read("actor.json").decode()
    outbox = json.loads(bundle.read("outbox.json"))
    note = next(item["object"] for item in outbox["orderedItems"] if item["object"]["id"] == post_url(post))
    media_path = note["attachment"][0]["url"]
    assert note["attachment"][0]["name"] == "a tree"
    assert bundle.read(media_path)[:3] == b"\xff\xd8\xff"  # the stored (cleaned) JPEG itself


def test_one_archive_per_seven_days_and_the_link_expires(alice: User, run_on_commit: RunOnCommit) -> None:
    export, _bundle = build(alice, run_on_commit)
    with pytest.raises(NotAllowed, match="7 days"):
        services.request_archive(user=alice)
    ArchiveExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert services.next_archive_allowed_at(alice) is None

    client = Client()
    client.force_login(alice)
    assert client.get(f"/settings/export/{export.pk}/download").status_code == 200
    other = Client()
    other.force_login(UserFactory(username="mallory"))
    assert other.get(f"/settings/export/{export.pk}/download").status_code == 404
    assert export.expires_at is not None
    assert services.expire_archives(now=export.expires_at + timedelta(seconds=1)) == 1
    assert client.get(f"/settings/export/{export.pk}/download").status_code == 404
    export.refresh_from_db()
    assert export.state == ArchiveExport.State.EXPIRED and export.file_name == ""


def run_import(
    user: User, kind: str, data: bytes, run_on_commit: RunOnCommit, mode: str = "merge"
) -> ImportJob:
    job = services.prepare_import(user=user, kind=kind, mode=mode, data=data)
    with run_on_commit():
        services.confirm_import(user=user, import_id=job.pk)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    return job


def test_export_then_import_into_a_fresh_account_restores_the_same_relationships(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    dave = UserFactory(username="dave")
    account_services.follow(follower=alice, target=bob)
    account_services.follow(follower=alice, target=dave)
    account_services.block(blocker=alice, target=carol)
    account_services.mute(muter=alice, target=dave)
    marked = [post_services.create_post(author=bob, text=f"keep {n}") for n in range(2)]
    for post in marked:
        Bookmark.objects.create(user=alice, post=post)
    _export, bundle = build(alice, run_on_commit)
    files = {name: bundle.read(name) for name in bundle.namelist() if name.endswith(".csv")}

    account_services.erase_account(user=alice)
    fresh = UserFactory(username="alice")
    for kind, name in (
        ("following", "following_accounts.csv"),
        ("blocks", "blocked_accounts.csv"),
        ("mutes", "muted_accounts.csv"),
        ("bookmarks", "bookmarks.csv"),
    ):
        job = run_import(fresh, kind, files[name], run_on_commit)
        assert job.result["not_found"] == [] and job.result["failed"] == []

    assert set(Follow.objects.filter(follower=fresh).values_list("followee__username", flat=True)) == {
        "bob",
        "dave",
    }
    assert list(Block.objects.filter(blocker=fresh).values_list("blocked__username", flat=True)) == ["carol"]
    assert list(Mute.objects.filter(muter=fresh).values_list("muted__username", flat=True)) == ["dave"]
    assert set(Bookmark.objects.filter(user=fresh).values_list("post_id", flat=True)) == {
        p.pk for p in marked
    }
    fresh.refresh_from_db()
    assert fresh.following_count == 2  # through the follow service: counters kept


def test_mastodon_following_csv_with_header_imports_and_reports_what_it_could_not(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    data = (
        b"Account address,Show boosts,Notify on new posts,Languages\n"
        b"bob@agora.example,true,false,\n"
        b"Carol@agora.example,false,true,en\n"
        b"someone@mastodon.social,true,false,\n"
        b"ghost@agora.example,true,false,\n"
    )
    job = run_import(alice, "following", data, run_on_commit)
    assert job.result["done"] == ["bob@agora.example", "Carol@agora.example"]
    assert job.result["not_found"] == ["someone@mastodon.social", "ghost@agora.example"]
    assert set(Follow.objects.filter(follower=alice).values_list("followee__username", flat=True)) == {
        "bob",
        "carol",
    }


def test_headerless_blocks_overwrite_removes_blocks_not_in_the_list(
    alice: User, bob: User, carol: User, run_on_commit: RunOnCommit
) -> None:
    account_services.block(blocker=alice, target=carol)
    job = run_import(alice, "blocks", b"bob@agora.example\n", run_on_commit, mode="overwrite")
    assert job.result["done"] == ["bob@agora.example"] and job.result["removed"] == 1
    assert list(Block.objects.filter(blocker=alice).values_list("blocked__username", flat=True)) == ["bob"]


def test_bad_import_files_are_refused_with_a_reason(alice: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no rows"):
        services.prepare_import(
            user=alice, kind="following", mode="merge", data=b"Account address,Show boosts\n"
        )
    with pytest.raises(ValidationError, match="UTF-8"):
        services.prepare_import(user=alice, kind="mutes", mode="merge", data=b"\xff\xfe\x00bad")
    assert not ImportJob.objects.exists()


def test_import_pages_preview_then_report(alice: User, bob: User, run_on_commit: RunOnCommit) -> None:
    client = Client()
    client.force_login(alice)
    upload = SimpleUploadedFile("muted_accounts.csv", b"bob@agora.example,true\nnobody@agora.example,true\n")
    response = client.post("/settings/import", {"kind": "mutes", "mode": "merge", "file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert b"import-preview" in preview.content and b"nobody@agora.example" in preview.content
    assert not Mute.objects.exists()  # nothing changes before the person confirms
    with run_on_commit():
        client.post(response["Location"], {"action": "confirm"})
    report = client.get(response["Location"]).content.decode()
    assert "Done: 1 · not found: 1 · failed: 0" in report
    assert Mute.objects.filter(muter=alice, muted=bob).exists()


def test_export_page_requests_an_archive_and_links_it_when_ready(
    alice: User, run_on_commit: RunOnCommit
) -> None:
    post_services.create_post(author=alice, text="hello")
    client = Client()
    client.force_login(alice)
    with run_on_commit():
        assert client.post("/settings/export").status_code == 302
    page = client.get("/settings/export").content.decode()
    assert 'data-testid="download-archive"' in page
    assert 'data-testid="request-archive"' not in page  # the next one only in 7 days
    notifications = client.get("/notifications").content.decode()
    assert 'data-testid="archive-ready"' in notifications


def test_posts_of_others_that_became_invisible_are_left_out(
    alice: User, bob: User, run_on_commit: RunOnCommit
) -> None:
    post = post_services.create_post(author=bob, text="soon blocked")
    Bookmark.objects.create(user=alice, post=post)
    account_services.block(blocker=bob, target=alice)
    _export, bundle = build(alice, run_on_commit)
    assert bundle.read("bookmarks.csv") == b""
    assert Post.objects.filter(pk=post.pk).exists()
