"""Statements of reasons to the EU Transparency Database: off by default, batches of at most 100, retries with
backoff, a dry run that validates and writes files, and nothing ever sent twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.moderation import dsa, services
from agora.moderation.models import Case, Rule, StatementOfReasons
from agora.transparency.models import SubmissionRun, SubmittedStatement
from agora.transparency.services import Response, SubmissionError, submit_statements

pytestmark = pytest.mark.django_db


def statements(count: int) -> list[StatementOfReasons]:
    """`count` restrictive decisions (account warnings do not count; suspensions do), one statement each."""
    moderator = UserFactory(role=User.Role.MODERATOR)
    rule = Rule.objects.get(number=6)
    for _ in range(count):
        case = services.open_or_join_case(
            source=Case.Source.MODERATOR, category=dsa.Category.SCAMS_AND_FRAUD, account=UserFactory()
        )
        services.decide_case(
            case=case, action="terminate", rule=rule, moderator=moderator, explanation="Spam network."
        )
    return list(StatementOfReasons.objects.order_by("created_at", "id"))


class FakeDatabase:
    """The multiple-statements endpoint: answers from a script of statuses, then 201 with a uuid each."""

    def __init__(self, script: list[int] | None = None) -> None:
        self.script = list(script or [])
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, url: str, token: str, payload: bytes) -> Response:
        body = json.loads(payload)
        self.calls.append((url, token, body))
        status = self.script.pop(0) if self.script else 201
        if status != 201:
            return Response(status, '{"message": "try later"}')
        answer = [{**s, "uuid": f"uuid-{s['puid']}"} for s in body["statements"]]
        return Response(201, json.dumps({"statements": answer}))


@pytest.fixture
def tdb_on(settings: Any) -> Any:
    settings.AGORA_TDB_SUBMIT = True
    settings.AGORA_TDB_URL = "https://tdb.example/api/v1/statements"
    settings.AGORA_TDB_TOKEN = "secret-token"
    return settings


def test_submission_is_off_by_default(settings: Any) -> None:
    assert settings.AGORA_TDB_SUBMIT is False
    with pytest.raises(SubmissionError, match="switched off"):
        submit_statements(transport=FakeDatabase())
    with pytest.raises(CommandError, match="switched off"):
        call_command("moderation", "submit-sor")


def test_statements_go_in_batches_of_at_most_100_and_never_twice(tdb_on: Any) -> None:
    sent = statements(205)
    database = FakeDatabase()
    run = submit_statements(transport=database, sleep=lambda seconds: None)
    assert [len(call[2]["statements"]) for call in database.calls] == [100, 100, 5]
    assert all(
        url == tdb_on.AGORA_TDB_URL and token == "secret-token" for url, token, _body in database.calls
    )
    assert run.outcome == SubmissionRun.Outcome.SUBMITTED and run.submitted == 205 and run.batches == 3
    recorded = SubmittedStatement.objects.get(puid=sent[0].puid)
    assert recorded.tdb_uuid == f"uuid-{sent[0].puid}" and recorded.statement == sent[0]
    # A second run finds nothing new to send.
    again = submit_statements(transport=database, sleep=lambda seconds: None)
    assert len(database.calls) == 3 and again.outcome == SubmissionRun.Outcome.NOTHING


def test_busy_answers_are_retried_with_exponential_backoff(tdb_on: Any) -> None:
    statements(2)
    waits: list[float] = []
    database = FakeDatabase(script=[503, 429, 502])
    run = submit_statements(transport=database, sleep=waits.append, backoff=1.5)
    assert waits == [1.5, 3.0, 6.0]
    assert len(database.calls) == 4 and run.submitted == 2


def test_a_refused_batch_stops_the_run_and_keeps_what_was_accepted(tdb_on: Any) -> None:
    statements(150)
    database = FakeDatabase(script=[201, 422])
    run = submit_statements(transport=database, sleep=lambda seconds: None)
    assert run.outcome == SubmissionRun.Outcome.PARTIAL and run.submitted == 100
    assert "batch 2: HTTP 422" in run.error
    assert SubmittedStatement.objects.count() == 100
    # The next run sends only the 50 that were refused.
    retry = FakeDatabase()
    submit_statements(transport=retry, sleep=lambda seconds: None)
    assert [len(call[2]["statements"]) for call in retry.calls] == [50]


def test_giving_up_after_the_last_attempt_fails_the_run(tdb_on: Any) -> None:
    statements(1)
    database = FakeDatabase(script=[503, 503, 503])
    run = submit_statements(transport=database, sleep=lambda seconds: None, attempts=3)
    assert run.outcome == SubmissionRun.Outcome.FAILED and SubmittedStatement.objects.count() == 0
    assert len(database.calls) == 3


def test_an_invalid_statement_is_never_sent(tdb_on: Any) -> None:
    broken, good = statements(2)
    StatementOfReasons.objects.filter(pk=broken.pk).update(record={**broken.record, "category": "NOPE"})
    database = FakeDatabase()
    run = submit_statements(transport=database, sleep=lambda seconds: None)
    assert [s["puid"] for s in database.calls[0][2]["statements"]] == [good.puid]
    assert run.invalid == 1 and f"{broken.puid}: category" in run.error


def test_a_dry_run_validates_and_writes_batches_without_sending(tmp_path: Path) -> None:
    sent = statements(3)
    out = tmp_path / "batches"
    call_command("moderation", "submit-sor", "--dry-run", "--output-dir", str(out), "--batch-size", "2")
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["batch-0001.json", "batch-0002.json"]
    first = json.loads(files[0].read_text())
    assert [s["puid"] for s in first["statements"]] == [sent[0].puid, sent[1].puid]
    assert first["statements"][0] == sent[0].record
    assert SubmittedStatement.objects.count() == 0
    assert SubmissionRun.objects.get().outcome == SubmissionRun.Outcome.DRY_RUN
    with pytest.raises(CommandError, match="folder"):
        call_command("moderation", "submit-sor", "--dry-run")
    with pytest.raises(CommandError, match="1 to 100"):
        call_command("moderation", "submit-sor", "--dry-run", "--output-dir", str(out), "--batch-size", "101")
