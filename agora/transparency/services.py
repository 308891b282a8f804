"""Sending statements of reasons to the EU DSA Transparency Database (Art. 24(5) DSA).

Off by default (`AGORA_TDB_SUBMIT`). Statements not yet accepted are validated with the moderation app's
validator (`agora.moderation.sor.validate_record`), sent in batches of at most 100 to the multiple-statements
endpoint (`AGORA_TDB_URL`, bearer token `AGORA_TDB_TOKEN`), retried with exponential backoff on network
errors, 429 and 5xx, and recorded (`SubmittedStatement`) once the database answers 201 Created, so nothing is
sent twice. A dry run validates and writes each batch to a JSON file instead of sending it.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agora.moderation.models import StatementOfReasons
from agora.moderation.sor import validate_record
from agora.transparency.models import SubmissionRun, SubmittedStatement

MAX_BATCH = 100  # the multiple endpoint takes at most 100 statements per call
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class SubmissionError(Exception):
    """Submission is not possible as configured (switched off, no token, no folder for a dry run)."""


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    retry_after: float | None = None


Transport = Callable[[str, str, bytes], Response]
Sleep = Callable[[float], None]


def http_transport(url: str, token: str, payload: bytes, *, timeout: float = 60) -> Response:
    """POST the payload as JSON with the bearer token; HTTP errors come back as responses, not exceptions."""
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "Agora (statements of reasons)",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, answer.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        retry_after = error.headers.get("Retry-After") if error.headers else None
        return Response(
            error.code,
            error.read().decode("utf-8", "replace"),
            float(retry_after) if retry_after and retry_after.isdigit() else None,
        )


def pending_statements() -> list[StatementOfReasons]:
    """Statements the Transparency Database has not accepted yet, oldest first."""
    return list(
        StatementOfReasons.objects.filter(tdb_submission__isnull=True)
        .exclude(puid__in=SubmittedStatement.objects.values("puid"))
        .order_by("created_at", "id")
    )


def _post_with_retries(
    transport: Transport, url: str, token: str, payload: bytes, *, attempts: int, backoff: float, sleep: Sleep
) -> Response:
    response = Response(0, "")
    for attempt in range(attempts):
        try:
            response = transport(url, token, payload)
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
            response = Response(0, f"network error: {error}")
        if response.status == 201 or (response.status and response.status not in RETRY_STATUSES):
            return response
        if attempt + 1 < attempts:
            sleep(response.retry_after if response.retry_after is not None else backoff * 2**attempt)
    return response


def submit_statements(
    *,
    dry_run: bool = False,
    out_dir: Path | None = None,
    batch_size: int = MAX_BATCH,
    transport: Transport | None = None,
    sleep: Sleep = time.sleep,
    attempts: int = 5,
    backoff: float = 2.0,
) -> SubmissionRun:
    """Validate and send (or, for a dry run, write) every statement not yet accepted; returns the run.

    Invalid statements are skipped and listed in the run's `error`; a batch the database refuses (a 4xx other
    than 408/429, or still failing after `attempts` tries) stops the run, and what was accepted before stays
    recorded. Side effects: HTTP requests to `AGORA_TDB_URL`, or files in `out_dir`.
    """
    if not 1 <= batch_size <= MAX_BATCH:
        raise SubmissionError(f"a batch holds 1 to {MAX_BATCH} statements")
    if dry_run:
        if out_dir is None:
            raise SubmissionError("a dry run needs a folder to write the batches to (--output-dir)")
        out_dir.mkdir(parents=True, exist_ok=True)
    else:
        if not settings.AGORA_TDB_SUBMIT:
            raise SubmissionError(
                "submission to the Transparency Database is switched off (set AGORA_TDB_SUBMIT=1, "
                "AGORA_TDB_URL and AGORA_TDB_TOKEN), or use --dry-run"
            )
        if not settings.AGORA_TDB_TOKEN or not settings.AGORA_TDB_URL:
            raise SubmissionError("AGORA_TDB_URL and AGORA_TDB_TOKEN must be set to submit")
    transport = transport or http_transport
    run = SubmissionRun.objects.create(dry_run=dry_run, endpoint="" if dry_run else settings.AGORA_TDB_URL)
    valid: list[StatementOfReasons] = []
    problems: list[str] = []
    for statement in pending_statements():
        errors = validate_record(statement.record)
        if errors:
            problems.append(f"{statement.puid}: {'; '.join(errors)}")
        else:
            valid.append(statement)
    run.validated, run.invalid = len(valid), len(problems)
    batches = [valid[i : i + batch_size] for i in range(0, len(valid), batch_size)]
    failure = ""
    for number, batch in enumerate(batches, start=1):
        payload = json.dumps(
            {"statements": [statement.record for statement in batch]}, ensure_ascii=False
        ).encode("utf-8")
        if dry_run:
            assert out_dir is not None
            (out_dir / f"batch-{number:04d}.json").write_bytes(payload)
            run.batches += 1
            continue
        response = _post_with_retries(
            transport,
            settings.AGORA_TDB_URL,
            settings.AGORA_TDB_TOKEN,
            payload,
            attempts=attempts,
            backoff=backoff,
            sleep=sleep,
        )
        if response.status != 201:
            failure = f"batch {number}: HTTP {response.status or 'no answer'}: {response.body[:1000]}"
            break
        uuids = _uuids_by_puid(response.body)
        with transaction.atomic():
            SubmittedStatement.objects.bulk_create(
                [
                    SubmittedStatement(
                        statement=statement,
                        puid=statement.puid,
                        tdb_uuid=uuids.get(statement.puid, ""),
                        run=run,
                        submitted_at=timezone.now(),
                    )
                    for statement in batch
                ]
            )
        run.batches += 1
        run.submitted += len(batch)
    if dry_run:
        run.outcome = SubmissionRun.Outcome.DRY_RUN
    elif failure:
        run.outcome = SubmissionRun.Outcome.PARTIAL if run.submitted else SubmissionRun.Outcome.FAILED
    elif run.submitted:
        run.outcome = SubmissionRun.Outcome.SUBMITTED
    else:
        run.outcome = SubmissionRun.Outcome.NOTHING
    run.error = "\n".join([*problems, failure]).strip()
    run.finished_at = timezone.now()
    run.save()
    return run


def _uuids_by_puid(body: str) -> dict[str, str]:
    try:
        data: Any = json.loads(body)
    except ValueError:
        return {}
    statements = data.get("statements", []) if isinstance(data, dict) else []
    return {
        str(item.get("puid")): str(item.get("uuid", ""))
        for item in statements
        if isinstance(item, dict) and item.get("puid")
    }
