"""Writes the client API owns: app registration, bookmarks, pins and read markers.

Everything else an app changes goes through the other apps' services (posts, accounts, media, moderation).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import generate_token

from agora.accounts.models import User
from agora.accounts.services import register_user
from agora.api.models import AppDetails, Bookmark, Marker, Pin
from agora.api.scopes import parse_scopes, unknown_scopes
from agora.core.exceptions import NotAllowed, NotFound
from agora.posts.models import ModerationState, Post, Visibility
from agora.posts.selectors import can_view_post

OOB = "urn:ietf:wg:oauth:2.0:oob"
# Schemes no redirect may use (mobile apps register their own, e.g. `tusky://`).
FORBIDDEN_SCHEMES = {"javascript", "data", "vbscript", "file", "about", "blob"}
MAX_PINS = 5


def clean_redirect_uris(value: str | list[str]) -> list[str]:
    uris = value.split() if isinstance(value, str) else [u for item in value for u in str(item).split()]
    if not uris:
        raise ValidationError({"redirect_uris": ["can't be blank"]})
    for uri in uris:
        if uri == OOB:
            continue
        parts = urlsplit(uri)
        if not parts.scheme or parts.scheme.lower() in FORBIDDEN_SCHEMES or "#" in uri or len(uri) > 2000:
            raise ValidationError({"redirect_uris": ["must be an absolute URI"]})
        if parts.scheme.lower() in ("http", "https") and not parts.netloc:
            raise ValidationError({"redirect_uris": ["must be an absolute URI"]})
    return uris


def register_app(
    *, name: str, redirect_uris: str | list[str], scopes: str = "read", website: str = ""
) -> tuple[Application, str]:
    """Register a client app (Mastodon's `POST /api/v1/apps`); returns the app and its client secret, which
    is stored only hashed and shown this once."""
    name = name.strip()
    if not name or len(name) > 255:
        raise ValidationError({"client_name": ["can't be blank" if not name else "is too long"]})
    uris = clean_redirect_uris(redirect_uris)
    scope_list = parse_scopes(scopes) or ["read"]
    if unknown := unknown_scopes(scope_list):
        raise ValidationError({"scopes": [f"unknown scope: {' '.join(unknown)}"]})
    website = website.strip()
    if website and not urlsplit(website).scheme.startswith("http"):
        raise ValidationError({"website": ["must be a web address"]})
    secret = generate_client_secret()
    with transaction.atomic():
        application = Application.objects.create(
            name=name,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(uris),
            client_secret=secret,
            hash_client_secret=True,
            skip_authorization=False,
        )
        AppDetails.objects.create(application=application, scopes=" ".join(scope_list), website=website[:500])
    return application, secret


def bookmark(*, user: User, post: Post) -> None:
    """Keep a post one may see in one's private bookmarks. Twice is harmless."""
    original = post.repost_of if post.repost_of_id is not None else post
    assert original is not None
    if not can_view_post(user, original):
        raise NotFound(original.pk)
    Bookmark.objects.get_or_create(user=user, post=original)


def unbookmark(*, user: User, post: Post) -> None:
    Bookmark.objects.filter(user=user, post_id=post.repost_of_id or post.pk).delete()


def pin(*, user: User, post: Post) -> None:
    """Pin one's own published public or unlisted post to one's profile (at most MAX_PINS)."""
    if post.author_id != user.pk or post.repost_of_id is not None:
        raise NotAllowed("Only your own posts can be pinned")
    if post.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED) or (
        post.moderation_state != ModerationState.PUBLISHED
    ):
        raise NotAllowed("This post cannot be pinned")
    with transaction.atomic():
        if Pin.objects.filter(user=user, post=post).exists():
            return
        if Pin.objects.filter(user=user).count() >= MAX_PINS:
            raise ValidationError({"pin": [f"You can pin at most {MAX_PINS} posts"]})
        try:
            with transaction.atomic():
                Pin.objects.create(user=user, post=post)
        except IntegrityError:
            return


def unpin(*, user: User, post: Post) -> None:
    Pin.objects.filter(user=user, post=post).delete()


def save_marker(*, user: User, timeline: str, last_read_id: str) -> Marker:
    """Remember where the person stopped reading; each save bumps the version (apps detect conflicts)."""
    if timeline not in Marker.Timeline.values:
        raise ValidationError({"timeline": ["unknown timeline"]})
    last_read_id = last_read_id.strip()[:64]
    if not last_read_id:
        raise ValidationError({"last_read_id": ["can't be blank"]})
    with transaction.atomic():
        marker, created = Marker.objects.get_or_create(
            user=user, timeline=timeline, defaults={"last_read_id": last_read_id}
        )
        if not created:
            Marker.objects.filter(pk=marker.pk).update(last_read_id=last_read_id, version=F("version") + 1)
            marker.refresh_from_db()
    return marker


def sign_up(
    *,
    application: Application,
    username: str,
    email: str,
    password: str,
    accepted_terms: bool,
    language: str = "",
    reason: str = "",
    scope: str = "read",
) -> tuple[AccessToken, str]:
    """Sign up from an app (`POST /api/v1/accounts`) under the instance's registration mode, and give the
    app a token for the new account (usable once the account is active: at once, or after approval)."""
    with transaction.atomic():
        user = register_user(
            username=username,
            email=email,
            password=password,
            accepted_terms=accepted_terms,
            language=language,
            reason=reason,
        )
        raw = generate_token()
        token = AccessToken.objects.create(
            user=user,
            application=application,
            token=raw,
            scope=scope,
            expires=timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
        )
    return token, raw
