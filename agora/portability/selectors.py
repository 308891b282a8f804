"""Reads for the person's own data pages: what the instance stores about them, their sessions, archives
and imports. Everything here is about the viewer themself only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from agora.accounts.models import AccountSession, Block, Follow, Mute, User
from agora.portability.models import ArchiveExport, ImportJob


@dataclass(frozen=True)
class StoredData:
    """Counts of what is stored about one person, for the "Your data" page."""

    posts: int
    reposts: int
    likes: int
    bookmarks: int
    media_files: int
    media_bytes: int
    following: int
    followers: int
    blocks: int
    mutes: int
    notifications: int
    two_factor: bool
    apps_with_tokens: int
    moderation_notices: list[Any] = field(default_factory=list)
    strikes: int = 0
    restrictions: int = 0
    reports_made: int = 0


def stored_data(user: User) -> StoredData:
    from django.db.models import Sum

    from agora.accounts.tokens import authorised_applications
    from agora.api.models import Bookmark
    from agora.media.models import MediaFile
    from agora.moderation.models import AccountRestriction, Report, Strike
    from agora.moderation.selectors import notices_for
    from agora.notifications.models import Notification
    from agora.posts.models import Like, Post
    from agora.security.services import has_two_factor

    files = MediaFile.objects.filter(attachment__owner=user)
    return StoredData(
        posts=Post.objects.filter(author=user, repost_of__isnull=True).count(),
        reposts=Post.objects.filter(author=user, repost_of__isnull=False).count(),
        likes=Like.objects.filter(user=user).count(),
        bookmarks=Bookmark.objects.filter(user=user).count(),
        media_files=files.count(),
        media_bytes=files.aggregate(total=Sum("size"))["total"] or 0,
        following=Follow.objects.filter(follower=user).count(),
        followers=Follow.objects.filter(followee=user).count(),
        blocks=Block.objects.filter(blocker=user).count(),
        mutes=Mute.objects.filter(muter=user).count(),
        notifications=Notification.objects.filter(recipient=user).count(),
        two_factor=has_two_factor(user),
        apps_with_tokens=len(authorised_applications(user)),
        moderation_notices=list(notices_for(user)[:20]),
        strikes=Strike.objects.filter(user=user).count(),
        restrictions=AccountRestriction.objects.filter(user=user).count(),
        reports_made=Report.objects.filter(reporter=user).count(),
    )


def active_sessions(user: User) -> QuerySet[AccountSession, AccountSession]:
    """The person's web sessions that are still logged in (browser, address, log-in time), newest first."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return AccountSession.objects.filter(user=user, session_key__in=live).order_by("-created_at")


def archives_of(user: User) -> QuerySet[ArchiveExport, ArchiveExport]:
    return ArchiveExport.objects.filter(user=user).order_by("-created_at")


def imports_of(user: User) -> QuerySet[ImportJob, ImportJob]:
    return ImportJob.objects.filter(user=user).order_by("-created_at")


def get_import(user: User, import_id: Any) -> ImportJob:
    from agora.core.exceptions import NotFound

    job = ImportJob.objects.filter(user=user, pk=import_id).first()
    if job is None:
        raise NotFound(str(import_id))
    return job


PREVIEW_ROWS = 50


def preview_rows(user: User, job: ImportJob) -> list[tuple[str, bool]]:
    """The first rows of an import waiting for confirmation, each with whether it is found on this server."""
    from agora.portability.services import resolve_account, resolve_post

    rows = []
    for entry in job.entries[:PREVIEW_ROWS]:
        target = entry["target"]
        if job.kind == ImportJob.Kind.BOOKMARKS:
            found = resolve_post(user, target) is not None
        else:
            found = resolve_account(target) is not None
        rows.append((target, found))
    return rows
