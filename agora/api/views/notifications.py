"""Notifications v1 with the unread count, newest first, filtered by Mastodon type."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.request import Request
from rest_framework.response import Response

from agora.accounts.models import User
from agora.api.pagination import backwards_page, page_params, with_link_header
from agora.api.selectors import visible_posts_by_ids
from agora.api.serializers import NOTIFICATION_TYPES, EntitySerializer
from agora.api.views.base import (
    LIST_SCHEMA,
    PAGE_PARAMETERS,
    ApiView,
    api_schema,
    json_schema,
    param_list,
    parse_id,
)
from agora.core.exceptions import NotFound
from agora.notifications import services as notification_services
from agora.notifications.models import Notification
from agora.notifications.selectors import get_visible_notification, notifications_for, unread_count


def with_posts_loaded(
    viewer: User, notifications: list[Notification], entities: EntitySerializer
) -> list[Notification]:
    """Load the notifications' posts with everything a status shows, in a fixed number of queries."""
    loaded = visible_posts_by_ids(viewer, [n.post_id for n in notifications if n.post_id])
    entities.prepare(loaded)
    entities.prefetch_pictures([n.actor for n in notifications])
    posts = {post.pk: post for post in loaded}
    for notification in notifications:
        if notification.post_id in posts:
            notification.post = posts[notification.post_id]
    return notifications


def type_filter(request: Request) -> Callable[[Notification], bool]:
    """Which notifications a list shows: Mastodon's types, within `types[]` and not in `exclude_types[]`,
    from `account_id` if given.
    Moderation notices are read on the web (with the statement of reasons), not in Mastodon apps."""
    types = set(param_list(request.query_params, "types"))
    excluded = set(param_list(request.query_params, "exclude_types"))
    from_account = request.query_params.get("account_id")
    actor_id = str(parse_id(from_account)) if from_account else None

    def keep(notification: Notification) -> bool:
        kind = NOTIFICATION_TYPES.get(notification.kind)
        if actor_id is not None and str(notification.actor_id) != actor_id:
            return False
        return kind is not None and (not types or kind in types) and kind not in excluded

    return keep


class NotificationsView(ApiView):
    required_scopes = {"GET": "read:notifications"}
    user_required = True

    @api_schema(LIST_SCHEMA, parameters=PAGE_PARAMETERS, operation_id="v1_notifications_list")
    def get(self, request: Request) -> Response:
        user = self.account(request)
        params = page_params(request, maximum=80)
        items, oldest, has_more = backwards_page(
            lambda before, limit: notifications_for(user, before=before, limit=limit),
            params,
            keep=type_filter(request),
        )
        newest = items[0].pk if items else None
        entities = self.entities(request)
        entities.prefetch_pictures([n.actor for n in items])
        response = Response([entities.notification(n) for n in with_posts_loaded(user, items, entities)])
        return with_link_header(
            response,
            request,
            newest=newest,
            oldest=oldest,
            has_more=has_more,
        )


class NotificationView(ApiView):
    required_scopes = {"GET": "read:notifications"}
    user_required = True

    @json_schema
    def get(self, request: Request, notification_id: str) -> Response:
        user = self.account(request)
        notification = get_visible_notification(user, parse_id(notification_id))
        if notification is None or notification.kind not in NOTIFICATION_TYPES:
            raise NotFound(notification_id)
        return Response(self.entities(request).notification(notification))


class UnreadCountView(ApiView):
    required_scopes = {"GET": "read:notifications"}
    user_required = True

    @json_schema
    def get(self, request: Request) -> Response:
        # Mastodon: `limit` (default 100, at most 1000) caps the count.
        try:
            limit = int(request.query_params.get("limit", 100))
        except ValueError:
            limit = 100
        return Response({"count": unread_count(self.account(request), up_to=max(1, min(limit, 1000)))})


class GroupedNotificationsView(ApiView):
    """GET /api/v2/notifications (Mastodon 4.3): the same notifications in `notification_groups`, with the
    accounts and statuses they refer to listed once. Agora does not merge notifications: each is its own
    group (`ungrouped-<id>`), which the API allows."""

    required_scopes = {"GET": "read:notifications"}
    user_required = True

    @api_schema(parameters=PAGE_PARAMETERS)
    def get(self, request: Request) -> Response:
        user = self.account(request)
        params = page_params(request, maximum=80)
        items, oldest, has_more = backwards_page(
            lambda before, limit: notifications_for(user, before=before, limit=limit),
            params,
            keep=type_filter(request),
        )
        newest = items[0].pk if items else None
        entities = self.entities(request)
        entities.prefetch_pictures([n.actor for n in items])
        accounts: dict[str, dict[str, object]] = {}
        statuses: dict[str, dict[str, object]] = {}
        groups = []
        for notification in with_posts_loaded(user, items, entities):
            entity = entities.notification(notification)
            accounts.setdefault(entity["account"]["id"], entity["account"])
            status = entity["status"]
            if status is not None:
                statuses.setdefault(status["id"], status)
                accounts.setdefault(status["account"]["id"], status["account"])
            groups.append(
                {
                    "group_key": entity["group_key"],
                    "notifications_count": 1,
                    "type": entity["type"],
                    "most_recent_notification_id": entity["id"],
                    "page_min_id": entity["id"],
                    "page_max_id": entity["id"],
                    "latest_page_notification_at": entity["created_at"],
                    "sample_account_ids": [entity["account"]["id"]],
                    "status_id": status["id"] if status is not None else None,
                }
            )
        response = Response(
            {
                "accounts": list(accounts.values()),
                "statuses": list(statuses.values()),
                "notification_groups": groups,
            }
        )
        return with_link_header(
            response,
            request,
            newest=newest,
            oldest=oldest,
            has_more=has_more,
        )


class DismissView(ApiView):
    """POST /api/v1/notifications/:id/dismiss (and the older /api/v1/notifications/dismiss with `id`)."""

    required_scopes = {"POST": "write:notifications"}
    user_required = True

    @json_schema
    def post(self, request: Request, notification_id: str | None = None) -> Response:
        raw = notification_id or request.data.get("id")
        notification_services.dismiss(user=self.account(request), notification_id=parse_id(raw))
        return Response({})


class ClearView(ApiView):
    """POST /api/v1/notifications/clear: delete all of the signed-in account's notifications."""

    required_scopes = {"POST": "write:notifications"}
    user_required = True

    @json_schema
    def post(self, request: Request) -> Response:
        notification_services.clear_all(user=self.account(request))
        return Response({})


class NotificationPolicyView(ApiView):
    """GET /api/v2/notifications/policy (Mastodon 4.3; v1 shape on /api/v1): Agora filters no notifications
    into requests (blocks and mutes apply instead), so every category is accepted and nothing is pending."""

    required_scopes = {"GET": "read:notifications"}
    user_required = True
    version = 2

    @json_schema
    def get(self, request: Request) -> Response:
        summary = {"pending_requests_count": 0, "pending_notifications_count": 0}
        if self.version == 1:
            return Response(
                {
                    "filter_not_following": False,
                    "filter_not_followers": False,
                    "filter_new_accounts": False,
                    "filter_private_mentions": False,
                    "summary": summary,
                }
            )
        categories = (
            "not_following",
            "not_followers",
            "new_accounts",
            "private_mentions",
            "limited_accounts",
        )
        return Response({**{f"for_{name}": "accept" for name in categories}, "summary": summary})
