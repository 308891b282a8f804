"""Template helpers for moderation: the rules in force, time left on a case, a person's unread notices."""

from __future__ import annotations

import datetime

from django import template
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agora.moderation import dsa, selectors
from agora.moderation.models import Rule

register = template.Library()


@register.simple_tag
def instance_rules() -> QuerySet[Rule]:
    return selectors.active_rules()


@register.filter
def time_left(deadline: datetime.datetime) -> str:
    """ "35 min left", "3 h left", "2 days left", or "overdue by 4 h"."""
    delta = deadline - timezone.now()
    overdue = delta.total_seconds() < 0
    seconds = abs(int(delta.total_seconds()))
    if seconds < 3600:
        amount = ngettext("%(n)d min", "%(n)d min", max(1, seconds // 60)) % {"n": max(1, seconds // 60)}
    elif seconds < 2 * 86400:
        amount = ngettext("%(n)d hour", "%(n)d hours", seconds // 3600) % {"n": seconds // 3600}
    else:
        amount = ngettext("%(n)d day", "%(n)d days", seconds // 86400) % {"n": seconds // 86400}
    return (
        _("overdue by %(amount)s") % {"amount": amount}
        if overdue
        else _("%(amount)s left") % {"amount": amount}
    )


@register.filter
def category_label(key: str) -> str:
    try:
        return str(dsa.Category(key).label)
    except ValueError:
        return key
