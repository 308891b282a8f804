"""Statements of reasons export exactly in the EU Transparency Database schema; the validator catches what the
Commission's API would refuse.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agora.accounts.models import User
from agora.moderation import dsa, services
from agora.moderation.models import Case, Decision, Rule, StatementOfReasons
from agora.moderation.sor import validate_record
from agora.posts import services as post_services

pytestmark = pytest.mark.django_db

WORKED_EXAMPLE: dict[str, Any] = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "decision_account": "DECISION_ACCOUNT_SUSPENDED",
    "end_date_account_restriction": "2026-08-30",
    "account_type": "ACCOUNT_TYPE_PRIVATE",
    "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
    "illegal_content_legal_ground": "§ 111 StGB (public incitement to crime); § 241 StGB (threat)",
    "illegal_content_explanation": "Post calls on readers to shoot named office holders on a stated date.",
    "content_type": ["CONTENT_TYPE_TEXT"],
    "category": "STATEMENT_CATEGORY_VIOLENCE",
    "category_addition": ["STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"],
    "category_specification": ["KEYWORD_INCITEMENT_VIOLENCE_HATRED"],
    "territorial_scope": ["DE"],
    "content_language": "DE",
    "content_date": "2026-07-31",
    "application_date": "2026-07-31",
    "decision_facts": (
        "Detected by automated threat classifier, held before publication, confirmed by staff reviewer."
    ),
    "source_type": "SOURCE_VOLUNTARY",
    "automated_detection": "Yes",
    "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
    "puid": "inst-42-dec-000913",
}


def test_the_references_worked_example_validates() -> None:
    assert validate_record(WORKED_EXAMPLE) == []


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"decision_ground": None}, "decision_ground: required"),
        (
            {"category": "STATEMENT_CATEGORY_SPAM"},
            "category: 'STATEMENT_CATEGORY_SPAM' is not an allowed value",
        ),
        ({"category_specification": ["KEYWORD_SPAM"]}, "category_specification"),
        ({"illegal_content_legal_ground": None}, "illegal_content_legal_ground: required"),
        ({"illegal_content_explanation": "x" * 2001}, "illegal_content_explanation"),
        ({"decision_visibility": None, "decision_account": None}, "decision_visibility: required unless"),
        ({"decision_visibility": ["DECISION_VISIBILITY_OTHER"]}, "decision_visibility_other: required"),
        ({"content_type": []}, "content_type"),
        ({"automated_detection": "yes"}, "automated_detection"),
        ({"automated_decision": "AUTOMATED_DECISION_NO"}, "automated_decision"),
        ({"source_type": "SOURCE_USER"}, "source_type"),
        ({"puid": "has space"}, "puid"),
        ({"puid": "x" * 501}, "puid"),
        ({"content_date": "1999-12-31"}, "content_date: out of range"),
        ({"application_date": "31.07.2026"}, "application_date: not a YYYY-MM-DD date"),
        ({"territorial_scope": ["US"]}, "territorial_scope"),
        ({"content_language": "de"}, "content_language"),
        ({"incompatible_content_illegal": "Yes"}, "incompatible_content_illegal: only with"),
        ({"decision_facts": ""}, "decision_facts: required"),
        ({"user_name": "alice"}, "user_name: not a field of the schema"),
        ({"content_id": {"EAN-13": "123"}}, "content_id"),
    ],
)
def test_validator_rejects_what_the_schema_forbids(change: dict[str, Any], error: str) -> None:
    record = {**WORKED_EXAMPLE, **change}
    record = {key: value for key, value in record.items() if value is not None}
    errors = validate_record(record)
    assert any(error in message for message in errors), errors


def test_incompatible_ground_needs_its_own_fields() -> None:
    record = {key: value for key, value in WORKED_EXAMPLE.items() if not key.startswith("illegal_content")}
    record["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    errors = validate_record(record)
    assert "incompatible_content_ground: required" in errors
    assert "incompatible_content_explanation: required" in errors


def _decide(
    moderator: User, post_author: User, reporter: User, action: str, rule_number: int, **kwargs: Any
) -> Decision:
    post = post_services.create_post(author=post_author, text=f"Something for {action}", language="de")
    report = services.create_report(
        reporter=reporter, post=post, category=dsa.Category.OTHER_VIOLATION_TC, explanation="Please look."
    )
    return services.decide_case(
        case=report.case,
        action=action,
        rule=Rule.objects.get(number=rule_number),
        explanation=f"Decided: {action}.",
        moderator=moderator,
        **kwargs,
    )


def test_every_restrictive_action_exports_a_valid_record(
    alice: User, bob: User, moderator: User, tmp_path: Path
) -> None:
    for action, rule_number, extra in [
        ("label", 8, {"content_warning": "Nudity"}),
        ("limit", 6, {}),
        ("hold", 4, {}),
        ("remove", 1, {}),
        ("suspend", 2, {"duration": datetime.timedelta(days=30)}),
        # Last: a freeze stops the author from posting the next one.
        ("freeze", 6, {"duration": datetime.timedelta(days=3)}),
    ]:
        author = User.objects.get(pk=alice.pk)
        if not author.is_active:
            author.is_active = True
            author.save()
        _decide(moderator, author, bob, action, rule_number, **extra)
    output = tmp_path / "sor.jsonl"
    call_command(
        "moderation", "export-sor", "--since", "2020-01-01", "--output", str(output), stderr=io.StringIO()
    )
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(records) == 6 == StatementOfReasons.objects.count()
    for record in records:
        assert validate_record(record) == [], record
        assert record["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
        assert record["content_language"] == "DE"
        assert record["puid"].startswith("agora-sor-")
        assert "alice" not in json.dumps(record) and "bob" not in json.dumps(record)
    by_kind = {
        tuple(r.get("decision_visibility", [])) or r.get("decision_account") or r.get("decision_provision"): r
        for r in records
    }
    assert (
        by_kind[("DECISION_VISIBILITY_CONTENT_LABELLED",)]["decision_ground"]
        == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    )
    assert "DECISION_PROVISION_PARTIAL_SUSPENSION" in by_kind
    suspended = next(r for r in records if r.get("decision_account") == "DECISION_ACCOUNT_SUSPENDED")
    assert (
        suspended["end_date_account_restriction"]
        and suspended["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    )


def test_export_since_leaves_older_statements_out(alice: User, bob: User, moderator: User) -> None:
    _decide(moderator, alice, bob, "remove", 1)
    out = io.StringIO()
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    call_command("moderation", "export-sor", "--since", tomorrow, stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""


def test_screening_and_a_notice_make_automated_detection_and_article_16_source(
    alice: User, moderator: User
) -> None:
    post = post_services.create_post(author=alice, text="flagged text")
    case = services.open_or_join_case(
        source=Case.Source.SCREENING,
        category=dsa.Category.VIOLENCE,
        post=post,
        screening=services.ScreeningInput(
            model_name="threat-lexicon", model_version="1.0", scores={"threat": 0.97}, automated=True
        ),
    )
    services.create_report(
        reporter=None,
        post=post,
        category=dsa.Category.VIOLENCE,
        explanation="Threat",
        is_illegal_notice=True,
        bona_fide=True,
    )
    decision = services.decide_case(
        case=case,
        action="remove",
        rule=Rule.objects.get(number=1),
        explanation="Threat.",
        moderator=moderator,
    )
    record = decision.statement.record
    assert record["automated_detection"] == "Yes"
    assert record["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert record["source_type"] == "SOURCE_ARTICLE_16"
    assert validate_record(record) == []


def test_export_refuses_an_invalid_record(alice: User, bob: User, moderator: User) -> None:
    decision = _decide(moderator, alice, bob, "remove", 1)
    StatementOfReasons.objects.filter(pk=decision.statement.pk).update(record={"puid": "x"})
    with pytest.raises(CommandError, match="does not validate"):
        call_command(
            "moderation", "export-sor", "--since", "2020-01-01", stdout=io.StringIO(), stderr=io.StringIO()
        )
