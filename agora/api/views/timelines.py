"""Timelines: home, public (this server's), hashtag; newest first with Link-header pagination."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response

from agora.api import home_cache
from agora.api.pagination import backwards_page, page_params, with_link_header
from agora.api.views.base import ApiView, as_bool, page_schema
from agora.core.pagination import Page
from agora.posts.models import Post
from agora.timelines.selectors import hashtag_timeline, home_timeline, public_timeline


def has_media(post: Post) -> bool:
    return post.repost_of_id is None and bool(list(post.media_attachments.all()))


class TimelineView(ApiView):
    required_scopes = {"GET": "read:statuses"}

    def page(self, request: Request, before: Any, limit: int, **kwargs: str) -> Page[Post]:
        raise NotImplementedError

    @page_schema
    def get(self, request: Request, **kwargs: str) -> Response:
        params = page_params(request)
        posts, oldest, has_more = backwards_page(
            lambda before, limit: self.page(request, before, limit, **kwargs),
            params,
            keep=has_media if as_bool(request.query_params.get("only_media")) else None,
        )
        # How far down the page reached: nothing older can change it (agora/api/home_cache.py).
        full = len(posts) == params.limit
        request.home_page_low = oldest if full or has_more else params.since_id  # type: ignore[attr-defined]
        newest = posts[0].pk if posts else None
        response = Response(self.entities(request).statuses(posts))
        return with_link_header(response, request, newest=newest, oldest=oldest, has_more=has_more)


class HomeTimelineView(TimelineView):
    user_required = True

    @page_schema
    def get(self, request: Request, **kwargs: str) -> HttpResponseBase:
        found = home_cache.lookup(request, self.account(request))
        if found is not None and found.hit:
            assert found.content is not None
            response = HttpResponse(found.content, content_type=found.content_type)
            if found.link:
                response["Link"] = found.link
            return response
        request.home_cache_lookup = found  # type: ignore[attr-defined]
        return super().get(request, **kwargs)

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        found = getattr(request, "home_cache_lookup", None)
        if found is not None and isinstance(response, Response) and response.status_code == 200:
            response.render()
            home_cache.store(
                found,
                low=getattr(request, "home_page_low", None),
                content=response.content,
                content_type=response["Content-Type"],
                link=response.get("Link"),
            )
        return response

    def page(self, request: Request, before: Any, limit: int, **kwargs: str) -> Page[Post]:
        return home_timeline(self.account(request), before=before, limit=limit)


class PublicTimelineView(TimelineView):
    """Agora has no federation: the public timeline is the local one (`local` and `remote` are accepted;
    `remote=true` is empty)."""

    def page(self, request: Request, before: Any, limit: int, **kwargs: str) -> Page[Post]:
        if as_bool(request.query_params.get("remote")):
            return Page(items=[], next_cursor=None)
        return public_timeline(self.viewer(request), before=before, limit=limit)


class HashtagTimelineView(TimelineView):
    def page(self, request: Request, before: Any, limit: int, **kwargs: str) -> Page[Post]:
        return hashtag_timeline(
            self.viewer(request), kwargs["hashtag"].lstrip("#"), before=before, limit=limit
        )
