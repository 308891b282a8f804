"""Values every page shows: instance name, limits, and the signed-in person's badges."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def agora(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {
        "instance_name": settings.AGORA_INSTANCE_NAME,
        "max_post_chars": settings.AGORA_MAX_POST_CHARS,
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from agora.accounts.selectors import pending_follow_requests
        from agora.notifications.selectors import unread_count

        context["unread_notifications"] = unread_count(user)
        context["pending_follow_requests"] = pending_follow_requests(user).count()
    return context
