"""Accounts: the signed-in account, profiles, their posts and followers, relationships, sign-up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from agora.accounts import services as account_services
from agora.accounts.selectors import (
    blocked_accounts,
    followers_of,
    following_of,
    get_visible_account,
    muted_accounts,
    pending_follow_requests,
)
from agora.api import services as api_services
from agora.api.pagination import backwards_page, page_params, paginate_queryset, with_link_header
from agora.api.selectors import familiar_followers, get_visible_account_by_id, pinned_posts
from agora.api.views.base import (
    ApiView,
    as_bool,
    json_schema,
    list_schema,
    page_schema,
    param_list,
    parse_id,
    text_param,
)
from agora.api.views.timelines import has_media
from agora.core.exceptions import NotFound
from agora.core.ratelimit import charge_request
from agora.media import services as media_services
from agora.media.models import MediaAttachment
from agora.posts.models import Post
from agora.posts.text import parse_text
from agora.search.selectors import search_accounts
from agora.timelines.selectors import profile_timeline


class VerifyCredentialsView(ApiView):
    required_scopes = {"GET": "profile"}
    user_required = True

    @json_schema
    def get(self, request: Request) -> Response:
        return Response(self.entities(request).account(self.account(request), source=True))


class UpdateCredentialsView(ApiView):
    required_scopes = {"PATCH": "write:accounts"}
    user_required = True

    def _fields(self, data: Any) -> list[dict[str, str]] | None:
        """`fields_attributes[0][name]=...` (form) or `fields_attributes: [{...}]` / `{"0": {...}}` (JSON)."""
        raw = data.get("fields_attributes") if hasattr(data, "get") else None
        if isinstance(raw, dict):
            raw = [raw[key] for key in sorted(raw)]
        if isinstance(raw, list):
            return [
                {"name": str(f.get("name", "")), "value": str(f.get("value", ""))}
                for f in raw
                if isinstance(f, dict)
            ]
        indexed: dict[int, dict[str, str]] = {}
        for key in data:
            if key.startswith("fields_attributes[") and key.endswith("]"):
                parts = key[len("fields_attributes[") : -1].split("][")
                if len(parts) == 2 and parts[0].isdigit() and parts[1] in ("name", "value"):
                    indexed.setdefault(int(parts[0]), {})[parts[1]] = str(data.get(key))
        if not indexed:
            return None
        return [indexed[i] for i in sorted(indexed)]

    @json_schema
    def patch(self, request: Request) -> Response:
        user = self.account(request)
        data = request.data
        changes: dict[str, Any] = {}
        if "display_name" in data:
            changes["display_name"] = text_param(data, "display_name", max_length=1000)
        if "note" in data:
            changes["bio"] = text_param(data, "note", max_length=10_000)
        if "locked" in data:
            changes["is_locked"] = as_bool(data.get("locked"))
        if "discoverable" in data:
            changes["discoverable"] = as_bool(data.get("discoverable"))
        language = data.get("source[language]") or (
            data.get("source", {}).get("language") if isinstance(data.get("source"), dict) else None
        )
        if language is not None:
            changes["language"] = str(language)
        fields = self._fields(data)
        if fields is not None:
            changes["profile_fields"] = fields
        if changes:
            user = account_services.update_profile(user=user, **changes)
        for purpose in (MediaAttachment.Purpose.AVATAR, MediaAttachment.Purpose.HEADER):
            upload = request.FILES.get(purpose)
            if upload is not None:
                media_services.set_profile_image(user=user, upload=upload, purpose=purpose)
        return Response(self.entities(request).account(user, source=True))


class AccountView(ApiView):
    required_scopes = {"GET": "read:accounts"}

    @json_schema
    def get(self, request: Request, account_id: str) -> Response:
        account = get_visible_account_by_id(self.viewer(request), parse_id(account_id))
        return Response(self.entities(request).account(account))


class LookupView(ApiView):
    required_scopes = {"GET": "read:accounts"}

    @json_schema
    def get(self, request: Request) -> Response:
        acct = request.query_params.get("acct", "").lstrip("@")
        username, _at, domain = acct.partition("@")
        if not username or (domain and domain.lower() != settings.AGORA_DOMAIN.lower()):
            raise NotFound(acct)
        account = get_visible_account(self.viewer(request), username)
        return Response(self.entities(request).account(account))


class AccountSearchView(ApiView):
    required_scopes = {"GET": "read:accounts"}

    @list_schema
    def get(self, request: Request) -> Response:
        params = page_params(request)
        try:
            offset = max(0, int(request.query_params.get("offset", 0)))
        except ValueError:
            offset = 0
        accounts = search_accounts(
            self.viewer(request), request.query_params.get("q", ""), limit=params.limit, offset=offset
        )
        entities = self.entities(request)
        entities.prefetch_pictures(accounts)
        return Response([entities.account(a) for a in accounts])


class AccountStatusesView(ApiView):
    required_scopes = {"GET": "read:statuses"}

    @page_schema
    def get(self, request: Request, account_id: str) -> Response:
        viewer = self.viewer(request)
        account = get_visible_account_by_id(viewer, parse_id(account_id))
        query = request.query_params
        entities = self.entities(request)
        if as_bool(query.get("pinned")):
            return Response(entities.statuses(pinned_posts(viewer, account)))
        params = page_params(request)
        with_replies = not as_bool(query.get("exclude_replies"))
        conditions: list[Callable[[Post], bool]] = []
        if as_bool(query.get("exclude_reblogs")):
            conditions.append(lambda p: p.repost_of_id is None)
        if as_bool(query.get("only_media")):
            conditions.append(has_media)
        if query.get("tagged"):
            tag = str(query.get("tagged")).lower().lstrip("#")
            conditions.append(lambda p: p.repost_of_id is None and tag in parse_text(p.text).hashtags)
        posts, oldest, has_more = backwards_page(
            lambda before, limit: profile_timeline(
                viewer, account, with_replies=with_replies, before=before, limit=limit
            ),
            params,
            keep=(lambda p: all(condition(p) for condition in conditions)) if conditions else None,
        )
        newest = posts[0].pk if posts else None
        response = Response(entities.statuses(posts))
        return with_link_header(response, request, newest=newest, oldest=oldest, has_more=has_more)


class FollowListView(ApiView):
    """Followers or following of an account, newest first (cursor: the follow's id)."""

    required_scopes = {"GET": "read:accounts"}
    direction = "followers"

    @page_schema
    def get(self, request: Request, account_id: str) -> Response:
        viewer = self.viewer(request)
        account = get_visible_account_by_id(viewer, parse_id(account_id))
        params = page_params(request)
        if self.direction == "followers":
            links = paginate_queryset(followers_of(viewer, account), params)
            people = [link.follower for link in links]
        else:
            links = paginate_queryset(following_of(viewer, account), params)
            people = [link.followee for link in links]
        entities = self.entities(request)
        entities.prefetch_pictures(people)
        response = Response([entities.account(p) for p in people])
        return with_link_header(
            response,
            request,
            newest=links[0].pk if links else None,
            oldest=links[-1].pk if links else None,
            has_more=len(links) == params.limit,
        )


class RelationshipsView(ApiView):
    required_scopes = {"GET": "read:follows"}
    user_required = True

    @list_schema
    def get(self, request: Request) -> Response:
        viewer = self.viewer(request)
        entities = self.entities(request)
        result = []
        for raw in param_list(request.query_params, "id")[:40]:
            try:
                account = get_visible_account_by_id(viewer, parse_id(raw))
            except NotFound:
                continue
            result.append(entities.relationship(account))
        return Response(result)


class FamiliarFollowersView(ApiView):
    """GET /api/v1/accounts/familiar_followers: for each account, those the viewer follows who follow it."""

    required_scopes = {"GET": "read:follows"}
    user_required = True

    @list_schema
    def get(self, request: Request) -> Response:
        viewer = self.account(request)
        entities = self.entities(request)
        result = []
        # Mastodon.py sends the ids as a JSON body (Rails reads it on GET too).
        ids = param_list(request.query_params, "id") or _body_ids(request)
        for raw in ids[:40]:
            try:
                account = get_visible_account_by_id(viewer, parse_id(raw))
            except NotFound:
                continue
            people = familiar_followers(viewer, account)
            entities.prefetch_pictures(people)
            result.append({"id": str(account.pk), "accounts": [entities.account(p) for p in people]})
        return Response(result)


def _body_ids(request: Request) -> list[str]:
    try:
        data = request.data
    except ParseError:  # an unreadable body on a GET: no ids
        return []
    return param_list(data, "id") if hasattr(data, "get") else []


class AccountEmptyListView(ApiView):
    """An account's featured hashtags and the viewer's lists that contain it: Agora has neither, so empty
    (after checking that the account exists and may be seen)."""

    required_scopes = {"GET": "read:accounts"}

    @list_schema
    def get(self, request: Request, account_id: str) -> Response:
        get_visible_account_by_id(self.viewer(request), parse_id(account_id))
        return Response([])


class RelationshipActionView(ApiView):
    """follow, unfollow, block, unblock, mute, unmute, remove_from_followers: the Relationship after it."""

    user_required = True
    action = "follow"
    required_scopes = {"POST": "write:follows"}

    @json_schema
    def post(self, request: Request, account_id: str) -> Response:
        viewer = self.account(request)
        target = get_visible_account_by_id(viewer if self.action != "unblock" else None, parse_id(account_id))
        action = self.action
        if action == "follow":
            account_services.follow(follower=viewer, target=target)
        elif action == "unfollow":
            account_services.unfollow(follower=viewer, target=target)
        elif action == "block":
            account_services.block(blocker=viewer, target=target)
        elif action == "unblock":
            account_services.unblock(blocker=viewer, target=target)
        elif action == "mute":
            account_services.mute(muter=viewer, target=target)
        elif action == "unmute":
            account_services.unmute(muter=viewer, target=target)
        elif action == "remove_from_followers":
            account_services.remove_follower(user=viewer, follower=target)
        return Response(self.entities(request).relationship(target))


def relationship_view(action: str, scope: str) -> Any:
    return RelationshipActionView.as_view(action=action, required_scopes={"POST": scope})


class PeopleListView(ApiView):
    """Blocks, mutes and follow requests of the signed-in account (cursor: the link's id)."""

    user_required = True
    kind = "blocks"
    required_scopes = {"GET": "read:blocks"}

    @page_schema
    def get(self, request: Request) -> Response:
        viewer = self.account(request)
        params = page_params(request)
        if self.kind == "blocks":
            links: list[Any] = paginate_queryset(blocked_accounts(viewer), params)
            people = [link.blocked for link in links]
        elif self.kind == "mutes":
            links = paginate_queryset(muted_accounts(viewer), params)
            people = [link.muted for link in links]
        else:
            links = paginate_queryset(pending_follow_requests(viewer), params)
            people = [link.requester for link in links]
        entities = self.entities(request)
        entities.prefetch_pictures(people)
        response = Response([entities.account(p) for p in people])
        return with_link_header(
            response,
            request,
            newest=links[0].pk if links else None,
            oldest=links[-1].pk if links else None,
            has_more=len(links) == params.limit,
        )


def people_view(kind: str, scope: str) -> Any:
    return PeopleListView.as_view(kind=kind, required_scopes={"GET": scope})


class FollowRequestDecisionView(ApiView):
    user_required = True
    required_scopes = {"POST": "write:follows"}
    approve = True

    @json_schema
    def post(self, request: Request, account_id: str) -> Response:
        viewer = self.account(request)
        requester = get_visible_account_by_id(viewer, parse_id(account_id))
        if self.approve:
            account_services.approve_follow_request(user=viewer, requester=requester)
        else:
            account_services.reject_follow_request(user=viewer, requester=requester)
        return Response(self.entities(request).relationship(requester))


class RegisterView(ApiView):
    """POST /api/v1/accounts: sign up from an app (with an app token), under the instance's registration
    mode; answers with a token for the new account."""

    required_scopes = {"POST": "write:accounts"}

    @json_schema
    def post(self, request: Request) -> Response:
        token = request.auth
        if token is None:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated("The access token is invalid")
        data = request.data
        charge_request(request._request, "signup", ip_always=True)
        if self.viewer(request) is not None:
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("This method requires an app token")
        locale = text_param(data, "locale", max_length=8)[:2]
        new_token, raw = api_services.sign_up(
            application=token.application,
            username=text_param(data, "username", max_length=100),
            email=text_param(data, "email", max_length=300),
            password=text_param(data, "password", max_length=1000),
            accepted_terms=as_bool(data.get("agreement")),
            language=locale if locale in dict(settings.LANGUAGES) else "",
            reason=text_param(data, "reason", max_length=1000),
            scope=token.scope,
        )
        return Response(
            {
                "access_token": raw,
                "token_type": "Bearer",
                "scope": new_token.scope,
                "created_at": int(new_token.created.timestamp()),
            }
        )
