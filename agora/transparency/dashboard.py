"""The dashboard's charts, from `selectors.dashboard_figures` (the numbers are in tables beside them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from agora.moderation.models import Case
from agora.transparency.documents import Bar, BarChart, ColumnChart, duration, number
from agora.transparency.report import TIER_LABELS

BAND_LABELS = {
    "urgent": lambda: _("Urgent (threats, violence)"),
    "high": lambda: _("High (illegal content, hate)"),
    "normal": lambda: _("Normal"),
}


def band_label(band: str) -> str:
    return BAND_LABELS[band]()


def charts(figures: dict[str, Any]) -> dict[str, BarChart | ColumnChart]:
    sources = dict(Case.Source.choices)
    return {
        "open": BarChart(
            _("Open cases by priority"),
            _("Cases waiting for a decision, by priority; the lighter part of each bar is overdue."),
            [
                Bar(
                    band_label(band),
                    figures["open_by_priority"][band] - figures["overdue_by_priority"][band],
                    extra=figures["open_by_priority"][band],
                    note=_("%(open)s open, %(overdue)s overdue")
                    % {
                        "open": number(figures["open_by_priority"][band]),
                        "overdue": number(figures["overdue_by_priority"][band]),
                    },
                )
                for band in figures["open_by_priority"]
            ],
        ),
        "deadlines": BarChart(
            _("Time to decision against the deadline"),
            _(
                "Per deadline tier, the median (dark) and 90th percentile (light) time to a first decision "
                "as a "
                "share of the deadline; the red line marks the deadline."
            ),
            [
                Bar(
                    TIER_LABELS[tier](),
                    100 * (values["decision_median"] or 0) / values["deadline_hours"],
                    extra=100 * (values["decision_p90"] or 0) / values["deadline_hours"],
                    marker=100,
                    note=_("p90 %(p90)s of %(deadline)s")
                    % {
                        "p90": duration(values["decision_p90"]),
                        "deadline": duration(values["deadline_hours"]),
                    },
                )
                for tier, values in figures["timings"].items()
            ],
            maximum=150,
        ),
        "sources": BarChart(
            _("What opened the cases"),
            _("Cases opened in the period by source: automated screening, reports, moderators, jury."),
            [
                Bar(str(sources[key]), value, note=number(value))
                for key, value in figures["opened_by_source"].items()
            ],
        ),
        "daily": ColumnChart(
            _("Cases opened per day"),
            _("Number of cases opened on each of the last days."),
            [day.strftime("%d.%m.") for day, _count in figures["opened_per_day"]],
            [count for _day, count in figures["opened_per_day"]],
        ),
    }
