"""The whole life of a case, as the issue's acceptance test describes it, through the services."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.moderation import selectors, services
from agora.moderation.dsa import Category
from agora.moderation.models import Appeal, AuditEvent, Case, Decision, ModerationNotice, Rule, Strike
from agora.moderation.sor import validate_record
from agora.posts import services as post_services
from agora.posts.models import ModerationState
from agora.posts.selectors import can_view_post
from agora.timelines import selectors as timelines

pytestmark = pytest.mark.django_db


def test_two_reports_one_case_remove_appeal_restore_with_audit_trail_and_valid_statement(
    alice: User, bob: User, carol: User, moderator: User, run_on_commit: Callable
) -> None:
    second_moderator = UserFactory(username="mod2", role=User.Role.MODERATOR)
    post = post_services.create_post(
        author=alice, text="The mayor will get what he deserves at the town hall #rally"
    )
    violence = Rule.objects.get(number=1)

    # Two people report the same post: one case forms.
    first = services.create_report(
        reporter=bob,
        post=post,
        category=Category.VIOLENCE,
        rules=[violence],
        explanation="A call to shoot the mayor.",
    )
    second = services.create_report(
        reporter=carol, post=post, category=Category.ILLEGAL_OR_HARMFUL_SPEECH, explanation="Threatening."
    )
    assert first.case_id == second.case_id
    case = Case.objects.get()
    assert case.severity == 5 and case.state == Case.State.OPEN
    assert ModerationNotice.objects.filter(recipient=bob, kind=ModerationNotice.Kind.REPORT_RECEIVED).exists()

    # A moderator claims it and removes the post under rule 1.
    services.claim_case(moderator=moderator, case=case)
    decision = services.decide_case(
        case=case,
        action=Decision.Action.REMOVE,
        rule=violence,
        explanation="The post calls on readers to bring weapons against the mayor.",
        moderator=moderator,
    )
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.REMOVED
    # Gone for everyone else at once, still there for its author and the moderators.
    assert not can_view_post(bob, post) and not can_view_post(None, post)
    assert can_view_post(alice, post) and can_view_post(moderator, post)
    assert post not in timelines.public_timeline(None).items
    assert post not in timelines.hashtag_timeline(bob, "rally").items
    assert post not in timelines.profile_timeline(bob, alice).items
    assert Strike.objects.filter(user=alice, revoked_at__isnull=True).count() == 1

    # The author sees the statement of reasons (notice + page) and appeals.
    notice = ModerationNotice.objects.get(recipient=alice, kind=ModerationNotice.Kind.DECISION)
    assert notice.decision == decision
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("moderation:statement", args=[decision.pk]))
    assert page.status_code == 200
    assert "The post calls on readers to bring weapons against the mayor." in page.content.decode()
    assert "§ 241 StGB" in page.content.decode()
    appeal = services.file_appeal(appellant=alice, decision=decision, text="I meant a water-gun fight.")
    # The appeal goes to someone other than the moderator who decided.
    assert appeal.assigned_to == second_moderator
    case.refresh_from_db()
    assert case.state == Case.State.APPEALED
    with pytest.raises(Exception, match="Another moderator"):
        services.decide_appeal(moderator=moderator, appeal=appeal, reverse=True, reasons="I changed my mind.")

    # The second moderator restores it; the strike goes; the reporters are told.
    services.decide_appeal(
        moderator=second_moderator,
        appeal=appeal,
        reverse=True,
        reasons="Read in context it is a joke among friends.",
    )
    post.refresh_from_db()
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert post.moderation_state == ModerationState.PUBLISHED
    assert appeal.state == Appeal.State.REVERSED
    assert case.state == Case.State.DECIDED
    assert can_view_post(bob, post)
    assert not Strike.objects.filter(user=alice, revoked_at__isnull=True).exists()
    for reporter in (bob, carol):
        outcomes = ModerationNotice.objects.filter(
            recipient=reporter, kind=ModerationNotice.Kind.REPORT_OUTCOME
        )
        assert [n.decision.action for n in outcomes.order_by("created_at", "id")] == ["remove", "restore"]
    assert ModerationNotice.objects.filter(
        recipient=alice, kind=ModerationNotice.Kind.APPEAL_OUTCOME
    ).exists()

    # The audit log holds every step, in order.
    events = list(
        AuditEvent.objects.filter(case=case).order_by("created_at", "id").values_list("event", flat=True)
    )
    assert events == [
        "case.opened",
        "report.created",
        "case.joined",
        "report.created",
        "case.assigned",
        "decision.remove",
        "statement.issued",
        "strike.added",
        "reporters.notified",
        "appeal.filed",
        "decision.restore",
        "strike.revoked",
        "appeal.reversed",
        "reporters.notified",
    ]

    # The statement exports in the EU schema and validates.
    out = io.StringIO()
    call_command("moderation", "export-sor", "--since", "2020-01-01", stdout=out, stderr=io.StringIO())
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 1
    record = records[0]
    assert validate_record(record) == []
    assert record["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert record["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert record["category"] == "STATEMENT_CATEGORY_VIOLENCE"
    assert record["automated_detection"] == "No"
    assert record["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert "alice" not in json.dumps(record) and "bob" not in json.dumps(record)


def test_audit_log_cannot_be_changed_or_deleted(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="hello")
    services.create_report(reporter=bob, post=post, category=Category.OTHER_VIOLATION_TC, explanation="spam")
    event = AuditEvent.objects.first()
    assert event is not None
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(reason="x")


def test_only_moderators_decide(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="hello")
    report = services.create_report(
        reporter=bob, post=post, category=Category.OTHER_VIOLATION_TC, explanation="x"
    )
    from agora.core.exceptions import NotAllowed

    with pytest.raises(NotAllowed):
        services.decide_case(
            case=report.case, action="remove", rule=Rule.objects.get(number=6), explanation="x", moderator=bob
        )
    with pytest.raises(NotAllowed):
        selectors.review_queue(bob)
