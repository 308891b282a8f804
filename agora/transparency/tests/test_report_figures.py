"""Every figure of the transparency report equals one worked out by hand from a known set of cases.

The fixture plays eleven moderation stories through the real services at fixed moments (the clock is moved
with time_machine): screening holds, a review-tier flag, user reports, an Art. 16 notice, an account report, a
muted reporter, a moderator-initiated suspension, appeals (upheld, reversed, pending), a law-enforcement
notification, and one story on each side of the period. The expected values below are written out from the
story list, not computed by the code under test; the comparison covers every key of the report.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import statistics
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.moderation import dsa, services
from agora.moderation.models import AccountRestriction, Appeal, Case, Decision, Rule
from agora.posts import services as post_services
from agora.transparency import report, selectors

BASE = datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC)
START, END = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
THREAT_EN = "@bob Readers should bring guns and hang Senator Miller and Judge Ross on January 6th."
THREAT_DE = "Bringt eure Waffen mit und hängt die Politiker am 6. Januar vor dem Reichstag auf!"
BORDERLINE = "Traitors should all be hanged."


def at(hours: float) -> time_machine.travel:
    return time_machine.travel(BASE + datetime.timedelta(hours=hours), tick=False)


def post_at(hours: float, author: User, text: str = "A quiet day at the lake.") -> Any:
    with at(hours):
        return post_services.create_post(author=author, text=text)


def case_of(post: Any) -> Case:
    return Case.objects.filter(post=post).order_by("-opened_at").get()


@pytest.fixture
def known_cases(db: None) -> dict[str, Any]:
    """The stories, each at fixed hours from 1 March 2026 00:00 UTC (the period is March 2026)."""
    users = {
        name: UserFactory(username=name)
        for name in [
            "alice",
            "bob",
            "carol",
            "dave",
            "erin",
            "frank",
            "gina",
            "harry",
            "ivan",
            "jack",
            "kim",
            "lena",
            "mallory",
        ]
    }
    mod = UserFactory(username="mod", role=User.Role.MODERATOR)
    UserFactory(username="warden", role=User.Role.MODERATOR)
    rule = {r.number: r for r in Rule.objects.all()}
    u = users

    def decide(
        hours: float, case: Case, action: str, rule_number: int | None = None, **extra: Any
    ) -> Decision:
        with at(hours):
            return services.decide_case(
                case=case,
                action=action,
                rule=rule[rule_number] if rule_number else None,
                moderator=mod,
                explanation="Reasons given to the people involved.",
                **extra,
            )

    def appeal(hours: float, appellant: User, decision: Decision) -> Appeal:
        with at(hours):
            return services.file_appeal(appellant=appellant, decision=decision, text="Please look again.")

    def resolve(hours: float, filed: Appeal, reverse: bool) -> None:
        with at(hours):
            services.decide_appeal(
                moderator=filed.assigned_to, appeal=filed, reverse=reverse, reasons="Second look."
            )

    # S0, before the period: a report at -48 h, dismissed at +2 h (inside).
    lena_post = post_at(-50, u["lena"])
    with at(-48):
        services.create_report(
            reporter=u["bob"], post=lena_post, category=dsa.Category.OTHER_VIOLATION_TC, explanation="Rude."
        )
    decide(2, case_of(lena_post), Decision.Action.DISMISS)
    # S1: a threat held by screening at 10 h, claimed 10.25 h, removed 10.5 h, police told 10.75 h; the
    # author's appeal (20 h) is upheld (30 h).
    threat = post_at(10, u["alice"], THREAT_EN)
    c1 = case_of(threat)
    with at(10.25):
        services.claim_case(moderator=mod, case=c1)
    removed = decide(10.5, c1, Decision.Action.REMOVE, 1)
    with at(10.75):
        services.record_law_enforcement_notice(moderator=mod, case=c1, authority="Polizei Berlin")
    resolve(30, appeal(20, u["alice"], removed), reverse=False)
    # S2: a German threat held at 50 h, claimed 50.5 h, released (restore) at 52 h: a false hold, late.
    held = post_at(50, u["dave"], THREAT_DE)
    with at(50.5):
        services.claim_case(moderator=mod, case=case_of(held))
    decide(52, case_of(held), Decision.Action.RESTORE)
    # S3: review tier (published, queued) at 100 h, dismissed at 100.8 h.
    flagged = post_at(100, u["erin"], BORDERLINE)
    decide(100.8, case_of(flagged), Decision.Action.DISMISS)
    # S8 (muting first): ivan is muted at 150 h.
    with at(150):
        services.set_reporter_muted(moderator=mod, user=u["ivan"], muted=True, reason="Unfounded reports.")
    # S4: a scam report at 200 h, a note at 202 h, removed (rule 6) at 210 h; appeal 215 h reversed 220 h.
    scam = post_at(199, u["carol"])
    with at(200):
        services.create_report(
            reporter=u["bob"], post=scam, category=dsa.Category.SCAMS_AND_FRAUD, explanation="Fake giveaway."
        )
    with at(202):
        services.add_case_note(moderator=mod, case=case_of(scam), text="Checking the link.")
    scam_removed = decide(210, case_of(scam), Decision.Action.REMOVE, 6)
    resolve(220, appeal(215, u["carol"], scam_removed), reverse=True)
    # S5: an Art. 16 notice from a logged-out person at 300 h, removed (rule 5) at 330 h: late.
    doxx = post_at(299, u["frank"])
    with at(300):
        services.create_report(
            reporter=None,
            post=doxx,
            category=dsa.Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS,
            explanation="My home address.",
            reporter_email="notifier@example.org",
            is_illegal_notice=True,
            bona_fide=True,
        )
    decide(330, case_of(doxx), Decision.Action.REMOVE, 5)
    # S6: an account report at 400 h, a warning (rule 6) at 450 h.
    with at(400):
        report_on_gina = services.create_report(
            reporter=u["bob"],
            account=u["gina"],
            category=dsa.Category.OTHER_VIOLATION_TC,
            explanation="Spam.",
        )
    decide(450, report_on_gina.case, Decision.Action.WARN, 6)
    # S7: a hate report at 500 h dismissed at 505 h; the reporter appeals at 510 h (still pending).
    rant = post_at(499, u["harry"])
    with at(500):
        services.create_report(
            reporter=u["carol"],
            post=rant,
            category=dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH,
            explanation="Hate, and her home address.",
            rules=[rule[5]],  # a rule against illegal content: the report alleges illegal content
        )
    dismissed = decide(505, case_of(rant), Decision.Action.DISMISS)
    appeal(510, u["carol"], dismissed)
    # S8: the muted reporter reports at 600 h; nobody has decided yet.
    quiet = post_at(599, u["jack"])
    with at(600):
        services.create_report(
            reporter=u["ivan"], post=quiet, category=dsa.Category.OTHER_VIOLATION_TC, explanation="Boring."
        )
    # S9: a moderator opens a case on kim at 650 h and suspends the account for 30 days at 650.5 h.
    with at(650):
        kim_case = services.open_or_join_case(
            source=Case.Source.MODERATOR, category=dsa.Category.VIOLENCE, account=u["kim"], actor=mod
        )
    decide(650.5, kim_case, Decision.Action.SUSPEND, 1, duration=datetime.timedelta(days=30))
    # S10, after the period (it ends at 744 h): a post at 753 h and a report at 754 h.
    late = post_at(753, u["mallory"])
    with at(754):
        services.create_report(
            reporter=u["bob"], post=late, category=dsa.Category.SCAMS_AND_FRAUD, explanation="Scam."
        )
    return users


def expected_figures() -> dict[str, Any]:
    """The report for March 2026 worked out by hand from the stories above."""
    categories = dict.fromkeys(dsa.Category.values, 0)
    notices_by_category = {
        **categories,
        dsa.Category.SCAMS_AND_FRAUD: 1,  # S4
        dsa.Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS: 1,  # S5
        dsa.Category.OTHER_VIOLATION_TC: 2,  # S6, S8
        dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH: 1,  # S7
    }
    decisions_by_category = {
        **categories,
        dsa.Category.VIOLENCE: 2,  # rule 1: S1 remove, S9 suspend
        dsa.Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS: 1,  # rule 5: S5
        dsa.Category.SCAMS_AND_FRAUD: 2,  # rule 6: S4 remove, S6 warn
    }
    # Hours from report to the answering decision: S4 10, S5 30, S6 50, S7 5.
    notice_median = statistics.median([10, 30, 50, 5])
    # Hours from opening to first decision: S0 50, S1 0.5, S2 2, S3 0.8, S4 10, S5 30, S6 50, S7 5, S9 0.5.
    first = {"S0": 50, "S1": 0.5, "S2": 2, "S3": 0.8, "S4": 10, "S5": 30, "S6": 50, "S7": 5, "S9": 0.5}
    urgent = [first[s] for s in ("S1", "S2", "S3", "S9")]
    illegal = [first[s] for s in ("S4", "S5", "S7")]
    other = [first[s] for s in ("S0", "S6")]
    return {
        "period": {"from": "2026-03-01", "to": "2026-03-31"},
        "notices": {
            "total": 5,
            "by_category": notices_by_category,
            "by_source": {"article_16_notice": 1, "user_report": 4, "trusted_flagger": 0},
            "by_basis": {"illegal_content": 2, "terms_and_conditions": 3},  # S5 notice, S7 cites rule 5
            "by_outcome": {"actioned": 3, "dismissed": 1, "pending": 1},
            "from_muted_reporters": 1,
            "decided_by_automated_means": 0,
            "median_hours_to_decision": round(notice_median, 2),
            "answered_within_24_hours": 2,  # S4 (10 h) and S7 (5 h)
        },
        "cases": {
            "opened": 9,
            "by_source": {
                **dict.fromkeys(Case.Source.values, 0),
                "report": 5,
                "screening": 3,
                "moderator": 1,
            },
            "own_initiative": 4,
            "threat_to_life": 1,
        },
        "decisions": {
            "total": 10,
            "by_action": {
                **dict.fromkeys(Decision.Action.values, 0),
                "dismiss": 3,
                "remove": 3,
                "restore": 2,
                "warn": 1,
                "suspend": 1,
            },
            "by_ground": {"illegal_content": 3, "terms_and_conditions": 2, "no_rule": 5},
            "by_category": decisions_by_category,
            "by_decided_by": {**dict.fromkeys(Decision.DecidedBy.values, 0), "moderator": 10},
            "statements_of_reasons": 4,
            "cases_first_decided": 9,
            "median_hours_to_decision": round(statistics.median(first.values()), 2),
            "by_deadline_tier": {
                "urgent": {
                    "cases": 4,
                    "median_hours_to_decision": round(statistics.median(urgent), 2),
                    "within_deadline": 3,  # S2 took 2 h against 1 h
                },
                "illegal": {
                    "cases": 3,
                    "median_hours_to_decision": round(statistics.median(illegal), 2),
                    "within_deadline": 2,  # S5 took 30 h against 24 h
                },
                "other": {
                    "cases": 2,
                    "median_hours_to_decision": round(statistics.median(other), 2),
                    "within_deadline": 2,
                },
            },
        },
        "automated_means": {
            "posts_screened": 7,  # S1 S2 S3 S4 S5 S7 S8 posts; S0 and S10 outside
            "screening_by_tier": {"allow": 4, "review": 1, "hold": 2},
            "decided_post_cases": 7,  # S0 S1 S2 S3 S4 S5 S7
            "flagged_by_screening": 3,  # S1 S2 S3
            "flagged_and_confirmed": 1,  # S1
            "held_by_screening": 2,  # S1 S2
            "held_and_confirmed": 1,
            "confirmed_violations": 3,  # S1 S4 S5
            "precision": round(1 / 3, 3),
            "hold_precision": 0.5,
            "recall": round(1 / 3, 3),
            "fully_automated_decisions": 0,
        },
        "complaints": {
            "total": 3,
            "by_appellant": {"affected_person": 2, "notifier": 1},
            "by_outcome": {"upheld": 1, "reversed": 1, "pending": 1},
            "median_hours_to_resolve": round(statistics.median([10, 5]), 2),
            "reversal_rate": 0.5,
        },
        "suspensions": {
            "by_kind": {**dict.fromkeys(AccountRestriction.Kind.values, 0), "suspend": 1},
            "strikes": 4,  # S1 S4 S5 S9
            "reporters_muted": 1,
        },
        "law_enforcement": {"notifications": 1, "median_hours_case_to_notification": 0.75},
        "transparency_database": {"statements_submitted": 0},
    }


def test_every_figure_of_the_report_equals_the_hand_computed_one(known_cases: dict[str, Any]) -> None:
    figures = selectors.report_figures(START, END)
    expected = expected_figures()
    assert selectors.flatten(figures).keys() == selectors.flatten(expected).keys()
    mismatched = {
        key: (value, selectors.flatten(expected)[key])
        for key, value in selectors.flatten(figures).items()
        if value != selectors.flatten(expected)[key]
    }
    assert mismatched == {}


def test_the_json_and_csv_exports_carry_the_same_figures(known_cases: dict[str, Any], tmp_path: Any) -> None:
    json_file, csv_file = tmp_path / "report.json", tmp_path / "report.csv"
    call_command("moderation", "report", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json",
                 "--output", str(json_file))  # fmt: skip
    call_command("moderation", "report", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv",
                 "--output", str(csv_file))  # fmt: skip
    assert json.loads(json_file.read_text()) == expected_figures()
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text())))
    flat = selectors.flatten(expected_figures())
    assert len(rows) == len(flat)
    for row in rows:
        value = flat[f"{row['section']}.{row['figure']}"]
        if value is None or isinstance(value, str):
            assert row["value"] == (value or "")
        else:
            assert float(row["value"]) == value


def test_the_document_shows_the_figures_in_its_tables(known_cases: dict[str, Any]) -> None:
    _figures, document = report.build_report(START, END)
    tables = {
        block.key: block
        for section in document.sections
        for block in section.blocks
        if getattr(block, "key", "")
    }
    by_action = dict(tables["decisions.by_action"].rows)
    assert by_action["Remove"] == "3" and by_action["Suspend the account"] == "1"
    outcome = dict(tables["notices.outcome"].rows)
    assert outcome["Median time to decision"] == "20.0 h"
    accuracy = dict(tables["automated_means.accuracy"].rows)
    assert (
        accuracy["Precision of holds"] == "50.0 %"
        and accuracy["Recall (violations screening had flagged)"] == "33.3 %"
    )
    complaints = dict(tables["complaints"].rows)
    assert complaints["Reversal rate"] == "50.0 %" and complaints["Median time to resolve"] == "7.5 h"


def test_an_empty_period_reports_zeros_and_no_medians(db: None) -> None:
    figures = selectors.report_figures(datetime.date(2020, 1, 1), datetime.date(2020, 1, 31))
    flat = selectors.flatten(figures)
    assert {value for key, value in flat.items() if not key.startswith("period.")} <= {0, None}
    assert figures["decisions"]["median_hours_to_decision"] is None


def test_a_period_that_ends_before_it_starts_is_refused(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="before"):
        call_command("moderation", "report", "--from", "2026-03-31", "--to", "2026-03-01", "--format", "json")
