"""The count: asymmetric outcomes, the same decision record as staff, and the scope locks."""

from __future__ import annotations

import random

import pytest

from agora.accounts.models import User
from agora.jury import services
from agora.jury.models import JurorProfile, Jury, Verdict, ViewpointFit
from agora.jury.tests.factories import add_gold, grey_rule, jurors, reported_case
from agora.moderation import dsa
from agora.moderation import services as moderation
from agora.moderation.models import AuditEvent, Case, Decision, StatementOfReasons
from agora.moderation.sor import validate_record
from agora.moderation.tests.factories import RuleFactory
from agora.posts import services as post_services
from agora.posts.models import ModerationState

pytestmark = pytest.mark.django_db


def _learned_axis(people: list[User], factors: list[float]) -> None:
    """A fitted viewpoint model with two poles (what `refit_viewpoint` leaves after enough votes)."""
    for person, factor in zip(people, factors, strict=False):
        JurorProfile.objects.filter(user=person).update(viewpoint=factor, intercept=0.0)
    ViewpointFit.objects.create(mu=0.5, raters=len(people), items=50, ratings=500, pool_variance=0.25)


def _vote_all(jury: Jury, verdicts: list[str], reason: str = "") -> None:
    for seat, verdict in zip(jury.seats.order_by("juror__username"), verdicts, strict=True):
        services.cast_vote(
            juror=seat.juror,
            item=seat,
            verdict=verdict,
            rule=jury.rule if verdict == Verdict.VIOLATES else None,
            reason=reason,
        )


def _panel(rule_factory=grey_rule, factors=(0.5, -0.5, 0.5, -0.5, 0.5, -0.5, 0.4)):  # type: ignore[no-untyped-def]
    rule = rule_factory()
    add_gold(rule)
    people = jurors(rule, 7)
    _learned_axis(people, list(factors))
    return rule, people


def test_clear_removal_goes_through_the_decision_service_with_a_statement_saying_a_user_panel_decided() -> (
    None
):
    rule, _people = _panel()
    case = reported_case(rule)
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None and jury.mode == Jury.Mode.DECIDE
    _vote_all(jury, [Verdict.VIOLATES] * 7, reason="Insults people.")

    jury.refresh_from_db()
    case.refresh_from_db()
    assert jury.state == Jury.State.DECIDED and jury.outcome == Jury.Outcome.REMOVE
    decision = Decision.objects.get(case=case)
    assert jury.decision == decision
    assert decision.decided_by == Decision.DecidedBy.JURY and decision.moderator is None
    assert decision.action == Decision.Action.REMOVE and decision.rule == rule
    assert "user panel" in decision.explanation and "Insults people." in decision.explanation
    assert case.state == Case.State.DECIDED
    assert case.post is not None and case.post.moderation_state == ModerationState.REMOVED
    record = StatementOfReasons.objects.get(decision=decision).record
    assert record["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert "community jury" in record["decision_facts"]
    assert validate_record(record) == []
    assert AuditEvent.objects.filter(case=case, event="decision.remove", actor_kind="jury").exists()


def test_keep_with_support_across_viewpoints_dismisses_the_report() -> None:
    rule, _people = _panel()
    case = reported_case(rule)
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None
    _vote_all(jury, [Verdict.DOES_NOT_VIOLATE] * 7)

    jury.refresh_from_db()
    assert jury.outcome == Jury.Outcome.KEEP and jury.keep_intercept is not None
    assert jury.keep_intercept >= 0.40 and abs(jury.keep_factor or 0) < 0.5
    assert Decision.objects.get(case=case).action == Decision.Action.DISMISS


def test_keep_by_one_pole_only_goes_to_staff_with_the_jurys_reasons() -> None:
    rule, people = _panel(factors=(0.9, 0.9, 0.9, 0.9, -0.9, -0.9, -0.9))
    case = reported_case(rule)
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None
    poles = {p.pk: JurorProfile.objects.get(user=p).viewpoint for p in people}
    for seat in jury.seats.all():
        # The positive pole says keep, the negative pole says remove: 4 to 3, split along the axis.
        positive = (poles[seat.juror_id] or 0) > 0
        services.cast_vote(
            juror=seat.juror,
            item=seat,
            verdict=Verdict.DOES_NOT_VIOLATE if positive else Verdict.VIOLATES,
            rule=None if positive else rule,
            reason="Fine by me." if positive else "Harassment.",
        )
    jury.refresh_from_db()
    case.refresh_from_db()
    assert jury.state == Jury.State.ESCALATED and case.is_live
    assert not Decision.objects.filter(case=case).exists()
    event = AuditEvent.objects.get(case=case, event="jury.escalated")
    assert "Harassment." in event.reason and "Fine by me." in event.reason


def test_close_split_goes_to_staff() -> None:
    rule, _people = _panel()
    case = reported_case(rule)
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None
    _vote_all(jury, [Verdict.VIOLATES] * 4 + [Verdict.DOES_NOT_VIOLATE] * 3)
    jury.refresh_from_db()
    assert jury.outcome == Jury.Outcome.ESCALATE and "Close split" in " ".join(jury.reasons)
    assert Case.objects.get(pk=case.pk).is_live


def test_without_a_learned_viewpoint_axis_the_jury_only_advises() -> None:
    rule = grey_rule()
    add_gold(rule)
    jurors(rule, 7)
    case = reported_case(rule)
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None
    _vote_all(jury, [Verdict.VIOLATES] * 7)
    jury.refresh_from_db()
    assert jury.outcome == Jury.Outcome.ESCALATE and not Decision.objects.filter(case=case).exists()


def test_a_high_risk_case_is_never_released_by_a_jury() -> None:
    rule, _people = _panel()
    author = User.objects.create(username="ranter", email="r@x.org")
    post = post_services.create_post(author=author, text="They had it coming, all of them.")
    # Screening flags the post for review through the seam it uses (a score above the review threshold).
    case = moderation.open_or_join_case(
        source=Case.Source.SCREENING,
        category=rule.category,
        post=post,
        screening=moderation.ScreeningInput(
            model_name="stage1", model_version="1", scores={"violence": 0.93}
        ),
    )
    reporter = User.objects.create(username="witness", email="w@x.org")
    moderation.create_report(
        reporter=reporter, post=post, category=rule.category, explanation="x", rules=[rule]
    )
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None and jury.mode == Jury.Mode.ESCALATE_ONLY
    _vote_all(jury, [Verdict.DOES_NOT_VIOLATE] * 7)

    jury.refresh_from_db()
    case.refresh_from_db()
    post.refresh_from_db()
    assert jury.state == Jury.State.ESCALATED and jury.outcome == Jury.Outcome.ESCALATE
    assert case.is_live and not Decision.objects.filter(case=case).exists()
    assert post.moderation_state == ModerationState.PUBLISHED  # not released, not touched: staff decides


def test_violence_reports_get_a_jury_that_may_hold_for_staff_but_never_decides() -> None:
    violence = RuleFactory(
        category=dsa.Category.VIOLENCE, ground=dsa.Ground.ILLEGAL, legal_ground="§ 241 StGB"
    )
    rule, _people = _panel(rule_factory=lambda: violence)
    case = reported_case(rule, text="Someone should teach them a lesson.")
    jury = services.draw_jury(case=case, rng=random.Random(1))
    assert jury is not None and jury.mode == Jury.Mode.ESCALATE_ONLY
    _vote_all(jury, [Verdict.VIOLATES] * 7)

    jury.refresh_from_db()
    case.refresh_from_db()
    assert jury.state == Jury.State.ESCALATED and case.is_live  # staff still decides
    assert jury.decision is not None and jury.decision.action == Decision.Action.HOLD
    assert case.post is not None and case.post.moderation_state == ModerationState.HELD


def test_staff_only_lane_draws_no_jury(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AGORA_JURY = {**settings.AGORA_JURY, "HARD_LANE": "staff"}
    violence = RuleFactory(
        category=dsa.Category.VIOLENCE, ground=dsa.Ground.ILLEGAL, legal_ground="§ 241 StGB"
    )
    rule, _people = _panel(rule_factory=lambda: violence)
    case = reported_case(rule)
    assert services.draw_jury(case=case) is None
    assert AuditEvent.objects.filter(case=case, event="jury.out_of_scope").exists()


def test_votes_are_validated() -> None:
    from django.core.exceptions import ValidationError

    rule, _people = _panel()
    jury = services.draw_jury(case=reported_case(rule), rng=random.Random(1))
    assert jury is not None
    seat = jury.seats.first()
    assert seat is not None
    with pytest.raises(ValidationError):
        services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.VIOLATES)  # no rule
    with pytest.raises(ValidationError):
        services.cast_vote(juror=seat.juror, item=seat, verdict="maybe")
    services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.UNSURE)
    with pytest.raises(ValidationError):
        services.cast_vote(juror=seat.juror, item=seat, verdict=Verdict.UNSURE)  # twice
    from agora.core.exceptions import NotFound

    other = jury.seats.exclude(pk=seat.pk).first()
    assert other is not None
    with pytest.raises(NotFound):
        services.cast_vote(juror=seat.juror, item=other, verdict=Verdict.UNSURE)  # someone else's seat
