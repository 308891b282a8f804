"""Every change portability makes: asking for and building archives, and importing follows, blocks, mutes
and bookmarks from CSV files (ours or Mastodon's, with or without the header row).

Archives: one per person per 7 days; built by the `build_archive` task (queued → building → ready | failed),
with progress in percent, a notification when ready, and a download that expires after 7 days (the file is
then deleted by `expire_archives`).

Imports: the file is parsed into an `ImportJob` in the preview state; once the person confirms, the
`run_import` task applies it (merge: add; overwrite: also remove what the list does not have) through the
accounts services (so counters, notifications and block rules behave as when done by hand), and records a
report: done / not found / failed.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts import services as account_services
from agora.accounts.models import Block, Follow, Mute, User
from agora.core.exceptions import NotAllowed, NotFound
from agora.notifications.models import Notification
from agora.portability import archive
from agora.portability.models import ArchiveExport, ImportJob

ARCHIVE_INTERVAL = timedelta(days=7)
ARCHIVE_LIFETIME = timedelta(days=7)
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000


def archive_dir() -> Path:
    path = Path(settings.AGORA_ARCHIVE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


# Archives ------------------------------------------------------------------------------------------------


def next_archive_allowed_at(user: User) -> Any:
    """When the person may ask for a new archive (None: now). Failed attempts do not count."""
    latest = (
        ArchiveExport.objects.filter(user=user)
        .exclude(state=ArchiveExport.State.FAILED)
        .order_by("-created_at")
        .first()
    )
    if latest is None or latest.created_at + ARCHIVE_INTERVAL <= timezone.now():
        return None
    return latest.created_at + ARCHIVE_INTERVAL


def request_archive(*, user: User) -> ArchiveExport:
    """Queue an archive of everything the person posted. Refused (NotAllowed) within 7 days of the last one.

    Side effect after commit: the `build_archive` task.
    """
    from agora.portability.tasks import build_archive_task

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request at a time per person
        allowed_at = next_archive_allowed_at(user)
        if allowed_at is not None:
            raise NotAllowed(
                _("You can ask for one archive every 7 days. The next one is possible from %(date)s.")
                % {"date": timezone.localtime(allowed_at).strftime("%Y-%m-%d %H:%M")}
            )
        export = ArchiveExport.objects.create(user=user)
        transaction.on_commit(lambda: build_archive_task.enqueue(archive_id=str(export.pk)))
    return export


def _set_progress(export: ArchiveExport, percent: int) -> None:
    ArchiveExport.objects.filter(pk=export.pk).update(progress=percent)


def build_archive(*, archive_id: Any) -> ArchiveExport | None:
    """Build the ZIP file of one archive (idempotent: a finished archive is left alone; one interrupted while
    building is built again). Notifies the person when it is ready.
    """
    with transaction.atomic():
        export = (
            ArchiveExport.objects.select_for_update().select_related("user").filter(pk=archive_id).first()
        )
        if export is None or export.state not in (ArchiveExport.State.QUEUED, ArchiveExport.State.BUILDING):
            return export
        export.state = ArchiveExport.State.BUILDING
        export.progress = 0
        export.save(update_fields=["state", "progress"])
    user = export.user
    name = f"{secrets.token_hex(16)}.zip"
    path = archive_dir() / name
    try:
        _write_archive(user, path, progress=lambda percent: _set_progress(export, percent))
    except Exception as error:  # the state must say so, whatever went wrong; the task may be retried
        path.unlink(missing_ok=True)
        ArchiveExport.objects.filter(pk=export.pk).update(
            state=ArchiveExport.State.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    with transaction.atomic():
        ArchiveExport.objects.filter(pk=export.pk).update(
            state=ArchiveExport.State.READY,
            progress=100,
            file_name=name,
            size=path.stat().st_size,
            finished_at=now,
            expires_at=now + ARCHIVE_LIFETIME,
        )
        Notification.objects.create(recipient=user, actor=user, kind=Notification.Kind.ARCHIVE)
    export.refresh_from_db()
    return export


def _write_archive(user: User, path: Path, *, progress: Callable[[int], None]) -> None:
    media = list(archive.media_files(user))
    steps = 8 + len(media)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        progress(min(99, done * 100 // steps))

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for file_name, build in (
            ("actor.json", lambda: json.dumps(archive.actor_json(user), indent=2, ensure_ascii=False)),
            ("outbox.json", lambda: json.dumps(archive.outbox_json(user), indent=2, ensure_ascii=False)),
            ("likes.json", lambda: json.dumps(archive.likes_json(user), indent=2, ensure_ascii=False)),
            (
                "bookmarks.json",
                lambda: json.dumps(archive.bookmarks_json(user), indent=2, ensure_ascii=False),
            ),
            ("following_accounts.csv", lambda: archive.following_csv(user)),
            ("blocked_accounts.csv", lambda: archive.blocked_csv(user)),
            ("muted_accounts.csv", lambda: archive.muted_csv(user)),
            ("bookmarks.csv", lambda: archive.bookmarks_csv(user)),
        ):
            bundle.writestr(file_name, build())
            step()
        for media_file in media:
            with (
                archive.open_media(media_file) as source,
                bundle.open(archive.media_path(media_file), "w") as out,
            ):
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)
            step()


def downloadable_archive(*, user: User, archive_id: Any) -> tuple[ArchiveExport, Path]:
    """The person's ready archive and its file; NotFound for anyone else's, or once it has expired."""
    export = ArchiveExport.objects.filter(pk=archive_id, user=user, state=ArchiveExport.State.READY).first()
    if export is None or export.expires_at is None or export.expires_at <= timezone.now():
        raise NotFound(str(archive_id))
    path = archive_dir() / export.file_name
    if not path.is_file():
        raise NotFound(str(archive_id))
    return export, path


def expire_archives(*, now: Any = None) -> int:
    """Delete the files of archives whose download has expired (run daily; the archive page runs it too)."""
    now = now or timezone.now()
    expired = list(ArchiveExport.objects.filter(state=ArchiveExport.State.READY, expires_at__lte=now))
    for export in expired:
        (archive_dir() / export.file_name).unlink(missing_ok=True)
        ArchiveExport.objects.filter(pk=export.pk).update(state=ArchiveExport.State.EXPIRED, file_name="")
    return len(expired)


# Imports -------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [_("The file is larger than 2 MB.")]})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError({"file": [_("The file is not a UTF-8 text (CSV) file.")]}) from error


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"true", "1", "yes"}


def parse_import(kind: str, data: bytes) -> list[dict[str, Any]]:
    """The rows of an export file (ours or Mastodon's; the header row may be there or not), without
    duplicates. Raises ValidationError when nothing usable is in it.
    """
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of import.")]})
    text = _decode(data)
    entries: dict[str, dict[str, Any]] = {}
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ValidationError({"file": [_("The file is not a CSV file.")]}) from error
    for row in rows:
        cells = [cell.strip() for cell in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        target = cells[0]
        if target.lower() in {"account address", "url", "post url"}:
            continue  # the header row
        if kind == ImportJob.Kind.BOOKMARKS:
            options: dict[str, Any] = {}
        else:
            target = target.removeprefix("@")
            if kind == ImportJob.Kind.FOLLOWING:
                options = {
                    "show_boosts": _truthy(cells[1]) if len(cells) > 1 else True,
                    "notify": _truthy(cells[2]) if len(cells) > 2 else False,
                }
            elif kind == ImportJob.Kind.MUTES:
                options = {"hide_notifications": _truthy(cells[1]) if len(cells) > 1 else True}
            else:
                options = {}
        entries.setdefault(target.lower(), {"target": target, "options": options})
    if not entries:
        raise ValidationError({"file": [_("The file has no rows to import.")]})
    if len(entries) > MAX_IMPORT_ROWS:
        raise ValidationError({"file": [_("At most %(count)d rows at a time.") % {"count": MAX_IMPORT_ROWS}]})
    return list(entries.values())


def prepare_import(*, user: User, kind: str, mode: str, data: bytes) -> ImportJob:
    """Parse an uploaded file into an import waiting for the person's confirmation (the preview)."""
    if mode not in ImportJob.Mode.values:
        raise ValidationError({"mode": [_("Choose merge or overwrite.")]})
    entries = parse_import(kind, data)
    return ImportJob.objects.create(user=user, kind=kind, mode=mode, entries=entries)


def confirm_import(*, user: User, import_id: Any) -> ImportJob:
    """Start a previewed import. Side effect after commit: the `run_import` task."""
    from agora.portability.tasks import run_import_task

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=import_id, user=user).first()
        if job is None:
            raise NotFound(str(import_id))
        if job.state != ImportJob.State.PREVIEW:
            return job
        job.state = ImportJob.State.QUEUED
        job.save(update_fields=["state"])
        transaction.on_commit(lambda: run_import_task.enqueue(import_id=str(job.pk)))
    return job


def cancel_import(*, user: User, import_id: Any) -> None:
    ImportJob.objects.filter(pk=import_id, user=user, state=ImportJob.State.PREVIEW).delete()


def resolve_account(address: str) -> User | None:
    """A local, active account from `name` or `name@our-domain` (other servers' accounts are not here)."""
    username, _at, domain = address.partition("@")
    if domain and domain.lower() != settings.AGORA_DOMAIN.lower():
        return None
    return User.objects.filter(username__iexact=username, is_active=True).first()


def resolve_post(user: User, url: str) -> Any:
    """A post on this server from its URL (`https://domain/@name/ID`), if the person may see it."""
    from agora.posts.selectors import get_visible_post

    parsed = urlparse(url)
    if parsed.netloc and parsed.netloc.lower() != settings.AGORA_DOMAIN.lower():
        return None
    post_id = parsed.path.rstrip("/").rsplit("/", 1)[-1]
    try:
        return get_visible_post(user, post_id)
    except NotFound:
        return None


def _apply_entry(job: ImportJob, user: User, entry: dict[str, Any]) -> tuple[str, Any]:
    """Apply one row; returns ("done" | "not_found", the row's target id for overwrite)."""
    target = entry["target"]
    if job.kind == ImportJob.Kind.BOOKMARKS:
        from agora.api.services import bookmark

        post = resolve_post(user, target)
        if post is None:
            return "not_found", None
        bookmark(user=user, post=post)
        return "done", post.repost_of_id or post.pk
    account = resolve_account(target)
    if account is None or account.pk == user.pk:
        return "not_found", None
    if job.kind == ImportJob.Kind.FOLLOWING:
        account_services.follow(follower=user, target=account)
    elif job.kind == ImportJob.Kind.BLOCKS:
        account_services.block(blocker=user, target=account)
    else:
        account_services.mute(muter=user, target=account)
    return "done", account.pk


def _remove_others(job: ImportJob, user: User, keep: set[Any]) -> int:
    """Overwrite mode: undo what the person has that the imported list does not."""
    removed = 0
    if job.kind == ImportJob.Kind.BOOKMARKS:
        from agora.api.models import Bookmark
        from agora.api.services import unbookmark

        for bookmark_row in (
            Bookmark.objects.filter(user=user).exclude(post_id__in=keep).select_related("post")
        ):
            unbookmark(user=user, post=bookmark_row.post)
            removed += 1
        return removed
    if job.kind == ImportJob.Kind.FOLLOWING:
        for row in (
            Follow.objects.filter(follower=user).exclude(followee_id__in=keep).select_related("followee")
        ):
            account_services.unfollow(follower=user, target=row.followee)
            removed += 1
    elif job.kind == ImportJob.Kind.BLOCKS:
        for block_row in (
            Block.objects.filter(blocker=user).exclude(blocked_id__in=keep).select_related("blocked")
        ):
            account_services.unblock(blocker=user, target=block_row.blocked)
            removed += 1
    else:
        for mute_row in Mute.objects.filter(muter=user).exclude(muted_id__in=keep).select_related("muted"):
            account_services.unmute(muter=user, target=mute_row.muted)
            removed += 1
    return removed


def run_import(*, import_id: Any) -> ImportJob | None:
    """Apply a confirmed import row by row (each row on its own, so one bad row does not stop the rest) and
    record the report. Idempotent: every action is "make it so", and a finished import is left alone.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("user").filter(pk=import_id).first()
        if job is None or job.state not in (ImportJob.State.QUEUED, ImportJob.State.RUNNING):
            return job
        job.state = ImportJob.State.RUNNING
        job.save(update_fields=["state"])
    user = job.user
    report: dict[str, Any] = {"done": [], "not_found": [], "failed": [], "removed": 0}
    keep: set[Any] = set()
    for index, entry in enumerate(job.entries, start=1):
        try:
            with transaction.atomic():
                outcome, target_id = _apply_entry(job, user, entry)
        except (NotAllowed, NotFound, ValidationError) as error:
            report["failed"].append({"target": entry["target"], "reason": _reason(error)})
        else:
            report[outcome].append(entry["target"])
            if target_id is not None:
                keep.add(target_id)
        if index % 50 == 0:
            ImportJob.objects.filter(pk=job.pk).update(processed=index)
    if job.mode == ImportJob.Mode.OVERWRITE:
        with transaction.atomic():
            report["removed"] = _remove_others(job, user, keep)
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE, processed=len(job.entries), result=report, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, NotFound):
        return _("not found")
    return str(error)


def delete_archive_files_of(user: User) -> None:
    """Remove the person's archive files (before their account is deleted)."""
    for export in ArchiveExport.objects.filter(user=user).exclude(file_name=""):
        (archive_dir() / export.file_name).unlink(missing_ok=True)
