"""What goes into a person's archive, in the formats Mastodon's archive uses (so other servers and tools read
it): ActivityStreams JSON-LD (`actor.json`, `outbox.json`, `likes.json`, `bookmarks.json`), the media files
the JSON points to, and the CSV exports of settings → Import and export (`following_accounts.csv`,
`blocked_accounts.csv`, `muted_accounts.csv`, `bookmarks.csv`).

Post text is rendered by the one renderer (agora/posts/text.py). Only what the person may see goes in: their
own posts, and likes and bookmarks of posts that are still visible to them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from agora.accounts.models import Block, Follow, Mute, User
from agora.media.models import MediaAttachment, MediaFile
from agora.posts.models import Like, Post, Visibility
from agora.posts.selectors import visible_posts_for
from agora.posts.text import render_post_html

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# What Mastodon puts beside the ActivityStreams context for the extra terms it uses.
JSONLD_CONTEXT: list[Any] = [
    AS_CONTEXT,
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "sensitive": "as:sensitive",
        "Hashtag": "as:Hashtag",
        "toot": "http://joinmastodon.org/ns#",
        "discoverable": "toot:discoverable",
        "blurhash": "toot:blurhash",
        "schema": "http://schema.org#",
        "PropertyValue": "schema:PropertyValue",
        "value": "schema:value",
    },
]

FOLLOWING_HEADER = ["Account address", "Show boosts", "Notify on new posts", "Languages"]
MUTED_HEADER = ["Account address", "Hide notifications"]


def base_url() -> str:
    return f"{'https' if settings.AGORA_HTTPS else 'http'}://{settings.AGORA_DOMAIN}"


def account_address(user: User) -> str:
    """The fediverse address other servers know the account by: `username@domain`."""
    return f"{user.username}@{settings.AGORA_DOMAIN}"


def actor_url(user: User) -> str:
    return base_url() + reverse("web:profile", kwargs={"username": user.username})


def post_url(post: Post) -> str:
    return base_url() + reverse("web:thread", kwargs={"username": post.author.username, "post_id": post.pk})


def media_path(media_file: MediaFile) -> str:
    """Where a stored file goes inside the archive (the JSON refers to it by this relative path)."""
    extension = media_file.storage_name.rsplit(".", 1)[-1] if "." in media_file.storage_name else "bin"
    return f"media_attachments/files/{media_file.attachment_id}/{media_file.variant}.{extension}"


def post_html(post: Post) -> str:
    """The same HTML the web app shows (links only to accounts the post really mentions), absolute links."""
    mentioned = {user.username.lower(): user.username for user in post.mentions.all()}
    mentioned[post.author.username.lower()] = post.author.username

    def mention_url(username: str) -> str | None:
        stored = mentioned.get(username.lower())
        return base_url() + reverse("web:profile", kwargs={"username": stored}) if stored else None

    def hashtag_url(tag: str) -> str:
        return base_url() + reverse("web:hashtag", kwargs={"tag": tag})

    return render_post_html(post.text, mention_url=mention_url, hashtag_url=hashtag_url)


def _addressing(post: Post) -> tuple[list[str], list[str]]:
    followers = actor_url(post.author) + "/followers"
    mentioned = [actor_url(user) for user in post.mentions.all()]
    if post.visibility == Visibility.PUBLIC:
        return [AS_PUBLIC], [followers, *mentioned]
    if post.visibility == Visibility.UNLISTED:
        return [followers], [AS_PUBLIC, *mentioned]
    if post.visibility == Visibility.FOLLOWERS:
        return [followers], mentioned
    return mentioned, []


def _attachment_json(attachment: MediaAttachment) -> dict[str, Any] | None:
    main = attachment.main_file
    if main is None:
        return None
    return {
        "type": "Document",
        "mediaType": main.content_type,
        "url": media_path(main),
        "name": attachment.alt_text or None,
        "blurhash": attachment.blurhash or None,
        "width": main.width,
        "height": main.height,
    }


def note_json(post: Post) -> dict[str, Any]:
    to, cc = _addressing(post)
    return {
        "id": post_url(post),
        "type": "Note",
        "summary": post.spoiler_text or None,
        "inReplyTo": post_url(post.in_reply_to) if post.in_reply_to is not None else None,
        "published": post.created_at.isoformat(),
        "updated": post.edited_at.isoformat() if post.edited_at else None,
        "url": post_url(post),
        "attributedTo": actor_url(post.author),
        "to": to,
        "cc": cc,
        "sensitive": post.sensitive,
        "content": post_html(post),
        "contentMap": {post.language: post_html(post)} if post.language else None,
        "attachment": [
            item
            for item in (_attachment_json(attachment) for attachment in post.media_attachments.all())
            if item is not None
        ],
        "tag": [
            *(
                {"type": "Mention", "href": actor_url(user), "name": f"@{account_address(user)}"}
                for user in post.mentions.all()
            ),
            *(
                {
                    "type": "Hashtag",
                    "href": base_url() + reverse("web:hashtag", kwargs={"tag": tag.name}),
                    "name": f"#{tag.name}",
                }
                for tag in post.hashtags.all()
            ),
        ],
    }


def own_posts(user: User) -> Any:
    """Everything the person posted, oldest first, with what the JSON needs loaded in a few queries."""
    return (
        Post.objects.filter(author=user)
        .select_related("author", "in_reply_to__author", "repost_of__author")
        .prefetch_related("mentions", "hashtags", "media_attachments__files")
        .order_by("id")
    )


def outbox_items(user: User) -> Iterator[dict[str, Any]]:
    """One `Create` per own post (its Note inside, addressed by its visibility: only public posts are
    addressed to the public) and one `Announce` per repost, as Mastodon's archive has them.
    """
    for post in own_posts(user).iterator(chunk_size=500):
        to, cc = _addressing(post)
        if post.repost_of is not None:
            yield {
                "id": post_url(post) + "/activity",
                "type": "Announce",
                "actor": actor_url(user),
                "published": post.created_at.isoformat(),
                "to": to,
                "cc": cc,
                "object": post_url(post.repost_of),
            }
            continue
        yield {
            "id": post_url(post) + "/activity",
            "type": "Create",
            "actor": actor_url(user),
            "published": post.created_at.isoformat(),
            "to": to,
            "cc": cc,
            "object": note_json(post),
        }


def outbox_json(user: User) -> dict[str, Any]:
    items = list(outbox_items(user))
    return {
        "@context": JSONLD_CONTEXT,
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items),
        "orderedItems": items,
    }


def _profile_picture(user: User, purpose: str) -> tuple[dict[str, Any] | None, MediaFile | None]:
    attachment = (
        MediaAttachment.objects.filter(owner=user, purpose=purpose, state=MediaAttachment.State.READY)
        .prefetch_related("files")
        .order_by("-created_at")
        .first()
    )
    main = attachment.main_file if attachment is not None else None
    if main is None:
        return None, None
    return {"type": "Image", "mediaType": main.content_type, "url": media_path(main)}, main


def actor_json(user: User) -> dict[str, Any]:
    icon, _file = _profile_picture(user, MediaAttachment.Purpose.AVATAR)
    image, _file = _profile_picture(user, MediaAttachment.Purpose.HEADER)
    url = actor_url(user)
    return {
        "@context": JSONLD_CONTEXT,
        "id": url,
        "type": "Person",
        "following": url + "/following",
        "followers": url + "/followers",
        "outbox": "outbox.json",
        "likes": "likes.json",
        "bookmarks": "bookmarks.json",
        "preferredUsername": user.username,
        "name": user.display_name or user.username,
        "summary": render_post_html(
            user.bio,
            mention_url=lambda name: base_url() + reverse("web:profile", kwargs={"username": name}),
            hashtag_url=lambda tag: base_url() + reverse("web:hashtag", kwargs={"tag": tag}),
        ),
        "url": url,
        "manuallyApprovesFollowers": user.is_locked,
        "discoverable": user.discoverable,
        "published": user.date_joined.isoformat(),
        "attachment": [
            {"type": "PropertyValue", "name": field.get("name", ""), "value": field.get("value", "")}
            for field in user.profile_fields or []
        ],
        "icon": icon,
        "image": image,
        # Followers are other people's choice: the archive has their number, not their names.
        "followersCount": user.followers_count,
        "followingCount": user.following_count,
    }


def _collection(name: str, urls: list[str]) -> dict[str, Any]:
    return {
        "@context": AS_CONTEXT,
        "id": name,
        "type": "OrderedCollection",
        "totalItems": len(urls),
        "orderedItems": urls,
    }


def liked_posts(user: User) -> list[Post]:
    liked = Like.objects.filter(user=user).order_by("id").values_list("post_id", flat=True)
    posts = visible_posts_for(user, Post.objects.filter(pk__in=liked)).select_related("author")
    by_id = {post.pk: post for post in posts}
    return [by_id[post_id] for post_id in liked if post_id in by_id]


def bookmarked_posts(user: User) -> list[Post]:
    from agora.api.models import Bookmark

    marked = Bookmark.objects.filter(user=user).order_by("id").values_list("post_id", flat=True)
    posts = visible_posts_for(user, Post.objects.filter(pk__in=marked)).select_related("author")
    by_id = {post.pk: post for post in posts}
    return [by_id[post_id] for post_id in marked if post_id in by_id]


def likes_json(user: User) -> dict[str, Any]:
    return _collection("likes.json", [post_url(post) for post in liked_posts(user)])


def bookmarks_json(user: User) -> dict[str, Any]:
    return _collection("bookmarks.json", [post_url(post) for post in bookmarked_posts(user)])


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def following_csv(user: User) -> str:
    """Mastodon's format: a header row, then address, show boosts, notify on new posts, languages."""
    follows = Follow.objects.filter(follower=user).select_related("followee").order_by("id")
    return _csv(
        [FOLLOWING_HEADER, *([account_address(row.followee), "true", "false", ""] for row in follows)]
    )


def blocked_csv(user: User) -> str:
    """Mastodon's format: one address per line, no header."""
    blocks = Block.objects.filter(blocker=user).select_related("blocked").order_by("id")
    return _csv([[account_address(row.blocked)] for row in blocks])


def muted_csv(user: User) -> str:
    """Mastodon's format: a header row, then address and whether notifications are hidden too (they are)."""
    mutes = Mute.objects.filter(muter=user).select_related("muted").order_by("id")
    return _csv([MUTED_HEADER, *([account_address(row.muted), "true"] for row in mutes)])


def bookmarks_csv(user: User) -> str:
    """Mastodon's format: one post URL per line, no header."""
    return _csv([[post_url(post)] for post in bookmarked_posts(user)])


def media_files(user: User) -> Iterator[MediaFile]:
    """The stored files the archive's JSON refers to: full-size files of own posts, avatar and header."""
    for post in own_posts(user).filter(repost_of__isnull=True):
        for attachment in post.media_attachments.all():
            if attachment.main_file is not None:
                yield attachment.main_file
    for purpose in (MediaAttachment.Purpose.AVATAR, MediaAttachment.Purpose.HEADER):
        _json, main = _profile_picture(user, purpose)
        if main is not None:
            yield main


def open_media(media_file: MediaFile) -> Any:
    return default_storage.open(media_file.storage_name, "rb")
