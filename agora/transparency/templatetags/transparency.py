"""Template helpers of the transparency pages: charts as inline SVG, figures as people read them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from agora.transparency import charts, documents

register = template.Library()


@register.simple_tag
def chart(block: Any) -> SafeString:
    return charts.svg(block)


@register.filter
def hours(value: float | None) -> str:
    return documents.duration(value)


@register.filter
def share(value: float | None) -> str:
    return documents.percent(value)
