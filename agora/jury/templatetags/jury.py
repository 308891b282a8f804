"""Template tags of the jury: the navigation entry. It costs no query: the number of open invitations loads
into it afterwards (htmx), so every page keeps its query budget."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("jury/partials/nav_item.html", takes_context=True)
def jury_nav_item(context: dict[str, Any]) -> dict[str, Any]:
    """The "Jury duty" link for signed-in people (the docket page explains how to become a juror)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user is not None and user.is_authenticated), "current": context.get("nav") == "jury"}
