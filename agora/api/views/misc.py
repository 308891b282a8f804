"""The rest of what apps use: markers, preferences, bookmarks, favourites, search, media, reports, tags."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agora.api import services as api_services
from agora.api.models import Marker
from agora.api.pagination import page_params, with_link_header
from agora.api.selectors import bookmarked_posts, favourited_posts, get_visible_account_by_id
from agora.api.serializers import VISIBILITY_TO_MASTODON, iso
from agora.api.views.base import (
    ApiView,
    api_schema,
    json_schema,
    list_schema,
    page_schema,
    param_list,
    parse_id,
)
from agora.core.exceptions import NotFound
from agora.core.ratelimit import charge_request
from agora.media import services as media_services
from agora.media.models import MediaAttachment
from agora.media.selectors import get_own_attachment
from agora.moderation import dsa
from agora.moderation.selectors import active_rules
from agora.moderation.services import create_report
from agora.posts.models import Visibility
from agora.posts.selectors import get_visible_post
from agora.search import services as search_services
from agora.search.selectors import (
    followed_hashtags,
    is_following_hashtag,
    search_accounts,
    search_hashtags,
    search_posts,
    trending_hashtags,
    trending_posts,
)


class MarkersView(ApiView):
    required_scopes = {"GET": "read:statuses", "POST": "write:statuses"}
    user_required = True

    def _entity(self, marker: Marker) -> dict[str, Any]:
        return {
            "last_read_id": marker.last_read_id,
            "version": marker.version,
            "updated_at": iso(marker.updated_at),
        }

    @json_schema
    def get(self, request: Request) -> Response:
        wanted = set(param_list(request.query_params, "timeline")) or set(Marker.Timeline.values)
        markers = Marker.objects.filter(user=self.account(request), timeline__in=wanted)
        return Response({marker.timeline: self._entity(marker) for marker in markers})

    @json_schema
    def post(self, request: Request) -> Response:
        user = self.account(request)
        result = {}
        for timeline in Marker.Timeline.values:
            value = request.data.get(f"{timeline}[last_read_id]")
            nested = request.data.get(timeline)
            if isinstance(nested, dict):
                value = nested.get("last_read_id")
            if value:
                marker = api_services.save_marker(user=user, timeline=timeline, last_read_id=str(value))
                result[timeline] = self._entity(marker)
        return Response(result)


class PreferencesView(ApiView):
    required_scopes = {"GET": "read:accounts"}
    user_required = True

    @json_schema
    def get(self, request: Request) -> Response:
        user = self.account(request)
        return Response(
            {
                "posting:default:visibility": VISIBILITY_TO_MASTODON[Visibility.PUBLIC],
                "posting:default:sensitive": False,
                "posting:default:language": user.language or None,
                "reading:expand:media": "default",
                "reading:expand:spoilers": False,
            }
        )


class SavedPostsView(ApiView):
    """Bookmarks or favourites of the signed-in account, newest first (cursor: the link's id)."""

    user_required = True
    kind = "bookmarks"
    required_scopes = {"GET": "read:bookmarks"}

    @page_schema
    def get(self, request: Request) -> Response:
        viewer = self.account(request)
        params = page_params(request)
        reader = bookmarked_posts if self.kind == "bookmarks" else favourited_posts
        posts, link_ids = reader(viewer, params)
        response = Response(self.entities(request).statuses(posts))
        return with_link_header(
            response,
            request,
            newest=link_ids[0] if link_ids else None,
            oldest=link_ids[-1] if link_ids else None,
            has_more=len(link_ids) == params.limit,
        )


class FavouritesView(SavedPostsView):
    kind = "favourites"
    required_scopes = {"GET": "read:favourites"}


class SearchView(ApiView):
    """GET /api/v2/search: accounts, hashtags and statuses, with the search the web app has."""

    required_scopes = {"GET": "read:search"}

    @json_schema
    def get(self, request: Request) -> Response:
        viewer = self.viewer(request)
        query = request.query_params
        q = str(query.get("q", "")).strip()
        kind = query.get("type")
        params = page_params(request)
        try:
            offset = max(0, int(query.get("offset", 0)))
        except ValueError:
            offset = 0
        entities = self.entities(request)
        accounts: list[Any] = []
        hashtags: list[Any] = []
        statuses: list[Any] = []
        if not q:
            return Response({"accounts": [], "hashtags": [], "statuses": []})
        if kind in (None, "", "accounts"):
            people = search_accounts(viewer, q, limit=params.limit, offset=offset)
            entities.prefetch_pictures(people)
            accounts = [entities.account(p) for p in people]
        if kind in (None, "", "hashtags") and offset == 0:
            found_tags = search_hashtags(q, limit=params.limit)
            entities.prefetch_history(found_tags)
            hashtags = [
                entities.tag(tag, following=is_following_hashtag(viewer, tag.name) if viewer else None)
                for tag in found_tags
            ]
        if kind in (None, "", "statuses") and viewer is not None:
            statuses = entities.statuses(self._posts(viewer, q, offset=offset, limit=params.limit))
        return Response({"accounts": accounts, "hashtags": hashtags, "statuses": statuses})

    def _posts(self, viewer: Any, q: str, *, offset: int, limit: int) -> list[Any]:
        """Result pages of the web's search, skipping `offset` results (search pages by opaque cursors)."""
        cursor = None
        skipped = 0
        while True:
            page = search_posts(viewer, q, cursor=cursor, limit=40 if skipped < offset else limit)
            if skipped >= offset:
                return list(page.items)[:limit]
            take = min(len(page.items), offset - skipped)
            skipped += take
            if skipped >= offset:
                rest = list(page.items)[take:]
                if len(rest) >= limit or page.next_cursor is None:
                    return rest[:limit]
                more = search_posts(viewer, q, cursor=page.next_cursor, limit=limit - len(rest))
                return rest + list(more.items)
            if page.next_cursor is None or not page.items:
                return []
            cursor = page.next_cursor


class MediaUploadView(ApiView):
    """POST /api/v2/media (202 while processing; poll GET /api/v1/media/:id) and /api/v1/media."""

    required_scopes = {"POST": "write:media"}
    user_required = True

    @api_schema(statuses=(200, 202))
    def post(self, request: Request) -> Response:
        owner = self.account(request)
        charge_request(request._request, "media_upload", ip_always=True)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["is missing"]})
        description = request.data.get("description") or ""
        attachment = media_services.upload_media(owner=owner, upload=upload, alt_text=str(description))
        attachment = get_own_attachment(owner, str(attachment.pk))
        if attachment.state == MediaAttachment.State.FAILED:
            raise ValidationError({"file": [attachment.error or "The file could not be processed"]})
        status = 200 if attachment.state == MediaAttachment.State.READY else 202
        return Response(self.entities(request).media(attachment), status=status)


class MediaView(ApiView):
    required_scopes = {"GET": "write:media", "PUT": "write:media", "DELETE": "write:media"}
    user_required = True

    @api_schema(statuses=(200, 206))
    def get(self, request: Request, media_id: str) -> Response:
        attachment = get_own_attachment(self.account(request), str(parse_id(media_id)))
        if attachment.state == MediaAttachment.State.FAILED:
            raise ValidationError({"file": [attachment.error or "The file could not be processed"]})
        status = 200 if attachment.state == MediaAttachment.State.READY else 206
        return Response(self.entities(request).media(attachment), status=status)

    @json_schema
    def put(self, request: Request, media_id: str) -> Response:
        owner = self.account(request)
        attachment = get_own_attachment(owner, str(parse_id(media_id)))
        if "description" in request.data:
            attachment = media_services.describe_media(
                actor=owner, media=attachment, alt_text=str(request.data.get("description") or "")
            )
        return Response(self.entities(request).media(attachment))

    @json_schema
    def delete(self, request: Request, media_id: str) -> Response:
        owner = self.account(request)
        attachment = get_own_attachment(owner, str(parse_id(media_id)))
        entity = self.entities(request).media(attachment)
        media_services.delete_unattached(actor=owner, media=attachment)
        return Response(entity)


# Mastodon's report categories, in the DSA vocabulary of agora/moderation.
REPORT_CATEGORIES = {
    "spam": dsa.Category.OTHER_VIOLATION_TC,
    "violation": dsa.Category.OTHER_VIOLATION_TC,
    "other": dsa.Category.OTHER_VIOLATION_TC,
    "legal": dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH,
}


class ReportsView(ApiView):
    """POST /api/v1/reports: report an account and optionally some of its statuses."""

    required_scopes = {"POST": "write:reports"}
    user_required = True

    @json_schema
    def post(self, request: Request) -> Response:
        reporter = self.account(request)
        data = request.data
        account = get_visible_account_by_id(reporter, parse_id(data.get("account_id")))
        category_name = str(data.get("category") or "other")
        if category_name not in REPORT_CATEGORIES:
            raise ValidationError({"category": ["is not a known category"]})
        rule_ids = [str(parse_id(r)) for r in param_list(data, "rule_ids")]
        rules = list(active_rules().filter(pk__in=rule_ids)) if rule_ids else []
        if len(rules) != len(set(rule_ids)):
            raise NotFound(rule_ids)
        category = rules[0].category if rules else REPORT_CATEGORIES[category_name]
        comment = str(data.get("comment") or "").strip() or f"Reported from an app ({category_name})"
        posts = [get_visible_post(reporter, parse_id(s)) for s in param_list(data, "status_ids")[:20]]
        if any(post.author_id != account.pk for post in posts):
            raise ValidationError({"status_ids": ["must belong to the reported account"]})
        reports = [
            create_report(reporter=reporter, category=category, explanation=comment, post=post, rules=rules)
            for post in posts
        ] or [
            create_report(
                reporter=reporter, category=category, explanation=comment, account=account, rules=rules
            )
        ]
        report = reports[0]
        return Response(
            {
                "id": str(report.pk),
                "action_taken": False,
                "action_taken_at": None,
                "category": category_name,
                "comment": comment,
                "forwarded": False,
                "created_at": iso(report.created_at),
                "status_ids": [str(post.pk) for post in posts] or None,
                "rule_ids": [str(rule.pk) for rule in rules] or None,
                "target_account": self.entities(request).account(account),
            }
        )


class TagView(ApiView):
    required_scopes = {"GET": "read:follows"}

    @json_schema
    def get(self, request: Request, name: str) -> Response:
        from agora.posts.models import Hashtag
        from agora.posts.text import parse_text

        wanted = name.lower().lstrip("#")
        tag = Hashtag.objects.filter(name=wanted).first()
        viewer = self.viewer(request)
        following = is_following_hashtag(viewer, wanted) if viewer else None
        if tag is None:
            # As on Mastodon, a valid hashtag nobody used yet is shown (unused), so that it can be followed.
            if parse_text(f"#{wanted}").hashtags != [wanted]:
                raise NotFound(name)
            return Response(self.entities(request).tag(wanted, following=following))
        return Response(self.entities(request).tag(tag, following=following))


class TagFollowView(ApiView):
    """Follow or unfollow a hashtag: its public posts come into the home timeline."""

    user_required = True
    required_scopes = {"POST": "write:follows"}
    follow = True

    @json_schema
    def post(self, request: Request, name: str) -> Response:
        user = self.account(request)
        if self.follow:
            return Response(
                self.entities(request).tag(
                    search_services.follow_hashtag(user=user, name=name).hashtag, following=True
                )
            )
        from agora.posts.models import Hashtag

        search_services.unfollow_hashtag(user=user, name=name)
        hashtag = Hashtag.objects.filter(name=name.lower().lstrip("#")).first()
        if hashtag is None:
            raise NotFound(name)
        return Response(self.entities(request).tag(hashtag, following=False))


class FollowedTagsView(ApiView):
    user_required = True
    required_scopes = {"GET": "read:follows"}

    @list_schema
    def get(self, request: Request) -> Response:
        entities = self.entities(request)
        tags = list(followed_hashtags(self.account(request))[:200])
        entities.prefetch_history(tags)
        return Response([entities.tag(tag, following=True) for tag in tags])


class TrendingTagsView(ApiView):
    @list_schema
    def get(self, request: Request) -> Response:
        limit = page_params(request, default=10, maximum=20).limit
        entities = self.entities(request)
        trends = trending_hashtags(limit=limit)
        entities.prefetch_history([trend.hashtag for trend in trends])
        return Response([entities.tag(trend.hashtag) for trend in trends])


class TrendingStatusesView(ApiView):
    required_scopes = {"GET": "read:statuses"}

    @list_schema
    def get(self, request: Request) -> Response:
        limit = page_params(request, default=20, maximum=40).limit
        posts = [trend.post for trend in trending_posts(self.viewer(request), limit=limit)]
        return Response(self.entities(request).statuses(posts))
