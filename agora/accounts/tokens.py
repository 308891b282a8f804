"""Applications and personal access tokens for automation and bots (settings → Development, `agora tokens`),
and the apps a person has authorised (settings → Authorised apps).

Built on django-oauth-toolkit's standard models: an `Application` owned by the person, and `AccessToken`s
issued to them for it. Tokens made here do not expire (as on Mastodon) until revoked or regenerated; tokens
that apps get through the OAuth flow expire as OAUTH2_PROVIDER says.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, RefreshToken
from oauthlib.common import generate_token

from agora.accounts.models import User
from agora.api.scopes import parse_scopes, unknown_scopes
from agora.core.exceptions import NotFound

# Out-of-band: the page (or the command) shows the token, nothing is redirected.
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
PERSONAL_TOKEN_LIFETIME = datetime.timedelta(days=100 * 365)


def clean_scopes(value: str) -> str:
    """A space-separated list of known scopes (Mastodon's: read, write, follow, push, read:statuses, ...)."""
    scopes = parse_scopes(value)
    if not scopes:
        raise ValidationError({"scopes": [_("Choose at least one scope.")]})
    unknown = unknown_scopes(scopes)
    if unknown:
        raise ValidationError({"scopes": [_("Unknown scopes: %(scopes)s") % {"scopes": " ".join(unknown)}]})
    return " ".join(dict.fromkeys(scopes))


def create_application(*, owner: User, name: str, scopes: str, website: str = "") -> Application:
    """An application of `owner`'s own (settings → Development) with a token for them in it. Registered as
    the client API registers apps (agora/api), then owned by the person.
    """
    from agora.api.services import register_app

    scopes = clean_scopes(scopes)
    with transaction.atomic():
        application, _secret = register_app(
            name=name, redirect_uris=OOB_REDIRECT_URI, scopes=scopes, website=website
        )
        application.user = owner
        application.save(update_fields=["user"])
        issue_token(user=owner, application=application, scopes=scopes)
    return application


def issue_token(*, user: User, application: Application, scopes: str) -> AccessToken:
    """A new access token for `user` in `application` with these scopes, valid until revoked."""
    scopes = clean_scopes(scopes)
    return AccessToken.objects.create(
        user=user,
        application=application,
        token=generate_token(43),
        expires=timezone.now() + PERSONAL_TOKEN_LIFETIME,
        scope=scopes,
    )


def create_token_for(*, user: User, app_name: str, scopes: str) -> AccessToken:
    """The operator's token for a bot (`agora tokens create`): the account's application of that name is
    reused (created if it does not exist), and a new token is issued in it.
    """
    if not user.is_active:
        raise ValidationError({"user": [_("This account is disabled or waiting for approval.")]})
    scopes = clean_scopes(scopes)
    with transaction.atomic():
        application = Application.objects.filter(user=user, name=app_name).order_by("id").first()
        if application is None:
            return _token_of(create_application(owner=user, name=app_name, scopes=scopes), user)
        return issue_token(user=user, application=application, scopes=scopes)


def _token_of(application: Application, user: User) -> AccessToken:
    token = AccessToken.objects.filter(application=application, user=user).order_by("-id").first()
    assert token is not None
    return token


def own_applications(user: User) -> QuerySet[Application, Any]:
    """The applications a person made (settings → Development)."""
    return Application.objects.filter(user=user).order_by("-created")


def get_own_application(user: User, application_id: Any) -> Application:
    application = Application.objects.filter(user=user, pk=application_id).first()
    if application is None:
        raise NotFound(str(application_id))
    return application


def current_token(*, user: User, application: Application) -> AccessToken | None:
    """The newest live token of `user` in one of their applications (shown on the Development page)."""
    return (
        AccessToken.objects.filter(user=user, application=application, expires__gt=timezone.now())
        .order_by("-id")
        .first()
    )


def regenerate_token(*, user: User, application_id: Any) -> AccessToken:
    """Revoke the tokens of one's own application and issue a fresh one with the same scopes."""
    with transaction.atomic():
        application = get_own_application(user, application_id)
        previous = current_token(user=user, application=application)
        scopes = previous.scope if previous is not None else _app_scopes(application)
        _revoke(user=user, application=application)
        return issue_token(user=user, application=application, scopes=scopes)


def _app_scopes(application: Application) -> str:
    details = getattr(application, "agora_details", None)
    return str(details.scopes) if details is not None else "read"


def delete_application(*, user: User, application_id: Any) -> None:
    """Delete one's own application and every token issued in it."""
    with transaction.atomic():
        get_own_application(user, application_id).delete()


def authorised_applications(user: User) -> list[tuple[Application, AccessToken]]:
    """The applications holding a live token for the person (settings → Authorised apps), each with its
    newest token (for scopes and date), newest first.
    """
    tokens = (
        AccessToken.objects.filter(user=user, application__isnull=False, expires__gt=timezone.now())
        .select_related("application")
        .order_by("-id")
    )
    newest: dict[Any, tuple[Application, AccessToken]] = {}
    for token in tokens:
        assert token.application is not None
        newest.setdefault(token.application_id, (token.application, token))
    return list(newest.values())


def _revoke(*, user: User, application: Application) -> int:
    RefreshToken.objects.filter(user=user, application=application).delete()
    deleted, _by_model = AccessToken.objects.filter(user=user, application=application).delete()
    return deleted


def revoke_application(*, user: User, application_id: Any) -> int:
    """Take away an app's access: every token of `user` in it goes. Returns how many tokens were revoked."""
    with transaction.atomic():
        application = Application.objects.filter(
            Q(pk=application_id), Q(user=user) | Q(accesstoken__user=user)
        ).first()
        if application is None:
            raise NotFound(str(application_id))
        return _revoke(user=user, application=application)


def revoke_tokens(*, user: User, app_name: str | None = None) -> int:
    """The operator's revocation (`agora tokens revoke`): every token of the account, or of one app."""
    with transaction.atomic():
        tokens = AccessToken.objects.filter(user=user)
        refresh = RefreshToken.objects.filter(user=user)
        if app_name is not None:
            tokens = tokens.filter(application__name=app_name)
            refresh = refresh.filter(application__name=app_name)
        refresh.delete()
        deleted, _by_model = tokens.delete()
    return deleted


def revoke_token_value(raw: str) -> bool:
    """Revoke one token given by its value. Returns whether it existed."""
    import hashlib

    checksum = hashlib.sha256(raw.strip().encode("utf-8")).hexdigest()
    deleted, _by_model = AccessToken.objects.filter(token_checksum=checksum).delete()
    return bool(deleted)
