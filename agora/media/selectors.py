"""Who may fetch which media file: a post's files follow the one visibility rule of the post they belong
to."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core import signing
from django.utils.crypto import constant_time_compare

from agora.accounts.models import User
from agora.accounts.selectors import is_anonymous
from agora.core.exceptions import NotFound
from agora.media.models import MediaAttachment, MediaFile
from agora.posts.selectors import can_view_post, get_visible_post


@dataclass(frozen=True)
class ServableFile:
    file: MediaFile
    # True when anyone, signed in or not, may see it (so shared caches may keep it for a while).
    public: bool


# Apps load pictures with plain image requests that carry neither cookie nor token. The API therefore hands
# out file URLs with a grant: a signature over the key and an expiry, issued only after the visibility rule
# let the viewer see the post, and valid for one to two hours (the expiry is rounded up to the hour so a
# file's URL stays the same, and cacheable, within the hour). The same bargain as S3's signed URLs.
GRANT_PERIOD_SECONDS = 3600
_grant_signer = signing.Signer(salt="agora.media.file-grant")


def _grant_signature(key: str, expires: int) -> str:
    return _grant_signer.signature(f"{key}:{expires}")


def granted_url(media_file: MediaFile) -> str:
    """The file's URL with a grant, for someone the visibility rule has just let see it (the API)."""
    expires = (math.ceil(time.time() / GRANT_PERIOD_SECONDS) + 1) * GRANT_PERIOD_SECONDS
    query = urlencode({"expires": expires, "grant": _grant_signature(media_file.key, expires)})
    return f"{media_file.url}?{query}"


def is_granted(key: str, expires: str | None, grant: str | None) -> bool:
    if not expires or not grant or not expires.isdigit() or int(expires) < time.time():
        return False
    return constant_time_compare(grant, _grant_signature(key, int(expires)))


def get_servable_file(viewer: User | None, key: str, *, granted: bool = False) -> ServableFile:
    """The stored file with this key if `viewer` may see it (or holds a valid grant for it); NotFound
    otherwise, exactly as for a key that does not exist.
    """
    media_file = (
        MediaFile.objects.select_related("attachment", "attachment__owner").filter(key=key).first()
        if 16 <= len(key) <= 64
        else None
    )
    if media_file is None:
        raise NotFound(key)
    attachment = media_file.attachment
    if not attachment.owner.is_active:
        raise NotFound(key)
    if attachment.purpose != MediaAttachment.Purpose.POST:
        return ServableFile(file=media_file, public=True)
    if granted:
        return ServableFile(file=media_file, public=False)
    if attachment.post_id is None:
        # Uploaded but not posted yet: only the uploader may look.
        if is_anonymous(viewer) or viewer is None or viewer.pk != attachment.owner_id:
            raise NotFound(key)
        return ServableFile(file=media_file, public=False)
    post = get_visible_post(viewer, attachment.post_id)
    public = viewer is None or can_view_post(None, post)
    return ServableFile(file=media_file, public=public)


def get_own_attachment(owner: User, media_id: str) -> MediaAttachment:
    """An attachment of `owner`'s (for polling its state, describing or deleting it)."""
    attachment = (
        MediaAttachment.objects.filter(owner=owner, pk=media_id).prefetch_related("files").first()
        if _is_uuid(media_id)
        else None
    )
    if attachment is None:
        raise NotFound(media_id)
    return attachment


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def profile_images(account: User) -> dict[str, MediaFile]:
    """The account's current avatar and header files, by purpose ("avatar", "header"), in one query."""
    files = MediaFile.objects.filter(
        attachment__owner=account,
        attachment__purpose__in=[MediaAttachment.Purpose.AVATAR, MediaAttachment.Purpose.HEADER],
        attachment__state=MediaAttachment.State.READY,
        variant=MediaFile.Variant.ORIGINAL,
    ).select_related("attachment")
    return {media_file.attachment.purpose: media_file for media_file in files}
