"""Server-rendered SVG charts: no JavaScript, readable by screen readers (role="img" with a title and a
description, and every chart sits beside a table with the same numbers), colours from presentation attributes
so the Content-Security-Policy needs nothing extra.
"""

from __future__ import annotations

import itertools

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from agora.transparency.documents import BarChart, ColumnChart

BAR_COLOUR = "#3b4cca"
EXTRA_COLOUR = "#a9b2ee"
MARKER_COLOUR = "#b3261e"
TEXT_COLOUR = "currentColor"
_ids = itertools.count(1)


def svg(chart: BarChart | ColumnChart) -> SafeString:
    if isinstance(chart, ColumnChart):
        return _columns(chart)
    return _bars(chart)


def _open(width: int, height: int, title: str, description: str) -> tuple[str, str]:
    n = next(_ids)
    head = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart-title-{n} chart-desc-{n}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif" font-size="11">'
        f'<title id="chart-title-{n}">{escape(title)}</title>'
        f'<desc id="chart-desc-{n}">{escape(description)}</desc>'
    )
    return head, "</svg>"


def _bars(chart: BarChart) -> SafeString:
    label_width, bar_width, note_width, row = 200, 250, 170, 26
    width = label_width + bar_width + note_width
    height = max(len(chart.bars), 1) * row + 10
    head, tail = _open(width, height, chart.title, chart.description)
    scale = chart.scale
    parts = [head]
    for i, bar in enumerate(chart.bars):
        y = 5 + i * row
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"<title>{escape(bar.label)}</title>{escape(label)}</text>"
        )
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="18" fill="none" '
            f'stroke="#e2e4ea"/>'
        )
        if bar.extra is not None and bar.extra > bar.value:
            extra = bar_width * min(bar.extra / scale, 1)
            parts.append(
                f'<rect x="{label_width}" y="{y + 3}" width="{extra:.1f}" height="18" fill="{EXTRA_COLOUR}"/>'
            )
        value = bar_width * min(bar.value / scale, 1)
        parts.append(
            f'<rect x="{label_width}" y="{y + 3}" width="{value:.1f}" height="18" fill="{BAR_COLOUR}"/>'
        )
        if bar.marker is not None:
            x = label_width + bar_width * min(bar.marker / scale, 1)
            parts.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 24}" stroke="{MARKER_COLOUR}" '
                f'stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{label_width + bar_width + 8}" y="{y + 16}" fill="{TEXT_COLOUR}">'
            f"{escape(bar.note)}</text>"
        )
    parts.append(tail)
    return mark_safe("".join(parts))


def _columns(chart: ColumnChart) -> SafeString:
    left, top, plot_height, bottom = 30, 10, 120, 30
    count = max(len(chart.values), 1)
    column = max(560 // count, 4)
    width = left + column * count + 10
    height = top + plot_height + bottom
    head, tail = _open(width, height, chart.title, chart.description)
    scale = chart.scale
    parts = [
        head,
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 10}" y2="{top + plot_height}" '
        f'stroke="#9aa0ad"/>',
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" fill="{TEXT_COLOUR}">{scale}</text>',
        f'<text x="{left - 4}" y="{top + plot_height}" text-anchor="end" fill="{TEXT_COLOUR}">0</text>',
    ]
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        h = plot_height * value / scale
        x = left + i * column
        parts.append(
            f'<rect x="{x + 1}" y="{top + plot_height - h:.1f}" width="{column - 2}" height="{h:.1f}" '
            f'fill="{BAR_COLOUR}"><title>{escape(label)}: {value}</title></rect>'
        )
        if i % 7 == 0:
            parts.append(
                f'<text x="{x}" y="{top + plot_height + 16}" fill="{TEXT_COLOUR}" font-size="10">'
                f"{escape(label)}</text>"
            )
    parts.append(tail)
    return mark_safe("".join(parts))
