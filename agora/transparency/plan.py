"""The moderation plan: how this instance moderates, written from its actual configuration (rules, screening
model and thresholds, hold policy, deadlines, team, jury, appeals, law enforcement, surge mode), with the last
30 days' measured performance against each promise. An operator can hand it to an app-store reviewer, a
hosting provider or a regulator as it comes out.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agora.moderation import dsa
from agora.moderation.services import APPEAL_WINDOW
from agora.screening import model as stage1
from agora.screening.services import FALLBACK_THRESHOLDS, PATTERN_THRESHOLDS, PATTERNS_ONLY, thresholds_for
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
from agora.transparency.report import TIER_LABELS

PLAN_DAYS = 30


def _url(name: str) -> str:
    scheme = "https" if settings.AGORA_HTTPS else "http"
    return f"{scheme}://{settings.AGORA_DOMAIN}{reverse(name)}"


def _verdict(within: int, cases: int) -> str:
    if not cases:
        return _("no cases in the period")
    if within == cases:
        return _("met")
    if within / cases >= 0.9:
        return _("met for at least 9 in 10 cases")
    return _("not met")


def screening_configuration() -> dict[str, Any]:
    """What screens posts on this instance: the model, its version and each language's thresholds."""
    trained = stage1.load() if settings.AGORA_SCREENING_ENABLED else None
    languages: dict[str, dict[str, float]] = {}
    if trained is not None:
        for language in sorted(trained.languages):
            languages[language] = thresholds_for(language, trained)
    for language, configured in sorted(settings.AGORA_SCREENING_THRESHOLDS.items()):
        languages.setdefault(language, {**FALLBACK_THRESHOLDS, **configured})
    return {
        "enabled": settings.AGORA_SCREENING_ENABLED,
        "model": f"{trained.name}@{trained.version}" if trained is not None else None,
        "patterns": PATTERNS_ONLY,
        "pattern_thresholds": dict(PATTERN_THRESHOLDS),
        "languages": languages,
        "card": trained.card if trained is not None else {},
    }


def _jury_plan() -> list[Any]:
    if not apps.is_installed("agora.jury"):
        return [
            Paragraph(
                _(
                    "The community jury is not in use on this server: every decision is taken by the staff "
                    "moderators named above, and no decision is delegated to users."
                )
            )
        ]
    blocks: list[Any] = [
        Paragraph(
            _(
                "A community jury decides some cases about the server's own rules. It never decides on "
                "illegal "
                "content or threats: those stay with staff (Art. 20(6) DSA), and a jury decision can be "
                "appealed "
                "to staff like any other."
            )
        )
    ]
    rows = _jury_settings()
    if rows:
        blocks.append(Table(_("Jury settings and safeguards"), [_("Setting"), _("Value")], rows))
    return blocks


JURY_SETTINGS = {
    "JURY_SIZE": lambda: _("Jurors drawn at random per case"),
    "APPEAL_JURY_SIZE": lambda: _("Jurors on appeal (a fresh, larger jury)"),
    "QUORUM": lambda: _("Votes needed for a verdict"),
    "VOTING_HOURS": lambda: _("Voting window (hours)"),
    "STAFF_ONLY_CATEGORIES": lambda: _("Categories only staff decide"),
    "MIN_ACCOUNT_AGE_DAYS": lambda: _("Minimum account age of jurors (days)"),
    "GOLD_SHARE": lambda: _("Share of known-answer (gold) cases in every docket"),
    "RELIABILITY_FLOOR": lambda: _("Juror reliability below which a juror leaves the pool"),
    "BREAKER_THRESHOLD_VIOLENCE": lambda: _("Circuit breaker: minimum gold accuracy on violence"),
    "BREAKER_THRESHOLD_OTHER": lambda: _("Circuit breaker: minimum gold accuracy, other rules"),
}


def _jury_settings() -> list[list[str]]:
    """The jury's safeguards as configured: from `agora.jury.selectors.plan_settings()` when the jury app
    offers it, else read from its settings module (`agora.jury.conf.get`)."""
    try:
        from agora.jury import selectors as jury_selectors  # type: ignore[import-not-found,unused-ignore]

        describe = getattr(jury_selectors, "plan_settings", None)
        if callable(describe):
            return [[str(label), str(value)] for label, value in describe()]
        from agora.jury import conf  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return []
    categories = dict(dsa.Category.choices)
    rows = []
    for name, label in JURY_SETTINGS.items():
        try:
            value = conf.get(name)
        except (KeyError, AttributeError):
            continue
        if isinstance(value, list | tuple):
            text = ", ".join(str(categories.get(item, item)) for item in value)
        else:
            text = number(value)
        rows.append([label(), text])
    return rows


def _surge_plan(surge: selectors.SurgeStatus) -> list[Any]:
    if not surge.available:
        return [
            Paragraph(
                _(
                    "This server has no surge mode yet: in a wave of threats (as before 6 January 2021) the "
                    "thresholds do not tighten automatically. The queue still puts every held post and "
                    "threat "
                    "first, and administrators can lower the thresholds in the settings."
                )
            )
        ]
    blocks: list[Any] = [
        Paragraph(
            _(
                "When many posts are held within a short window (a coordinated call to violence), surge mode "
                "switches on by itself: new and low-reputation accounts meet tighter screening thresholds "
                "and "
                "a posting limit, and moderators are alerted. It switches off when the rate falls. Both "
                "changes are written to the audit log."
            )
        )
    ]
    if surge.active:
        since = surge.since.strftime("%Y-%m-%d %H:%M UTC") if surge.since else "\u2013"
        blocks.append(Paragraph(_("Surge mode is on since %(since)s.") % {"since": since}))
    else:
        blocks.append(Paragraph(_("Surge mode is currently off.")))
    if surge.detail:
        blocks.append(Paragraph(surge.detail))
    return blocks


def build_plan(*, now: datetime.datetime | None = None) -> Document:
    now = now or timezone.now()
    since = now - datetime.timedelta(days=PLAN_DAYS)
    until = now + datetime.timedelta(seconds=1)
    dashboard = selectors.dashboard_figures(now=now, days=PLAN_DAYS)
    rules = selectors.rules_in_force()
    team = selectors.team_sizes()
    screening = screening_configuration()
    hours = settings.AGORA_MODERATION_DEADLINE_HOURS
    appeals = selectors.complaint_performance(since, until)
    independence = selectors.appeal_independence(since, until)
    coverage = selectors.statement_coverage(since, until)
    notices = selectors.notice_response(since, until)
    police = selectors.law_enforcement_performance(since, until)
    surge = dashboard["surge"]
    jury = dashboard["jury"]
    categories = dict(dsa.Category.choices)
    grounds = dict(dsa.Ground.choices)

    promise_rows = []
    for tier, values in dashboard["timings"].items():
        promise_rows.append(
            [
                _("%(tier)s: decided within %(deadline)s")
                % {"tier": TIER_LABELS[tier](), "deadline": duration(hours[tier])},
                _("%(median)s median, %(p90)s p90; %(within)s of %(cases)s within the deadline")
                % {
                    "median": duration(values["decision_median"]),
                    "p90": duration(values["decision_p90"]),
                    "within": number(values["within_deadline"]),
                    "cases": number(values["cases"]),
                },
                _verdict(values["within_deadline"], values["cases"]),
            ]
        )
    promise_rows += [
        [
            _("Reports answered within 24 hours (app stores)"),
            _("%(within)s of %(received)s (median %(median)s; %(pending)s still open)")
            % {
                "within": number(notices["answered_within_24h"]),
                "received": number(notices["received"]),
                "median": duration(notices["median_hours"]),
                "pending": number(notices["pending"]),
            },
            _verdict(notices["answered_within_24h"], notices["received"] - notices["pending"]),
        ],
        [
            _("Every restriction comes with a statement of reasons (Art. 17)"),
            _("%(with)s of %(total)s restrictive decisions")
            % {
                "with": number(coverage["with_statement"]),
                "total": number(coverage["restrictive_decisions"]),
            },
            _verdict(coverage["with_statement"], coverage["restrictive_decisions"]),
        ],
        [
            _("Appeals reviewed by a different moderator (Art. 20)"),
            _(
                "%(other)s of %(resolved)s resolved appeals; median time to resolve %(median)s; reversal "
                "rate %(rate)s"
            )
            % {
                "other": number(independence["resolved"] - independence["by_original_moderator"]),
                "resolved": number(independence["resolved"]),
                "median": duration(appeals["median_hours_to_resolve"]),
                "rate": percent(appeals["reversal_rate"]),
            },
            _verdict(
                independence["resolved"] - independence["by_original_moderator"], independence["resolved"]
            ),
        ],
        [
            _("Held posts reviewed, never left waiting"),
            _("posts held now: %(held)s; overdue cases now: %(overdue)s")
            % {"held": number(dashboard["held_posts"]), "overdue": number(dashboard["overdue_total"])},
            _("met") if dashboard["overdue_total"] == 0 else _("not met"),
        ],
        [
            _("Threats to life reported to the authorities (Art. 18)"),
            _("%(n)s notifications; median %(median)s from case to notification")
            % {
                "n": number(police["notifications"]),
                "median": duration(police["median_hours_case_to_notification"]),
            },
            _("recorded"),
        ],
    ]

    language_rows = [
        [
            language.upper(),
            number(values.get("review")),
            number(values.get("hold")),
            f"{number(values.get('surge_review'))} / {number(values.get('surge_hold'))}",
        ]
        for language, values in screening["languages"].items()
    ]
    if screening["enabled"]:
        screening_text = _(
            "Every post and every edit (text and content warning) is screened before it is saved. Evasions "
            "are "
            "normalised first (look-alike letters, invisible characters, spaced and repeated letters), the "
            "language is detected (English and German), and two independent checks score the text: the "
            "statistical model %(model)s and explicit-threat patterns (%(patterns)s: a violent verb, a "
            "person "
            "or group, a weapon, time or place, and a call to act). The result, with model name and "
            "version, is "
            "stored with the post and shown to moderators."
        ) % {
            "model": screening["model"] or _("(not trained on this server)"),
            "patterns": screening["patterns"],
        }
    else:
        screening_text = _("Automated screening is switched off on this server (AGORA_SCREENING=0).")

    sections = [
        Section(
            "summary",
            _("1. Summary"),
            [
                Paragraph(
                    _(
                        "%(instance)s is a social network run with the Agora software. People agree to the "
                        "rules "
                        "before they post. Posts are screened automatically before they appear, anyone can "
                        "report "
                        "a post or an account, every report lands in one review queue ordered by deadline, "
                        "and a "
                        "staff moderator decides. The people affected get a statement of reasons and can "
                        "appeal to "
                        "a different moderator. Threats to life are reported to the police. Everything is "
                        "written "
                        "to an append-only audit log, from which this plan's figures are computed."
                    )
                    % {"instance": settings.AGORA_INSTANCE_NAME}
                ),
                Table(
                    _("Measured performance against each promise (last %(days)s days)") % {"days": PLAN_DAYS},
                    [_("Promise"), _("Measured"), _("Result")],
                    promise_rows,
                    key="plan.promises",
                ),
                BarChart(
                    _("Time to decision against the deadline"),
                    _(
                        "For each deadline tier, the median (dark) and 90th percentile (light) time to a "
                        "first "
                        "decision as a share of the deadline; the red line is the deadline."
                    ),
                    [
                        Bar(
                            TIER_LABELS[tier](),
                            100 * (values["decision_median"] or 0) / values["deadline_hours"],
                            extra=100 * (values["decision_p90"] or 0) / values["deadline_hours"],
                            marker=100,
                            note=_("%(median)s / %(deadline)s")
                            % {
                                "median": duration(values["decision_median"]),
                                "deadline": duration(values["deadline_hours"]),
                            },
                        )
                        for tier, values in dashboard["timings"].items()
                    ],
                    maximum=150,
                ),
            ],
        ),
        Section(
            "rules",
            _("2. Rules and categories"),
            [
                Paragraph(
                    _(
                        "The rules are public at %(terms)s and machine-readable at %(json)s. Each rule maps "
                        "to a "
                        "category of the EU statement-of-reasons schema and says whether it enforces the "
                        "law (with "
                        "the provision) or the server's own terms. Breaking a rule adds a strike of the "
                        "rule's "
                        "severity; strikes expire; at %(strikes)s active strike points the moderator is "
                        "prompted "
                        "to suspend the account."
                    )
                    % {
                        "terms": _url("web:terms"),
                        "json": _url("moderation:rules_json"),
                        "strikes": settings.AGORA_MODERATION_SUSPEND_AT_STRIKES,
                    }
                ),
                Table(
                    _("Rules in force"),
                    [_("Rule"), _("Category"), _("Ground"), _("Strike")],
                    [
                        [
                            f"{rule.number}. {rule.title}",
                            str(categories.get(rule.category, rule.category)),
                            str(grounds.get(rule.ground, rule.ground))
                            + (f" ({rule.legal_ground})" if rule.legal_ground else ""),
                            _("%(severity)s, expires after %(days)s days")
                            % {"severity": rule.strike_severity, "days": rule.strike_expiry_days},
                        ]
                        for rule in rules
                    ],
                    key="plan.rules",
                ),
            ],
        ),
        Section(
            "screening",
            _("3. Automated screening and the hold policy"),
            [
                Paragraph(screening_text),
                BulletList(
                    [
                        _(
                            "Below the review threshold a post is published. Above it, the post is "
                            "published and "
                            "a case is queued for a moderator."
                        ),
                        _(
                            "Above the hold threshold (or when the threat patterns match), the post is "
                            "held: only "
                            "its author (with a notice) and moderators see it, nobody is notified, and a "
                            "case opens "
                            "at the top of the queue with the %(deadline)s deadline for threats."
                        )
                        % {"deadline": duration(hours["urgent"])},
                        _(
                            "Screening never removes anything by itself: a held post is published or "
                            "removed by a "
                            "moderator, and statements of reasons say that automated detection was involved."
                        ),
                        _("Threat patterns: review at %(review)s, hold at %(hold)s.")
                        % {
                            "review": number(screening["pattern_thresholds"]["review"]),
                            "hold": number(screening["pattern_thresholds"]["hold"]),
                        },
                    ]
                ),
                Table(
                    _("Model thresholds per language"),
                    [
                        _("Language"),
                        _("Review at score"),
                        _("Hold at score"),
                        _("In surge mode (review / hold)"),
                    ],
                    language_rows or [[_("none (patterns only)"), "\u2013", "\u2013", "\u2013"]],
                    key="plan.thresholds",
                ),
            ],
        ),
        Section(
            "deadlines",
            _("4. Review queue and deadlines"),
            [
                Paragraph(
                    _(
                        "Every report, notice and screening flag opens or joins one case per post or "
                        "account. "
                        "Its priority is severity times reach, and its deadline follows the category. The "
                        "queue "
                        "shows threats first, then overdue cases, then the rest by deadline."
                    )
                ),
                Table(
                    _("Deadlines"),
                    [_("Tier"), _("Deadline")],
                    [[TIER_LABELS[tier](), duration(hours[tier])] for tier in selectors.TIERS],
                    key="plan.deadlines",
                ),
            ],
        ),
        Section(
            "team",
            _("5. Team"),
            [
                Table(
                    _("Roles and team size"),
                    [_("Role"), _("People"), _("May")],
                    [
                        [
                            _("Administrators"),
                            number(team["administrators"]),
                            _("everything moderators may, plus edit the rules and read the audit log"),
                        ],
                        [
                            _("Moderators"),
                            number(team["moderators"]),
                            _(
                                "work the queue, decide cases and appeals, notify law enforcement, mute "
                                "reporters"
                            ),
                        ],
                    ],
                    key="plan.team",
                ),
                Paragraph(
                    _(
                        "Moderators are staff chosen by the operator, not volunteers from the user base. "
                        "Each "
                        "decision names its moderator in the audit log."
                    )
                ),
            ],
        ),
        Section("jury", _("6. Community jury"), _jury_plan()),
        Section(
            "appeals",
            _("7. Statements of reasons and appeals"),
            [
                BulletList(
                    [
                        _(
                            "Every restrictive decision produces a statement of reasons (Art. 17 DSA) for "
                            "the "
                            "person affected: the measure, the facts, the rule or law, whether automated "
                            "means "
                            "were used, and how to seek redress. Reporters learn the outcome."
                        ),
                        _(
                            "The person affected, and a reporter whose report was dismissed, can appeal for "
                            "six "
                            "months (%(days)s days, Art. 20 DSA). A moderator other than the one who "
                            "decided reviews the appeal; "
                            "a reversal restores the content or account and revokes the strike."
                        )
                        % {"days": APPEAL_WINDOW.days},
                        _(
                            "Statements of reasons can be exported for the EU Transparency Database "
                            "(“agora moderation export-sor”) and sent to it (“agora moderation submit-sor”, "
                            "%(state)s)."
                        )
                        % {
                            "state": _("switched on")
                            if settings.AGORA_TDB_SUBMIT
                            else _("switched off on this server")
                        },
                    ]
                )
            ],
        ),
        Section(
            "law_enforcement",
            _("8. Threats to life and law enforcement (Art. 18 DSA)"),
            [
                Paragraph(
                    _(
                        "When a case suggests a criminal offence involving a threat to the life or safety of "
                        "a person, the moderator informs the police of the Member State concerned without "
                        "delay "
                        "(or Europol when it is unclear which), then records the authority, time and "
                        "reference on "
                        "the case; the case is marked a threat to life and stays at the top of the queue. "
                        "Authorities reach the operators at %(email)s (see %(contact)s)."
                    )
                    % {"email": settings.AGORA_CONTACT_EMAIL, "contact": _url("moderation:contact")}
                )
            ],
        ),
        Section("surge", _("9. Surge mode"), _surge_plan(surge)),
        Section(
            "user_tools",
            _("10. What users can do"),
            [
                BulletList(
                    [
                        _("Report any post or account from the post or profile (in-app, signed in)."),
                        _("Notify illegal content without an account: %(url)s")
                        % {"url": _url("moderation:notice")},
                        _("Block and mute accounts, and mute words and phrases."),
                        _("Read the rules before signing up; accepting them is required to post."),
                        _("Reach the operators: %(url)s") % {"url": _url("moderation:contact")},
                        _("Read this server's transparency report: %(url)s")
                        % {"url": _url("transparency:public_report")},
                    ]
                )
            ],
        ),
    ]
    if jury.installed:
        sections[5].blocks.append(
            Table(
                _("Jury, last %(days)s days") % {"days": PLAN_DAYS},
                [_("Figure"), _("Value")],
                [
                    [_("Decisions by the jury"), number(jury.decisions)],
                    [_("Reversed on appeal"), percent(jury.reversal_rate)],
                    *[[label, number(value)] for label, value in jury.extra],
                ],
            )
        )
    return Document(
        language=get_language() or "en",
        title=_("Moderation plan"),
        subtitle=_("%(instance)s, as configured on %(date)s")
        % {"instance": settings.AGORA_INSTANCE_NAME, "date": now.strftime("%Y-%m-%d")},
        meta=[
            (_("Service"), f"{settings.AGORA_INSTANCE_NAME} ({settings.AGORA_DOMAIN})"),
            (_("Provider"), settings.AGORA_CONTACT_OPERATOR),
            (_("Contact"), settings.AGORA_CONTACT_EMAIL),
            (_("Generated"), now.strftime("%Y-%m-%d %H:%M UTC")),
            (
                _("Measured over"),
                f"{since.strftime('%Y-%m-%d')} \u2013 {now.strftime('%Y-%m-%d')}",
            ),
        ],
        sections=sections,
    )
