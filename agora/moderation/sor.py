"""Statements of reasons in the EU DSA Transparency Database schema: building a record and checking one.

`build_record` turns a decision into the exact field names and enum KEYs the Commission's API takes (no
personal data: the `puid` is a random id, the facts are written without names). `validate_record` checks a
record the way `StatementStoreRequest` does (required fields, enums, lengths, conditional fields), so the
export can be proven valid before anything is sent.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from django.conf import settings

from agora.moderation import dsa

if TYPE_CHECKING:
    from agora.moderation.models import Decision

# Which restriction each restrictive action is, in the schema's terms.
VISIBILITY_FOR_ACTION = {
    "label": "DECISION_VISIBILITY_CONTENT_LABELLED",
    "limit": "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "hold": "DECISION_VISIBILITY_CONTENT_DISABLED",
    "remove": "DECISION_VISIBILITY_CONTENT_REMOVED",
}
ACCOUNT_FOR_ACTION = {"suspend": "DECISION_ACCOUNT_SUSPENDED", "terminate": "DECISION_ACCOUNT_TERMINATED"}
# Freezing posting suspends part of the service (the account can still read and follow).
PROVISION_FOR_ACTION = {"freeze": "DECISION_PROVISION_PARTIAL_SUSPENSION"}
PUID_PATTERN = re.compile(r"^[a-zA-Z0-9-_]+$")
LANGUAGE_PATTERN = re.compile(r"^[A-Z]{2}$")


def _date(value: datetime.datetime | None) -> str | None:
    return value.date().isoformat() if value is not None else None


def build_record(decision: Decision, *, puid: str) -> dict[str, Any]:
    """The Transparency Database record for a restrictive decision."""
    case = decision.case
    rule = decision.rule
    assert rule is not None, "a restrictive decision always cites a rule"
    record: dict[str, Any] = {}
    if decision.action in VISIBILITY_FOR_ACTION:
        record["decision_visibility"] = [VISIBILITY_FOR_ACTION[decision.action]]
        if decision.ends_at is not None:
            record["end_date_visibility_restriction"] = _date(decision.ends_at)
    if decision.action in ACCOUNT_FOR_ACTION:
        record["decision_account"] = ACCOUNT_FOR_ACTION[decision.action]
        if decision.ends_at is not None:
            record["end_date_account_restriction"] = _date(decision.ends_at)
    if decision.action in PROVISION_FOR_ACTION:
        record["decision_provision"] = PROVISION_FOR_ACTION[decision.action]
        if decision.ends_at is not None:
            record["end_date_service_restriction"] = _date(decision.ends_at)
    record["account_type"] = "ACCOUNT_TYPE_PRIVATE"
    record["decision_ground"] = rule.ground
    record["decision_ground_reference_url"] = _rules_url(rule.number)
    explanation = decision.explanation[:2000]
    if rule.ground == dsa.Ground.ILLEGAL:
        record["illegal_content_legal_ground"] = (rule.legal_ground or f"Rule {rule.number}")[:500]
        record["illegal_content_explanation"] = explanation
    else:
        record["incompatible_content_ground"] = f"Rule {rule.number}: {rule.title}"[:500]
        record["incompatible_content_explanation"] = explanation
    record["content_type"] = ["CONTENT_TYPE_TEXT"]
    record["category"] = rule.category
    if case.category != rule.category and case.category in dsa.Category.values:
        record["category_addition"] = [case.category]
    keywords = [k for k in rule.category_specification if k in dsa.KEYWORDS]
    if keywords:
        record["category_specification"] = keywords
    record["territorial_scope"] = list(settings.AGORA_MODERATION_TERRITORIAL_SCOPE or dsa.TERRITORIES)
    language = (case.snapshot.get("language") or "").split("-")[0].upper()
    if LANGUAGE_PATTERN.match(language):
        record["content_language"] = language
    content_date = case.snapshot.get("created_at") or case.opened_at.isoformat()
    record["content_date"] = content_date[:10]
    record["application_date"] = _date(decision.created_at)
    record["decision_facts"] = _facts(decision)[:5000]
    record["source_type"] = _source_type(decision)
    automated_detection = case.screening_results.exists()
    record["automated_detection"] = "Yes" if automated_detection else "No"
    if decision.decided_by == "automatic":
        record["automated_decision"] = "AUTOMATED_DECISION_FULLY"
    elif automated_detection and case.screening_results.filter(automated=True).exists():
        # A classifier acted first (held the post) and a person (or the jury) confirmed it.
        record["automated_decision"] = "AUTOMATED_DECISION_PARTIALLY"
    else:
        record["automated_decision"] = "AUTOMATED_DECISION_NOT_AUTOMATED"
    record["puid"] = puid
    return record


def _rules_url(number: int) -> str:
    scheme = "https" if settings.AGORA_HTTPS else "http"
    return f"{scheme}://{settings.AGORA_DOMAIN}/about/terms#rule-{number}"


def _source_type(decision: Decision) -> str:
    reports = decision.case.reports.all()
    if any(report.is_illegal_notice for report in reports):
        return "SOURCE_ARTICLE_16"
    if reports:
        # Reports by signed-in people under the server's rules, not formal Art. 16 notices.
        return "SOURCE_TYPE_OTHER_NOTIFICATION"
    return "SOURCE_VOLUNTARY"


def _facts(decision: Decision) -> str:
    """Facts and circumstances, without names (Art. 24(5) DSA: no personal data)."""
    case = decision.case
    subject = "A post" if case.subject_type == "post" else "An account"
    count = case.reports.count()
    if count:
        origin = f"{subject} was reported by {count} notice{'s' if count != 1 else ''}."
    elif case.screening_results.exists():
        origin = f"{subject} was flagged by automated screening."
    else:
        origin = f"{subject} was reviewed on the moderators' own initiative."
    who = {"moderator": "a staff moderator", "jury": "a community jury", "automatic": "an automated rule"}
    reviewer = who.get(decision.decided_by, "a moderator")
    number = decision.rule.number if decision.rule else "?"
    return f"{origin} It was reviewed by {reviewer}, who found it breaks rule {number}."


# -- validation -------------------------------------------------------------------------------------------

_ALL_FIELDS = {
    "decision_visibility", "decision_visibility_other", "decision_monetary", "decision_monetary_other",
    "decision_provision", "decision_account", "account_type", "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground", "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "content_type", "content_type_other",
    "category", "category_addition", "category_specification", "category_specification_other",
    "territorial_scope", "content_language", "content_date", "application_date",
    "end_date_account_restriction", "end_date_monetary_restriction", "end_date_service_restriction",
    "end_date_visibility_restriction", "decision_facts", "source_type", "source_identity",
    "automated_detection", "automated_decision", "puid", "content_id",
}  # fmt: skip


def _check_date(record: dict[str, Any], field: str, low: str, high: str | None, errors: list[str]) -> None:
    value = record.get(field)
    if value is None:
        return
    try:
        parsed = datetime.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        errors.append(f"{field}: not a YYYY-MM-DD date")
        return
    if value < low or (high is not None and value > high):
        errors.append(f"{field}: out of range")


def validate_record(record: dict[str, Any]) -> list[str]:
    """Everything wrong with `record` as a Transparency Database statement; an empty list means valid."""
    errors: list[str] = []
    for field in record:
        if field not in _ALL_FIELDS:
            errors.append(f"{field}: not a field of the schema")

    def enum(field: str, allowed: tuple[str, ...] | list[str], *, required: bool = False) -> None:
        value = record.get(field)
        if value is None:
            if required:
                errors.append(f"{field}: required")
        elif value not in allowed:
            errors.append(f"{field}: {value!r} is not an allowed value")

    def enum_list(field: str, allowed: tuple[str, ...] | list[str], *, required: bool = False) -> None:
        value = record.get(field)
        if value is None:
            if required:
                errors.append(f"{field}: required")
        elif not isinstance(value, list) or (required and not value):
            errors.append(f"{field}: must be a non-empty list")
        else:
            errors.extend(
                f"{field}: {item!r} is not an allowed value" for item in value if item not in allowed
            )

    def text(field: str, limit: int, *, required: bool = False) -> None:
        value = record.get(field)
        if value is None or value == "":
            if required:
                errors.append(f"{field}: required")
        elif not isinstance(value, str) or len(value) > limit:
            errors.append(f"{field}: must be text of at most {limit} characters")

    restrictions = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
    if not any(record.get(field) for field in restrictions):
        errors.append(
            "decision_visibility: required unless decision_monetary, decision_provision or decision_account "
            "is given"
        )
    enum_list("decision_visibility", dsa.DECISION_VISIBILITY)
    text(
        "decision_visibility_other",
        500,
        required="DECISION_VISIBILITY_OTHER" in (record.get("decision_visibility") or []),
    )
    enum("decision_monetary", dsa.DECISION_MONETARY)
    text(
        "decision_monetary_other", 500, required=record.get("decision_monetary") == "DECISION_MONETARY_OTHER"
    )
    enum("decision_provision", dsa.DECISION_PROVISION)
    enum("decision_account", dsa.DECISION_ACCOUNT)
    enum("account_type", dsa.ACCOUNT_TYPE)
    enum("decision_ground", dsa.Ground.values, required=True)
    text("decision_ground_reference_url", 500)
    illegal = record.get("decision_ground") == dsa.Ground.ILLEGAL
    incompatible = record.get("decision_ground") == dsa.Ground.INCOMPATIBLE
    text("illegal_content_legal_ground", 500, required=illegal)
    text("illegal_content_explanation", 2000, required=illegal)
    text("incompatible_content_ground", 500, required=incompatible)
    text("incompatible_content_explanation", 2000, required=incompatible)
    if "incompatible_content_illegal" in record:
        if not incompatible:
            errors.append("incompatible_content_illegal: only with DECISION_GROUND_INCOMPATIBLE_CONTENT")
        enum("incompatible_content_illegal", dsa.YES_NO)
    enum_list("content_type", dsa.CONTENT_TYPE, required=True)
    text("content_type_other", 500, required="CONTENT_TYPE_OTHER" in (record.get("content_type") or []))
    enum("category", dsa.Category.values, required=True)
    enum_list("category_addition", dsa.Category.values)
    enum_list("category_specification", list(dsa.KEYWORDS))
    text("category_specification_other", 500)
    enum_list("territorial_scope", dsa.TERRITORIES)
    language = record.get("content_language")
    if language is not None and not (isinstance(language, str) and LANGUAGE_PATTERN.match(language)):
        errors.append("content_language: must be an upper-case ISO 639-1 code")
    if record.get("content_date") is None:
        errors.append("content_date: required")
    _check_date(record, "content_date", "2000-01-01", "2038-01-01", errors)
    if record.get("application_date") is None:
        errors.append("application_date: required")
    _check_date(record, "application_date", "2020-01-01", None, errors)
    for field in (
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
    ):
        _check_date(record, field, "2020-01-01", None, errors)
    text("decision_facts", 5000, required=True)
    enum("source_type", dsa.SOURCE_TYPE, required=True)
    text("source_identity", 500)
    enum("automated_detection", dsa.YES_NO, required=True)
    enum("automated_decision", dsa.AUTOMATED_DECISION, required=True)
    puid = record.get("puid")
    if not isinstance(puid, str) or not puid or len(puid) > 500 or not PUID_PATTERN.match(puid):
        errors.append("puid: required, at most 500 characters of letters, digits, '-' and '_'")
    content_id = record.get("content_id")
    if content_id is not None and (
        not isinstance(content_id, dict)
        or set(content_id) - {"EAN-13"}
        or not re.fullmatch(r"\d{13}", str(content_id.get("EAN-13", "")))
    ):
        errors.append("content_id: only an EAN-13 of 13 digits")
    return errors
