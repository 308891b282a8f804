"""The one converter from Agora's models to Mastodon's JSON entities (Account, Status, Notification, ...).

Every entity carries every key Mastodon documents that apps dereference; features Agora does not have are
present with neutral values (emojis [], card null, poll null, filtered []). Ids are our string ids. A post the
viewer may not see is never passed in: callers get posts from the visibility selectors.

`serialize_status` and `serialize_notification` are also what the streaming endpoints send.
"""

from __future__ import annotations

import datetime
import functools
import uuid
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

from agora.accounts.models import User
from agora.accounts.selectors import Relationship, is_anonymous, relationship_between
from agora.media.models import MediaAttachment, MediaFile
from agora.media.selectors import granted_url
from agora.notifications.models import Notification
from agora.posts.models import Hashtag, Like, ModerationState, Post, Visibility
from agora.posts.text import parse_text, render_post_html

VISIBILITY_TO_MASTODON: dict[str, str] = {
    Visibility.PUBLIC: "public",
    Visibility.UNLISTED: "unlisted",
    Visibility.FOLLOWERS: "private",
    Visibility.MENTIONED: "direct",
}
VIEWER_FLAGS = ("favourited", "reblogged", "muted", "bookmarked", "pinned")
VISIBILITY_FROM_MASTODON = {value: key for key, value in VISIBILITY_TO_MASTODON.items()}
NOTIFICATION_TYPES: dict[str, str] = {
    Notification.Kind.FOLLOW: "follow",
    Notification.Kind.FOLLOW_REQUEST: "follow_request",
    Notification.Kind.MENTION: "mention",
    # Mastodon has no separate type for replies: a reply mentions the person replied to.
    Notification.Kind.REPLY: "mention",
    Notification.Kind.REPOST: "reblog",
    Notification.Kind.LIKE: "favourite",
}
MEDIA_TYPES: dict[str, str] = {
    MediaAttachment.Kind.IMAGE: "image",
    MediaAttachment.Kind.ANIMATED: "gifv",
    MediaAttachment.Kind.VIDEO: "video",
}
NOTIFICATION_KINDS_BY_TYPE: dict[str, list[str]] = {}
for _kind, _type in NOTIFICATION_TYPES.items():
    NOTIFICATION_KINDS_BY_TYPE.setdefault(_type, []).append(_kind)


def base_url() -> str:
    scheme = "https" if settings.AGORA_HTTPS else "http"
    return f"{scheme}://{settings.AGORA_DOMAIN}"


@functools.lru_cache(maxsize=8192)
def _reversed(prefix: str, urlconf: str, name: str, kwargs: tuple[tuple[str, str], ...]) -> str:
    return reverse(name, kwargs=dict(kwargs), urlconf=urlconf)


def web_path(name: str, **kwargs: object) -> str:
    """reverse() for the web pages statuses and accounts link to, remembered: a page of statuses asks for the
    same few profile, thread and hashtag paths dozens of times, and resolving each costs more than the rest of
    the status. The key holds everything the answer depends on (script prefix and URLconf included)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    items = tuple(sorted((key, str(value)) for key, value in kwargs.items()))
    return _reversed(get_script_prefix(), urlconf, name, items)


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return f"{base_url()}{path}"


def iso(moment: datetime.datetime | None) -> str | None:
    """Mastodon's timestamp format: UTC, milliseconds, `Z`."""
    if moment is None:
        return None
    moment = moment.astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def default_avatar_url() -> str:
    return absolute(static("api/avatar.png"))


def default_header_url() -> str:
    return absolute(static("api/header.png"))


class EntitySerializer:
    """Serializes entities for one viewer, remembering per-account lookups (pictures) across a page."""

    def __init__(self, viewer: User | None) -> None:
        self.viewer = None if is_anonymous(viewer) else viewer
        self._pictures: dict[uuid.UUID, dict[str, MediaFile]] = {}
        self._known: set[uuid.UUID] = set()
        self._bookmarked: set[uuid.UUID] = set()
        self._pinned: set[uuid.UUID] = set()
        self._history: dict[uuid.UUID, list[dict[str, str]]] = {}
        # An account shows on a page once per post of theirs: serialized once per serializer.
        self._accounts: dict[uuid.UUID, dict[str, Any]] = {}

    # Accounts -------------------------------------------------------------------------------------------

    def prefetch_pictures(self, accounts: list[User]) -> None:
        missing = {account.pk for account in accounts if account.pk not in self._pictures}
        if not missing:
            return
        for account_id in missing:
            self._pictures[account_id] = {}
        files = MediaFile.objects.filter(
            attachment__owner_id__in=missing,
            attachment__purpose__in=[MediaAttachment.Purpose.AVATAR, MediaAttachment.Purpose.HEADER],
            attachment__state=MediaAttachment.State.READY,
            variant=MediaFile.Variant.ORIGINAL,
        ).select_related("attachment")
        for media_file in files:
            self._pictures[media_file.attachment.owner_id][media_file.attachment.purpose] = media_file

    def account(self, account: User, *, source: bool = False) -> dict[str, Any]:
        if not source and account.pk in self._accounts:
            return dict(self._accounts[account.pk])
        self.prefetch_pictures([account])
        pictures = self._pictures.get(account.pk, {})
        avatar = pictures.get(MediaAttachment.Purpose.AVATAR)
        header = pictures.get(MediaAttachment.Purpose.HEADER)
        avatar_url = absolute(avatar.url) if avatar else default_avatar_url()
        header_url = absolute(header.url) if header else default_header_url()
        profile_url = absolute(web_path("web:profile", username=account.username))
        fields = [
            {"name": field.get("name", ""), "value": field.get("value", ""), "verified_at": None}
            for field in (account.profile_fields or [])
        ]
        data: dict[str, Any] = {
            "id": str(account.pk),
            "username": account.username,
            "acct": account.username,
            "display_name": account.display_name,
            "locked": account.is_locked,
            "bot": False,
            "discoverable": account.discoverable,
            "indexable": account.discoverable,
            "group": False,
            "created_at": iso(account.date_joined.replace(hour=0, minute=0, second=0, microsecond=0)),
            "note": render_post_html(
                account.bio,
                mention_url=lambda name: absolute(web_path("web:profile", username=name)),
                hashtag_url=lambda tag: absolute(web_path("web:hashtag", tag=tag)),
            ),
            "url": profile_url,
            "uri": profile_url,
            "avatar": avatar_url,
            "avatar_static": avatar_url,
            "header": header_url,
            "header_static": header_url,
            "followers_count": account.followers_count,
            "following_count": account.following_count,
            "statuses_count": account.posts_count,
            "last_status_at": None,
            "hide_collections": False,
            "noindex": not account.discoverable,
            "emojis": [],
            "roles": [],
            "fields": fields,
        }
        if not source:
            self._accounts[account.pk] = data
            return dict(data)
        data["source"] = {
            "note": account.bio,
            "fields": fields,
            "privacy": "public",
            "sensitive": False,
            "language": account.language or "",
            "follow_requests_count": account.received_follow_requests.count(),
            "indexable": account.discoverable,
            "discoverable": account.discoverable,
            "hide_collections": False,
            "attribution_domains": [],
        }
        data["role"] = {
            "id": "0",
            "name": account.get_role_display(),
            "color": "",
            "permissions": "0",
            "highlighted": False,
        }
        return data

    def relationship(self, account: User, relationship: Relationship | None = None) -> dict[str, Any]:
        rel = relationship or relationship_between(self.viewer, account)
        return {
            "id": str(account.pk),
            "following": rel.following,
            "showing_reblogs": rel.following,
            "notifying": False,
            "languages": None,
            "followed_by": rel.followed_by,
            "blocking": rel.blocking,
            "blocked_by": False,
            "muting": rel.muting,
            "muting_notifications": rel.muting,
            "requested": rel.requested,
            "requested_by": rel.requested_by,
            "domain_blocking": False,
            "endorsed": False,
            "note": "",
        }

    # Media ----------------------------------------------------------------------------------------------

    def media(self, attachment: MediaAttachment) -> dict[str, Any]:
        main = attachment.main_file
        preview = attachment.preview_file
        kind = MEDIA_TYPES.get(attachment.kind, "unknown")
        meta: dict[str, Any] = {}
        for name, media_file in (("original", main), ("small", preview)):
            if media_file is not None and media_file.width and media_file.height:
                meta[name] = {
                    "width": media_file.width,
                    "height": media_file.height,
                    "size": f"{media_file.width}x{media_file.height}",
                    "aspect": media_file.width / media_file.height,
                }
        if attachment.duration and "original" in meta:
            meta["original"]["duration"] = attachment.duration
        ready = attachment.state == MediaAttachment.State.READY
        return {
            "id": str(attachment.pk),
            "type": kind,
            # Granted URLs: apps fetch pictures without cookie or token (agora/media/selectors.py).
            "url": absolute(granted_url(main)) if ready and main else None,
            "preview_url": absolute(granted_url(preview)) if ready and preview else None,
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": meta,
            "description": attachment.alt_text or None,
            "blurhash": attachment.blurhash or None,
        }

    # Statuses -------------------------------------------------------------------------------------------

    def _viewer_sets(self, post_ids: list[uuid.UUID]) -> None:
        """Which of these posts the viewer bookmarked and pinned (remembered for the serializer's life)."""
        from agora.api.models import Bookmark, Pin

        wanted = [post_id for post_id in post_ids if post_id not in self._known]
        if not wanted:
            return
        self._known.update(wanted)
        if self.viewer is None:
            return
        self._bookmarked.update(
            Bookmark.objects.filter(user=self.viewer, post_id__in=wanted).values_list("post_id", flat=True)
        )
        self._pinned.update(
            Pin.objects.filter(user=self.viewer, post_id__in=wanted).values_list("post_id", flat=True)
        )

    def prepare(self, posts: list[Post]) -> None:
        """Do the per-viewer lookups (bookmarks, pins, pictures) for a page of posts at once."""
        self._viewer_sets([p.pk for p in posts] + [p.repost_of_id for p in posts if p.repost_of_id])
        accounts = [p.author for p in posts] + [p.repost_of.author for p in posts if p.repost_of]
        self.prefetch_pictures(accounts)

    def statuses(self, posts: list[Post]) -> list[dict[str, Any]]:
        """A page of statuses, with per-viewer lookups done once for the page."""
        self.prepare(posts)
        return [self.status(post) for post in posts]

    def _flag(self, post: Post, annotation: str, query: Any) -> bool:
        if self.viewer is None:
            return False
        if hasattr(post, annotation):
            return bool(getattr(post, annotation))
        return bool(query())

    def status(self, post: Post, *, original_flags: bool = False) -> dict[str, Any]:
        """A post as a Status; a repost wraps its original in `reblog`, as on Mastodon."""
        self._viewer_sets([post.pk, *([post.repost_of_id] if post.repost_of_id else [])])
        if post.repost_of_id is not None and post.repost_of is not None:
            reblog = self._status_fields(post.repost_of, original_flags=True, flags_from=post)
            return self._status_fields(post, reblog_of=reblog)
        return self._status_fields(post, original_flags=original_flags)

    def _status_fields(
        self,
        post: Post,
        *,
        reblog_of: dict[str, Any] | None = None,
        original_flags: bool = False,
        flags_from: Post | None = None,
    ) -> dict[str, Any]:
        """One status; for a reposted original, `flags_from` is the repost row that carries the viewer's
        like/repost annotations for it (``original_viewer_*``)."""
        viewer = self.viewer
        flagged = flags_from or post
        author = post.author
        url = absolute(web_path("web:thread", username=author.username, post_id=post.pk))
        liked_attr = "original_viewer_liked" if original_flags else "viewer_liked"
        reposted_attr = "original_viewer_reposted" if original_flags else "viewer_reposted"
        if reblog_of is not None:
            favourited = reblog_of.get("favourited", False)
            reblogged = reblog_of.get("reblogged", False)
        else:
            favourited = self._flag(
                flagged, liked_attr, lambda: Like.objects.filter(user=viewer, post_id=post.pk).exists()
            )
            reblogged = self._flag(
                flagged,
                reposted_attr,
                lambda: Post.objects.filter(author=viewer, repost_of_id=post.pk).exists(),
            )
        mentions = list(post.mentions.all())
        tags = parse_text(post.text, settings.AGORA_DOMAIN).hashtags if reblog_of is None else []
        in_reply_to = post.in_reply_to if post.in_reply_to_id else None
        data: dict[str, Any] = {
            "id": str(post.pk),
            "uri": url,
            "url": url,
            "account": self.account(author),
            "in_reply_to_id": str(post.in_reply_to_id) if post.in_reply_to_id else None,
            "in_reply_to_account_id": str(in_reply_to.author_id) if in_reply_to is not None else None,
            "reblog": reblog_of,
            "content": self.render_text(post, post.text) if reblog_of is None else "",
            "created_at": iso(post.created_at),
            "edited_at": iso(post.edited_at),
            "emojis": [],
            "replies_count": post.replies_count,
            "reblogs_count": post.reposts_count,
            "favourites_count": post.likes_count,
            "quotes_count": 0,
            "reblogged": reblogged,
            "favourited": favourited,
            "muted": False,
            "bookmarked": post.pk in self._bookmarked,
            "pinned": post.pk in self._pinned,
            "sensitive": post.sensitive,
            "spoiler_text": post.spoiler_text,
            "visibility": VISIBILITY_TO_MASTODON.get(post.visibility, "public"),
            "language": post.language or None,
            "media_attachments": [self.media(a) for a in post.media_attachments.all()]
            if reblog_of is None
            else [],
            "mentions": [
                {
                    "id": str(user.pk),
                    "username": user.username,
                    "acct": user.username,
                    "url": absolute(web_path("web:profile", username=user.username)),
                }
                for user in mentions
            ],
            "tags": [self.tag_link(name) for name in tags],
            "card": None,
            "poll": None,
            "application": None,
            "filtered": moderation_notice(post),
            # Agora's own: what moderation did. A held or removed post reaches only its author (and
            # moderators), who see here that it is pending review or removed.
            "moderation_state": post.moderation_state,
            "pending": post.moderation_state == ModerationState.HELD,
        }
        if viewer is None:
            # As on Mastodon, the per-viewer flags are there only for a token with an account.
            for key in VIEWER_FLAGS:
                del data[key]
        return data

    def render_text(self, post: Post, text: str) -> str:
        """Text of `post` (or an earlier version of it) as safe HTML, linking only accounts it mentions."""
        mentioned = {user.username.lower(): user.username for user in post.mentions.all()}
        mentioned[post.author.username.lower()] = post.author.username
        return _rendered_text(text, tuple(sorted(mentioned.items())), base_url())

    def tag_link(self, name: str) -> dict[str, Any]:
        return {"name": name, "url": absolute(web_path("web:hashtag", tag=name))}

    def prefetch_history(self, hashtags: list[Hashtag]) -> None:
        """The week's use of these hashtags (for `history`), in one query."""
        from agora.api.selectors import hashtag_history

        missing = [tag for tag in hashtags if tag.pk not in self._history]
        if missing:
            self._history.update(hashtag_history(missing))

    def tag(self, hashtag: Hashtag | str, *, following: bool | None = None) -> dict[str, Any]:
        name = hashtag if isinstance(hashtag, str) else hashtag.name
        from agora.api.selectors import unused_history

        history = unused_history()
        if isinstance(hashtag, Hashtag):
            self.prefetch_history([hashtag])
            history = self._history.get(hashtag.pk, [])
        data = {
            **self.tag_link(name),
            "id": str(hashtag.pk) if isinstance(hashtag, Hashtag) else name,
            "history": history,
        }
        if following is not None:
            data["following"] = following
        return data

    # Notifications --------------------------------------------------------------------------------------

    def notification(self, notification: Notification) -> dict[str, Any]:
        post = notification.post
        status = None
        if post is not None:
            status = self.status(post)
        kind = NOTIFICATION_TYPES.get(notification.kind, notification.kind)
        return {
            "id": str(notification.pk),
            "type": kind,
            "group_key": f"ungrouped-{notification.pk}",
            "created_at": iso(notification.created_at),
            "account": self.account(notification.actor),
            "status": status,
        }


MODERATION_NOTICES: dict[str, str] = {
    ModerationState.HELD: "Pending review: only you can see this post until a moderator has looked at it",
    ModerationState.REMOVED: "Removed by the moderators: only you can see this post",
}


@functools.lru_cache(maxsize=4096)
def _rendered_text(text: str, mentioned: tuple[tuple[str, str], ...], base: str) -> str:
    """The HTML of a text whose mentions link these accounts (lower-case name -> name). Rendering is a pure
    function of its arguments, so a post seen again (every timeline shows the newest posts) is not rendered
    again; an edit changes the text, and so the key."""
    accounts = dict(mentioned)

    def mention_url(username: str) -> str | None:
        stored = accounts.get(username.lower())
        return f"{base}{web_path('web:profile', username=stored)}" if stored else None

    def hashtag_url(tag: str) -> str:
        return f"{base}{web_path('web:hashtag', tag=tag)}"

    return render_post_html(text, mention_url=mention_url, hashtag_url=hashtag_url)


def moderation_notice(post: Post) -> list[dict[str, Any]]:
    """A held or removed post (which only its author and moderators are shown) carries a warning that apps
    display, in the shape of Mastodon's filter results (`filter_action: warn`)."""
    title = MODERATION_NOTICES.get(post.moderation_state)
    if title is None:
        return []
    return [
        {
            "filter": {
                "id": f"agora-{post.moderation_state}",
                "title": title,
                "context": ["home", "notifications", "public", "thread", "account"],
                "expires_at": None,
                "filter_action": "warn",
                "keywords": [],
                "statuses": [],
            },
            "keyword_matches": None,
            "status_matches": [str(post.pk)],
        }
    ]


def serialize_status(post: Post, viewer: User | None) -> dict[str, Any]:
    """A post as a Mastodon Status for `viewer` (None or anonymous for nobody in particular).

    The caller has checked that the viewer may see the post (agora.posts.selectors)."""
    return EntitySerializer(viewer).status(post)


def serialize_notification(notification: Notification, viewer: User | None) -> dict[str, Any]:
    """A notification as a Mastodon Notification; `viewer` is normally its recipient."""
    return EntitySerializer(viewer).notification(notification)
