"""Every change to media: accept an upload, process it, attach it to a post, describe it, delete it for real.

An upload is checked cheaply (real type, size, declared dimensions) in the request and parked in the private
staging directory; `process_attachment` (run by the `process_media` task after commit) decodes and re-encodes
it, stores the clean files under random keys and deletes the staged upload whatever the outcome. Deleting
posts or accounts removes their files from storage after the database commit (`delete_files_of`).
"""

from __future__ import annotations

import logging
import os
import secrets
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.accounts.models import User
from agora.core.exceptions import NotAllowed, NotFound
from agora.media import processing
from agora.media.models import MediaAttachment, MediaFile, new_file_key

logger = logging.getLogger(__name__)

MAX_ALT_TEXT = 1500
# Avatars and headers are cropped to these sizes (as on Mastodon).
PROFILE_IMAGE_SIZES: dict[str, tuple[int, int]] = {
    MediaAttachment.Purpose.AVATAR: (400, 400),
    MediaAttachment.Purpose.HEADER: (1500, 500),
}


def staging_path(name: str) -> Path:
    return Path(settings.AGORA_MEDIA_STAGING_DIR) / name


def _clean_alt_text(alt_text: str) -> str:
    alt_text = alt_text.replace("\x00", "").strip()
    if len(alt_text) > MAX_ALT_TEXT:
        raise ValidationError(
            {
                "alt_text": [
                    _("A description can have at most %(limit)d characters.") % {"limit": MAX_ALT_TEXT}
                ]
            }
        )
    return alt_text


def check_uploads(uploads: Sequence[UploadedFile]) -> list[str]:
    """Check several uploads before accepting any (so that one bad file adds nothing); returns their types."""
    if len(uploads) > settings.AGORA_MEDIA_MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "media": [
                    _("A post can have at most %(limit)d attachments.")
                    % {"limit": settings.AGORA_MEDIA_MAX_ATTACHMENTS}
                ]
            }
        )
    detected = []
    for upload in uploads:
        try:
            detected.append(processing.check_upload(upload, upload.size or 0))
        except processing.MediaError as error:
            name = os.path.basename(upload.name or "")[:80]
            raise ValidationError({"media": [f"{name}: {error}" if name else str(error)]}) from error
    return detected


def upload_media(
    *,
    owner: User,
    upload: UploadedFile,
    alt_text: str = "",
    purpose: str = MediaAttachment.Purpose.POST,
    detected: str | None = None,
) -> MediaAttachment:
    """Accept one upload for processing. Side effect after commit: the `process_media` task.

    Raises ValidationError (field ``media``) with a message for the uploader when the file is refused.
    """
    alt_text = _clean_alt_text(alt_text)
    if detected is None:
        detected = check_uploads([upload])[0]
    staging_dir = Path(settings.AGORA_MEDIA_STAGING_DIR)
    staging_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The client's file name is never used as a path: the staged file gets a random name.
    staging_name = f"{secrets.token_hex(16)}.upload"
    fd = os.open(staging_path(staging_name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        upload.seek(0)
        for chunk in upload.chunks():
            handle.write(chunk)
    kind = MediaAttachment.Kind.VIDEO if detected in processing.VIDEO_TYPES else MediaAttachment.Kind.IMAGE
    try:
        with transaction.atomic():
            attachment = MediaAttachment.objects.create(
                owner=owner,
                purpose=purpose,
                kind=kind,
                alt_text=alt_text,
                staging_name=f"{staging_name}:{detected}",
            )
            media_id = str(attachment.pk)

            def enqueue() -> None:
                from agora.media.tasks import process_media

                process_media.enqueue(media_id=media_id)

            transaction.on_commit(enqueue)
    except Exception:
        staging_path(staging_name).unlink(missing_ok=True)
        raise
    return attachment


def upload_post_media(*, owner: User, uploads: Sequence[tuple[UploadedFile, str]]) -> list[MediaAttachment]:
    """Accept the files of one post (each with its description), all or none. When processing runs at once
    (the default task backend), a file that fails is reported here as a ValidationError and nothing is kept;
    with a background worker the attachments stay pending and the post shows them once ready.
    """
    if not uploads:
        return []
    for _upload, alt_text in uploads:
        _clean_alt_text(alt_text)
    detected = check_uploads([upload for upload, _alt in uploads])
    attachments = [
        upload_media(owner=owner, upload=upload, alt_text=alt_text, detected=kind)
        for (upload, alt_text), kind in zip(uploads, detected, strict=True)
    ]
    failed = list(
        MediaAttachment.objects.filter(
            pk__in=[a.pk for a in attachments], state=MediaAttachment.State.FAILED
        ).values_list("error", flat=True)
    )
    if failed:
        discard_uploads(attachments)
        raise ValidationError({"media": failed})
    return attachments


def discard_uploads(attachments: Sequence[MediaAttachment]) -> None:
    """Drop uploads that will not be posted after all (the post was refused)."""
    with transaction.atomic():
        queryset = MediaAttachment.objects.filter(pk__in=[a.pk for a in attachments], post__isnull=True)
        delete_files_of(queryset)
        queryset.delete()


def _store(rendition: processing.Rendition) -> tuple[str, str]:
    key = new_file_key()
    # Names carry nothing but the random key (a two-character folder keeps directories small).
    name = default_storage.save(f"{key[:2]}/{key}.{rendition.extension}", ContentFile(rendition.data))
    return key, name


def process_attachment(*, media_id: uuid.UUID | str) -> str:
    """Decode, re-encode and store one pending upload; its state becomes ready or failed. Safe to run twice:
    anything but a pending attachment with a staged file is left alone. The staged upload is always deleted.
    """
    attachment = MediaAttachment.objects.filter(pk=media_id).first()
    if attachment is None or attachment.state != MediaAttachment.State.PENDING or not attachment.staging_name:
        return attachment.state if attachment else "missing"
    staging_name, _sep, detected = attachment.staging_name.partition(":")
    path = staging_path(staging_name)
    stored: list[str] = []
    try:
        if not path.exists():
            raise processing.MediaError(
                _("The upload was lost before it could be processed; please try again.")
            )
        if detected in processing.VIDEO_TYPES:
            result = processing.run_isolated(processing.process_video, path, timeout=processing.VIDEO_SECONDS)
        else:
            crop_to = PROFILE_IMAGE_SIZES.get(attachment.purpose)
            result = processing.run_isolated(
                processing.process_image, path, detected, crop_to, timeout=processing.IMAGE_SECONDS
            )
        files = []
        for rendition in result.renditions:
            key, name = _store(rendition)
            stored.append(name)
            files.append(
                MediaFile(
                    key=key,
                    attachment_id=attachment.pk,
                    variant=rendition.variant,
                    storage_name=name,
                    content_type=rendition.content_type,
                    width=rendition.width,
                    height=rendition.height,
                    size=len(rendition.data),
                )
            )
        with transaction.atomic():
            updated = MediaAttachment.objects.filter(
                pk=attachment.pk, state=MediaAttachment.State.PENDING
            ).update(
                state=MediaAttachment.State.READY,
                kind=result.kind,
                width=result.width,
                height=result.height,
                duration=result.duration,
                blurhash=result.blurhash,
                staging_name="",
                error="",
                processed_at=timezone.now(),
            )
            if updated:
                MediaFile.objects.bulk_create(files)
        if not updated:
            # Deleted (or processed elsewhere) meanwhile: keep nothing of this run.
            _delete_from_storage(stored)
            return "missing"
        return MediaAttachment.State.READY
    except processing.MediaError as error:
        _delete_from_storage(stored)
        _fail(attachment, str(error))
        return MediaAttachment.State.FAILED
    except Exception:
        logger.exception("processing media %s failed", media_id)
        _delete_from_storage(stored)
        _fail(attachment, _("This file could not be processed."))
        return MediaAttachment.State.FAILED
    finally:
        path.unlink(missing_ok=True)


def _fail(attachment: MediaAttachment, message: str) -> None:
    MediaAttachment.objects.filter(pk=attachment.pk).update(
        state=MediaAttachment.State.FAILED, error=message[:300], staging_name="", processed_at=timezone.now()
    )


def attach_media(*, post_id: uuid.UUID, author: User, media_ids: Sequence[uuid.UUID | str]) -> None:
    """Attach the author's own unattached post uploads to a post, in the given order (call inside the post's
    transaction). Failed uploads cannot be attached.
    """
    if not media_ids:
        return
    if len(media_ids) > settings.AGORA_MEDIA_MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "media": [
                    _("A post can have at most %(limit)d attachments.")
                    % {"limit": settings.AGORA_MEDIA_MAX_ATTACHMENTS}
                ]
            }
        )
    candidates = {
        str(a.pk): a
        for a in MediaAttachment.objects.select_for_update().filter(
            pk__in=[str(m) for m in media_ids],
            owner=author,
            post__isnull=True,
            purpose=MediaAttachment.Purpose.POST,
        )
    }
    for position, media_id in enumerate(media_ids):
        attachment = candidates.get(str(media_id))
        if attachment is None:
            raise NotFound(media_id)
        if attachment.state == MediaAttachment.State.FAILED:
            raise ValidationError({"media": [attachment.error or _("This file could not be processed.")]})
        MediaAttachment.objects.filter(pk=attachment.pk).update(post_id=post_id, position=position)


def describe_media(*, actor: User, media: MediaAttachment, alt_text: str) -> MediaAttachment:
    """Change an attachment's description (alt text)."""
    if media.owner_id != actor.pk:
        raise NotAllowed(_("Only the uploader can describe this file."))
    media.alt_text = _clean_alt_text(alt_text)
    media.save(update_fields=["alt_text"])
    if media.post_id is not None:
        # A description is part of its post: the post is screened again (a hold takes it back).
        from agora.posts.models import Post
        from agora.screening.services import rescreen_post

        rescreen_post(post=Post.objects.get(pk=media.post_id))
    return media


def _delete_from_storage(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # storage hiccup: log and go on; the sweeper in `purge_media` retries orphans
            logger.exception("could not delete media object %s", name)


def delete_files_of(attachments: QuerySet[MediaAttachment]) -> None:
    """Schedule the stored files (and staged uploads) of `attachments` for deletion once the surrounding
    transaction commits; call before deleting the rows (the post, the account, or the attachments themselves).
    """
    names = list(MediaFile.objects.filter(attachment__in=attachments).values_list("storage_name", flat=True))
    staged = [
        value.partition(":")[0]
        for value in attachments.exclude(staging_name="").values_list("staging_name", flat=True)
    ]
    if not names and not staged:
        return

    def delete() -> None:
        _delete_from_storage(names)
        for name in staged:
            staging_path(name).unlink(missing_ok=True)

    transaction.on_commit(delete)


def delete_media_of_posts(post_ids: Iterable[uuid.UUID]) -> None:
    """Called by post deletion inside its transaction: the posts' files go from storage after commit."""
    delete_files_of(MediaAttachment.objects.filter(post_id__in=list(post_ids)))


def delete_media_of_account(user: User) -> None:
    """Called by account deletion inside its transaction: every file the account uploaded goes after
    commit."""
    delete_files_of(MediaAttachment.objects.filter(owner=user))


def delete_unattached(*, actor: User, media: MediaAttachment) -> None:
    """Delete an upload that is not (yet) part of a post."""
    if media.owner_id != actor.pk or media.post_id is not None:
        raise NotAllowed(_("This file cannot be deleted here."))
    with transaction.atomic():
        delete_files_of(MediaAttachment.objects.filter(pk=media.pk))
        media.delete()


def purge_stale_uploads(*, older_than_hours: int = 24) -> int:
    """Delete post uploads that never became part of a post (the composer was abandoned)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    stale = MediaAttachment.objects.filter(
        purpose=MediaAttachment.Purpose.POST, post__isnull=True, created_at__lt=cutoff
    )
    with transaction.atomic():
        delete_files_of(stale)
        deleted, _by_model = stale.delete()
    return deleted


def set_profile_image(*, user: User, upload: UploadedFile, purpose: str) -> MediaAttachment:
    """Replace the account's avatar or header picture. The previous one's files go after commit; the new one
    shows once processed. Side effect after commit: the `process_media` task.
    """
    if purpose not in PROFILE_IMAGE_SIZES:
        raise ValidationError({"media": [_("Choose an avatar or a header picture.")]})
    detected = check_uploads([upload])[0]
    if detected in processing.VIDEO_TYPES:
        raise ValidationError({"media": [_("Avatars and headers must be pictures.")]})
    with transaction.atomic():
        remove_profile_image(user=user, purpose=purpose)
        return upload_media(owner=user, upload=upload, purpose=purpose, detected=detected)


def remove_profile_image(*, user: User, purpose: str) -> None:
    """Delete the account's avatar or header picture (files after commit)."""
    with transaction.atomic():
        previous = MediaAttachment.objects.filter(owner=user, purpose=purpose)
        delete_files_of(previous)
        previous.delete()
