"""A small document model shared by the web pages, the printable HTML and the PDF.

The report and the plan are built once as a `Document` (sections of paragraphs, tables, lists and charts,
every string already translated and every number already formatted); `render_html` and `pdf.render_pdf` only
lay it out, so the HTML and the PDF always say the same thing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _


@dataclass
class Bar:
    """One bar of a horizontal bar chart; `extra` is drawn as a lighter extension (e.g. the p90), `marker` as
    a line (e.g. the deadline), `note` printed after the bar."""

    label: str
    value: float
    extra: float | None = None
    marker: float | None = None
    note: str = ""


@dataclass
class BarChart:
    title: str
    description: str
    bars: list[Bar]
    maximum: float | None = None
    kind: str = "bars"

    @property
    def scale(self) -> float:
        """The value at the right end of the bars: `maximum` when given (longer bars are cut there, their
        note still says the number), else the largest value."""
        if self.maximum is not None:
            return self.maximum
        values = (
            [b.value for b in self.bars]
            + [b.extra or 0 for b in self.bars]
            + [b.marker or 0 for b in self.bars]
        )
        return max([*values, 1])


@dataclass
class ColumnChart:
    """Vertical columns over time (e.g. cases opened per day)."""

    title: str
    description: str
    labels: list[str]
    values: list[int]
    kind: str = "columns"

    @property
    def scale(self) -> int:
        return max([*self.values, 1])


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    key: str = ""
    kind: str = "table"


@dataclass
class Paragraph:
    text: str
    kind: str = "paragraph"


@dataclass
class BulletList:
    items: list[str]
    kind: str = "list"


Block = BarChart | ColumnChart | Table | Paragraph | BulletList


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    language: str = "en"


def number(value: Any) -> str:
    """A figure as people read it: counts as integers, None as a dash, fractions with two decimals."""
    if value is None:
        return "\u2013"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, float):
        return formats.number_format(round(value, 2), decimal_pos=2, force_grouping=True)
    return str(value)


def percent(value: float | None) -> str:
    if value is None:
        return "\u2013"
    return f"{formats.number_format(round(value * 100, 1), decimal_pos=1)} %"


def duration(value_hours: float | None) -> str:
    """Hours as the shortest readable unit: minutes under an hour, days from two days on."""
    if value_hours is None:
        return "\u2013"
    if value_hours < 1:
        return _("%(minutes)s min") % {"minutes": formats.number_format(round(value_hours * 60))}
    if value_hours < 48:
        return _("%(hours)s h") % {"hours": formats.number_format(round(value_hours, 1), decimal_pos=1)}
    return _("%(days)s days") % {"days": formats.number_format(round(value_hours / 24, 1), decimal_pos=1)}


def day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return "\u2013"
    return formats.date_format(value, "DATE_FORMAT")


def render_html(document: Document, *, standalone: bool = True) -> str:
    """The document as HTML: a whole printable page, or (`standalone=False`) a fragment for a site page."""
    return render_to_string(
        "transparency/document.html" if standalone else "transparency/partials/document_body.html",
        {"document": document},
    )
