"""Template helpers of the search app for pages other apps render (the hashtag page's follow button)."""

from __future__ import annotations

from typing import Any

from django import template

from agora.search.selectors import is_following_hashtag

register = template.Library()


@register.inclusion_tag("search/partials/hashtag_follow_button.html", takes_context=True)
def hashtag_follow_button(context: dict[str, Any], tag: str) -> dict[str, Any]:
    """ "Follow hashtag" / "Unfollow hashtag" for the signed-in viewer (one query)."""
    request = context["request"]
    viewer = request.user if request.user.is_authenticated else None
    return {
        "tag": tag,
        "following": is_following_hashtag(viewer, tag),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
