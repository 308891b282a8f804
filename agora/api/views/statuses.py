"""Statuses: post (with Idempotency-Key), read, thread context, edit with history and source, delete, and
the actions on a status (favourite, reblog, bookmark, pin and their reversals)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agora.api import services as api_services
from agora.api.selectors import visible_posts_by_ids
from agora.api.serializers import VISIBILITY_FROM_MASTODON, iso
from agora.api.views.base import (
    LIST_SCHEMA,
    ApiView,
    api_schema,
    as_bool,
    json_schema,
    list_schema,
    param_list,
    parse_id,
    text_param,
)
from agora.core.exceptions import NotFound
from agora.core.ratelimit import charge_request
from agora.posts import services as post_services
from agora.posts.models import Like, Post
from agora.posts.selectors import (
    edit_history,
    get_visible_post,
    visible_ancestors,
    visible_descendants,
    visible_posts_for,
)

IDEMPOTENCY_SECONDS = 3600


def _visibility(value: Any) -> str:
    value = str(value or "public")
    if value not in VISIBILITY_FROM_MASTODON:
        raise ValidationError({"visibility": ["is not a valid visibility"]})
    return VISIBILITY_FROM_MASTODON[value]


class StatusesView(ApiView):
    """POST /api/v1/statuses; GET with `id[]` for several statuses at once (those the viewer may see)."""

    required_scopes = {"GET": "read:statuses", "POST": "write:statuses"}
    user_required = ("POST",)

    @api_schema(LIST_SCHEMA, operation_id="v1_statuses_list")
    def get(self, request: Request) -> Response:
        ids = [parse_id(raw) for raw in param_list(request.query_params, "id")[:40]]
        return Response(self.entities(request).statuses(visible_posts_by_ids(self.viewer(request), ids)))

    @json_schema
    def post(self, request: Request) -> Response:
        author = self.account(request)
        key = request.headers.get("Idempotency-Key", "").strip()[:200]
        cache_key = f"api:idempotency:{author.pk}:{key}" if key else None
        if cache_key and (earlier := cache.get(cache_key)):
            try:
                return Response(self.entities(request).status(get_visible_post(author, earlier)))
            except NotFound:
                pass
        data = request.data
        if data.get("poll") or any(k.startswith("poll[") for k in data):
            raise ValidationError({"poll": ["Polls are not supported on this server"]})
        if data.get("scheduled_at"):
            raise ValidationError({"scheduled_at": ["Scheduled posts are not supported on this server"]})
        in_reply_to = None
        if data.get("in_reply_to_id"):
            in_reply_to = get_visible_post(author, parse_id(data.get("in_reply_to_id")))
        post = post_services.create_post(
            author=author,
            text=text_param(data, "status"),
            visibility=_visibility(data.get("visibility")),
            spoiler_text=text_param(data, "spoiler_text", max_length=10_000),
            sensitive=as_bool(data.get("sensitive")),
            in_reply_to=in_reply_to,
            language=text_param(data, "language", max_length=8),
            media_ids=[str(parse_id(m)) for m in param_list(data, "media_ids")],
        )
        if cache_key:
            cache.set(cache_key, str(post.pk), IDEMPOTENCY_SECONDS)
        return Response(self.entities(request).status(get_visible_post(author, post.pk)))


class StatusView(ApiView):
    required_scopes = {"GET": "read:statuses", "PUT": "write:statuses", "DELETE": "write:statuses"}
    user_required = ("PUT", "DELETE")

    @json_schema
    def get(self, request: Request, status_id: str) -> Response:
        post = get_visible_post(self.viewer(request), parse_id(status_id))
        return Response(self.entities(request).status(post))

    @json_schema
    def put(self, request: Request, status_id: str) -> Response:
        editor = self.account(request)
        post = get_visible_post(editor, parse_id(status_id))
        data = request.data
        media_ids = param_list(data, "media_ids")
        current_media = [str(m.pk) for m in post.media_attachments.all()]
        if media_ids and media_ids != current_media:
            raise ValidationError({"media_ids": ["Changing the attachments of a post is not supported"]})
        for media_id, description in _media_descriptions(data).items():
            if media_id in current_media:
                from agora.media.selectors import get_own_attachment
                from agora.media.services import describe_media

                describe_media(actor=editor, media=get_own_attachment(editor, media_id), alt_text=description)
        post_services.edit_post(
            editor=editor,
            post=post,
            text=text_param(data, "status"),
            spoiler_text=text_param(data, "spoiler_text", max_length=10_000),
            sensitive=as_bool(data.get("sensitive"), default=post.sensitive),
        )
        return Response(self.entities(request).status(get_visible_post(editor, post.pk)))

    @json_schema
    def delete(self, request: Request, status_id: str) -> Response:
        actor = self.account(request)
        charge_request(request._request, "delete", ip_always=True)
        post = get_visible_post(actor, parse_id(status_id))
        entity = self.entities(request).status(post)
        entity["text"] = post.text
        post_services.delete_post(actor=actor, post=post)
        return Response(entity)


def _media_descriptions(data: Any) -> dict[str, str]:
    """`media_attributes[][id]=...&media_attributes[][description]=...` (JSON: a list of objects)."""
    raw = data.get("media_attributes") if hasattr(data, "get") else None
    if isinstance(raw, list):
        return {
            str(item.get("id")): str(item.get("description", ""))
            for item in raw
            if isinstance(item, dict) and "description" in item
        }
    return {}


class ContextView(ApiView):
    required_scopes = {"GET": "read:statuses"}

    @json_schema
    def get(self, request: Request, status_id: str) -> Response:
        viewer = self.viewer(request)
        post = get_visible_post(viewer, parse_id(status_id))
        entities = self.entities(request)
        ancestors = visible_ancestors(viewer, post)
        descendants = [p for p, _depth in visible_descendants(viewer, post)]
        return Response(
            {"ancestors": entities.statuses(ancestors), "descendants": entities.statuses(descendants)}
        )


class HistoryView(ApiView):
    required_scopes = {"GET": "read:statuses"}

    @list_schema
    def get(self, request: Request, status_id: str) -> Response:
        viewer = self.viewer(request)
        post = get_visible_post(viewer, parse_id(status_id))
        entities = self.entities(request)
        account = entities.account(post.author)
        media = [entities.media(m) for m in post.media_attachments.all()]
        current = entities.status(post)
        versions = [
            {
                "content": entities.render_text(post, edit.text),
                "spoiler_text": edit.spoiler_text,
                "sensitive": edit.sensitive,
                "created_at": iso(edit.created_at),
                "account": account,
                "poll": None,
                "media_attachments": media,
                "emojis": [],
            }
            for edit in edit_history(viewer, post)
        ]
        versions.append(
            {
                "content": current["content"],
                "spoiler_text": post.spoiler_text,
                "sensitive": post.sensitive,
                "created_at": iso(post.edited_at or post.created_at),
                "account": account,
                "poll": None,
                "media_attachments": media,
                "emojis": [],
            }
        )
        return Response(versions)


class SourceView(ApiView):
    required_scopes = {"GET": "read:statuses"}
    user_required = True

    @json_schema
    def get(self, request: Request, status_id: str) -> Response:
        viewer = self.account(request)
        post = get_visible_post(viewer, parse_id(status_id))
        if post.author_id != viewer.pk:
            raise NotFound(status_id)
        return Response({"id": str(post.pk), "text": post.text, "spoiler_text": post.spoiler_text})


class StatusActionView(ApiView):
    """favourite, unfavourite, reblog, unreblog, bookmark, unbookmark, pin, unpin."""

    user_required = True
    action = "favourite"
    required_scopes = {"POST": "write:favourites"}

    @json_schema
    def post(self, request: Request, status_id: str) -> Response:
        user = self.account(request)
        post = get_visible_post(user, parse_id(status_id))
        action = self.action
        result_id = post.pk
        if action == "favourite":
            post_services.like(user=user, post=post)
        elif action == "unfavourite":
            post_services.unlike(user=user, post=post)
        elif action == "reblog":
            repost = post_services.repost(user=user, post=post)
            result_id = repost.pk
        elif action == "unreblog":
            post_services.undo_repost(user=user, post=post)
            result_id = post.repost_of_id or post.pk
        elif action == "bookmark":
            api_services.bookmark(user=user, post=post)
        elif action == "unbookmark":
            api_services.unbookmark(user=user, post=post)
        elif action == "pin":
            api_services.pin(user=user, post=post)
        elif action == "unpin":
            api_services.unpin(user=user, post=post)
        return Response(self.entities(request).status(get_visible_post(user, result_id)))


def status_action_view(action: str, scope: str) -> Any:
    return StatusActionView.as_view(action=action, required_scopes={"POST": scope})


class StatusAccountsView(ApiView):
    """Who favourited or reblogged a status (newest first, up to 80)."""

    required_scopes = {"GET": "read:accounts"}
    kind = "favourited_by"

    @list_schema
    def get(self, request: Request, status_id: str) -> Response:
        from agora.accounts.selectors import blocked_user_ids, blocker_user_ids

        viewer = self.viewer(request)
        post = get_visible_post(viewer, parse_id(status_id))
        original_id = post.repost_of_id or post.pk
        if self.kind == "favourited_by":
            people = [
                like.user
                for like in Like.objects.filter(post_id=original_id, user__is_active=True)
                .select_related("user")
                .order_by("-id")[:80]
            ]
        else:
            reposts = visible_posts_for(viewer, Post.objects.filter(repost_of_id=original_id))
            people = [p.author for p in reposts.select_related("author").order_by("-id")[:80]]
        if viewer is not None:
            hidden = set(blocked_user_ids(viewer).values_list("blocked_id", flat=True)) | set(
                blocker_user_ids(viewer).values_list("blocker_id", flat=True)
            )
            people = [p for p in people if p.pk not in hidden]
        entities = self.entities(request)
        entities.prefetch_pictures(people)
        return Response([entities.account(p) for p in people])
