"""The transparency report for a period: figures from `selectors.report_figures`, laid out after the EU
harmonised templates for DSA transparency reports (Implementing Regulation (EU) 2024/2835) as far as they
apply, and exported as a document (HTML, PDF), JSON or CSV.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from agora.moderation import dsa
from agora.moderation.models import AccountRestriction, Case, Decision
from agora.transparency import selectors
from agora.transparency.documents import (
    Bar,
    BarChart,
    BulletList,
    Document,
    Paragraph,
    Section,
    Table,
    duration,
    number,
    percent,
)

FORMATS = ("html", "pdf", "json", "csv")
TIER_LABELS = {
    "urgent": lambda: _("Threats and violence"),
    "illegal": lambda: _("Other illegal content"),
    "other": lambda: _("Other rule breaches"),
}


def _labels(choices: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in choices}


def _rows(counts: dict[str, int], labels: dict[str, str], *, skip_zero: bool = False) -> list[list[str]]:
    return [[labels.get(key, key), number(value)] for key, value in counts.items() if value or not skip_zero]


def build_report(start: datetime.date, end: datetime.date) -> tuple[dict[str, Any], Document]:
    """The figures for the period and the document that presents them."""
    figures = selectors.report_figures(start, end)
    return figures, report_document(figures)


def report_document(figures: dict[str, Any]) -> Document:
    categories = _labels(dsa.Category.choices)
    actions = _labels(Decision.Action.choices)
    notices = figures["notices"]
    cases = figures["cases"]
    decisions = figures["decisions"]
    auto = figures["automated_means"]
    complaints = figures["complaints"]
    suspensions = figures["suspensions"]
    police = figures["law_enforcement"]
    count_label = pgettext("column", "Number")
    sections = [
        Section(
            "notices",
            _("1. Notices of illegal content and reports (Art. 16 DSA)"),
            [
                Paragraph(
                    _(
                        "Anyone can notify illegal content through the notice form; people with an account "
                        "can "
                        "also report posts and accounts under the server's rules. %(total)s notices and "
                        "reports were received in the period."
                    )
                    % {"total": number(notices["total"])}
                ),
                Table(
                    _("Notices by source"),
                    [_("Source"), count_label],
                    _rows(
                        notices["by_source"],
                        {
                            "article_16_notice": _("Art. 16 notices (anyone)"),
                            "user_report": _("Reports by signed-in users"),
                            "trusted_flagger": _("Trusted flaggers (Art. 22)"),
                        },
                    ),
                    key="notices.by_source",
                ),
                Table(
                    _("Notices by alleged type of content"),
                    [_("Category"), count_label],
                    _rows(notices["by_category"], categories, skip_zero=True)
                    or [[_("No notices in this period"), number(0)]],
                    key="notices.by_category",
                ),
                Table(
                    _("Notices by basis and outcome"),
                    [_("Figure"), count_label],
                    [
                        [_("Alleging illegal content"), number(notices["by_basis"]["illegal_content"])],
                        [
                            _("Alleging a breach of the rules"),
                            number(notices["by_basis"]["terms_and_conditions"]),
                        ],
                        [_("Led to action"), number(notices["by_outcome"]["actioned"])],
                        [_("No action (dismissed)"), number(notices["by_outcome"]["dismissed"])],
                        [
                            _("Not yet decided at the end of the period"),
                            number(notices["by_outcome"]["pending"]),
                        ],
                        [_("From muted reporters (Art. 23(2))"), number(notices["from_muted_reporters"])],
                        [_("Decided by automated means"), number(notices["decided_by_automated_means"])],
                        [_("Median time to decision"), duration(notices["median_hours_to_decision"])],
                        [_("Decided within 24 hours"), number(notices["answered_within_24_hours"])],
                    ],
                    key="notices.outcome",
                ),
            ],
        ),
        Section(
            "own_initiative",
            _("2. Cases and own-initiative moderation"),
            [
                Table(
                    _("Cases opened, by what raised them"),
                    [_("Source"), count_label],
                    _rows(cases["by_source"], _labels(Case.Source.choices)),
                    key="cases.by_source",
                ),
                Paragraph(
                    _(
                        "%(own)s of %(opened)s cases were opened on the platform's own initiative (automated "
                        "screening or moderators); %(threat)s were marked as a threat to life or safety."
                    )
                    % {
                        "own": number(cases["own_initiative"]),
                        "opened": number(cases["opened"]),
                        "threat": number(cases["threat_to_life"]),
                    }
                ),
            ],
        ),
        Section(
            "decisions",
            _("3. Moderation decisions"),
            [
                Table(
                    _("Decisions by type of measure"),
                    [_("Measure"), count_label],
                    _rows(decisions["by_action"], actions),
                    key="decisions.by_action",
                ),
                Table(
                    _("Decisions by ground"),
                    [_("Ground"), count_label],
                    _rows(
                        decisions["by_ground"],
                        {
                            "illegal_content": _("Illegal content"),
                            "terms_and_conditions": _("Incompatible with the rules (terms and conditions)"),
                            "no_rule": _("No rule (dismissals and restorations)"),
                        },
                    ),
                    key="decisions.by_ground",
                ),
                Table(
                    _("Decisions by category of the rule applied"),
                    [_("Category"), count_label],
                    _rows(decisions["by_category"], categories, skip_zero=True)
                    or [[_("No rule applied in this period"), number(0)]],
                    key="decisions.by_category",
                ),
                Table(
                    _("Who decided"),
                    [_("Decided by"), count_label],
                    _rows(decisions["by_decided_by"], _labels(Decision.DecidedBy.choices)),
                    key="decisions.by_decided_by",
                ),
                Table(
                    _("Time to act, by deadline tier"),
                    [
                        _("Tier"),
                        _("Deadline"),
                        _("Cases"),
                        _("Median time to decision"),
                        _("Within deadline"),
                    ],
                    [
                        [
                            TIER_LABELS[tier](),
                            duration(settings.AGORA_MODERATION_DEADLINE_HOURS[tier]),
                            number(values["cases"]),
                            duration(values["median_hours_to_decision"]),
                            number(values["within_deadline"]),
                        ]
                        for tier, values in decisions["by_deadline_tier"].items()
                    ],
                    key="decisions.by_deadline_tier",
                ),
                Paragraph(
                    _(
                        "%(total)s decisions in total; %(cases)s cases received their first decision, after "
                        "a "
                        "median of %(median)s. %(statements)s statements of reasons (Art. 17) were issued."
                    )
                    % {
                        "total": number(decisions["total"]),
                        "cases": number(decisions["cases_first_decided"]),
                        "median": duration(decisions["median_hours_to_decision"]),
                        "statements": number(decisions["statements_of_reasons"]),
                    }
                ),
            ],
        ),
        Section(
            "automated",
            _("4. Use of automated means"),
            [
                Paragraph(
                    _(
                        "Every post and every edit is screened automatically before it is published. A post "
                        "scoring above the review threshold is published and queued for a moderator; above "
                        "the "
                        "hold threshold it is held (only its author and moderators see it) until a moderator "
                        "decides. No decision is taken by automated means alone."
                    )
                ),
                Table(
                    _("Screening results"),
                    [_("Outcome"), count_label],
                    [
                        [_("Posts and edits screened"), number(auto["posts_screened"])],
                        [_("Allowed"), number(auto["screening_by_tier"]["allow"])],
                        [_("Queued for review"), number(auto["screening_by_tier"]["review"])],
                        [_("Held before publication"), number(auto["screening_by_tier"]["hold"])],
                        [_("Decisions fully automated"), number(auto["fully_automated_decisions"])],
                    ],
                    key="automated_means.screening",
                ),
                Table(
                    _("Accuracy indicators from moderators' outcomes"),
                    [_("Indicator"), _("Value")],
                    [
                        [_("Post cases decided"), number(auto["decided_post_cases"])],
                        [_("of which flagged by screening"), number(auto["flagged_by_screening"])],
                        [_("flagged and confirmed by a moderator"), number(auto["flagged_and_confirmed"])],
                        [_("held by screening"), number(auto["held_by_screening"])],
                        [_("held and confirmed by a moderator"), number(auto["held_and_confirmed"])],
                        [_("Confirmed violations in posts"), number(auto["confirmed_violations"])],
                        [_("Precision of flags"), percent(auto["precision"])],
                        [_("Precision of holds"), percent(auto["hold_precision"])],
                        [_("Recall (violations screening had flagged)"), percent(auto["recall"])],
                    ],
                    key="automated_means.accuracy",
                ),
                Paragraph(
                    _(
                        "Precision is the share of flagged posts a moderator confirmed as a violation; "
                        "recall is "
                        "the share of confirmed violations in posts that screening had flagged. Both count "
                        "post "
                        "cases whose first decision falls in the period, and recall only sees violations "
                        "that "
                        "someone reported or a moderator found, so it is an upper bound."
                    )
                ),
            ],
        ),
        Section(
            "complaints",
            _("5. Complaints against decisions (Art. 20 DSA)"),
            [
                Table(
                    _("Complaints"),
                    [_("Figure"), _("Value")],
                    [
                        [_("Complaints received"), number(complaints["total"])],
                        [_("by the person affected"), number(complaints["by_appellant"]["affected_person"])],
                        [_("by a notifier"), number(complaints["by_appellant"]["notifier"])],
                        [_("Decision upheld"), number(complaints["by_outcome"]["upheld"])],
                        [_("Decision reversed"), number(complaints["by_outcome"]["reversed"])],
                        [_("Pending at the end of the period"), number(complaints["by_outcome"]["pending"])],
                        [_("Median time to resolve"), duration(complaints["median_hours_to_resolve"])],
                        [_("Reversal rate"), percent(complaints["reversal_rate"])],
                    ],
                    key="complaints",
                ),
                Paragraph(
                    _(
                        "Complaints are reviewed by a moderator other than the one who decided. Out-of-court "
                        "dispute settlement (Art. 21) is offered in every statement of reasons; disputes "
                        "before "
                        "such bodies are not recorded by this software."
                    )
                ),
            ],
        ),
        Section(
            "suspensions",
            _("6. Suspensions and other account measures (Art. 23 DSA)"),
            [
                Table(
                    _("Account measures"),
                    [_("Measure"), count_label],
                    [
                        *_rows(suspensions["by_kind"], _labels(AccountRestriction.Kind.choices)),
                        [_("Strikes recorded"), number(suspensions["strikes"])],
                        [
                            _("Reporters muted for manifestly unfounded reports"),
                            number(suspensions["reporters_muted"]),
                        ],
                    ],
                    key="suspensions",
                ),
            ],
        ),
        Section(
            "law_enforcement",
            _("7. Notifications of suspected criminal offences (Art. 18 DSA)"),
            [
                Table(
                    _("Notifications to law enforcement"),
                    [_("Figure"), _("Value")],
                    [
                        [_("Authorities notified"), number(police["notifications"])],
                        [
                            _("Median time from case to notification"),
                            duration(police["median_hours_case_to_notification"]),
                        ],
                    ],
                    key="law_enforcement",
                ),
            ],
        ),
        Section(
            "other",
            _("8. Orders from authorities and the Transparency Database"),
            [
                BulletList(
                    [
                        _(
                            "Orders to act against illegal content or to provide information (Arts 9 and 10) "
                            "reach the operators by e-mail at %(email)s; this software does not count them."
                        )
                        % {"email": settings.AGORA_CONTACT_EMAIL},
                        _("Statements of reasons sent to the EU Transparency Database in the period: %(n)s.")
                        % {"n": number(figures["transparency_database"]["statements_submitted"])},
                    ]
                )
            ],
        ),
    ]
    decided = decisions["by_action"]
    sections[2].blocks.insert(
        1,
        BarChart(
            _("Decisions by type of measure"),
            _("Number of decisions of each type in the period; the same numbers are in the table."),
            [Bar(actions[key], value, note=number(value)) for key, value in decided.items() if value],
        ),
    )
    return Document(
        language=get_language() or "en",
        title=_("Transparency report"),
        subtitle=_("%(instance)s, %(start)s to %(end)s")
        % {
            "instance": settings.AGORA_INSTANCE_NAME,
            "start": figures["period"]["from"],
            "end": figures["period"]["to"],
        },
        meta=[
            (_("Service"), f"{settings.AGORA_INSTANCE_NAME} ({settings.AGORA_DOMAIN})"),
            (_("Provider"), settings.AGORA_CONTACT_OPERATOR),
            (_("Contact"), settings.AGORA_CONTACT_EMAIL),
            (_("Period"), f"{figures['period']['from']} \u2013 {figures['period']['to']}"),
            (_("Generated"), timezone.now().strftime("%Y-%m-%d %H:%M UTC")),
            (_("Template"), _("EU harmonised templates, Implementing Regulation (EU) 2024/2835")),
        ],
        sections=sections,
    )


def to_json(figures: dict[str, Any]) -> str:
    return json.dumps(figures, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def to_csv(figures: dict[str, Any]) -> str:
    """One row per figure: `section,figure,value` (the figure's dotted path below the section)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "figure", "value"])
    for key, value in selectors.flatten(figures).items():
        section, _sep, name = key.partition(".")
        writer.writerow([section, name, "" if value is None else value])
    return out.getvalue()
