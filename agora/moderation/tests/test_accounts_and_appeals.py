"""Account actions, strikes, law-enforcement notices, reporter appeals and muted words."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.core.exceptions import NotFound
from agora.moderation import dsa, selectors, services
from agora.moderation.models import (
    Appeal,
    AuditEvent,
    Case,
    Decision,
    ModerationNotice,
    Rule,
)
from agora.notifications.models import Notification
from agora.posts import services as post_services
from agora.posts.models import ModerationState
from agora.posts.selectors import can_view_post
from agora.timelines import selectors as timelines

pytestmark = pytest.mark.django_db


def _case_on(author: User, reporter: User, *, account: bool = False) -> Case:
    if account:
        return services.create_report(
            reporter=reporter,
            account=author,
            category=dsa.Category.SCAMS_AND_FRAUD,
            explanation="Fake account.",
        ).case
    post = post_services.create_post(author=author, text="a post")
    return services.create_report(
        reporter=reporter, post=post, category=dsa.Category.OTHER_VIOLATION_TC, explanation="Look."
    ).case


def test_freeze_stops_posting_until_it_expires(alice: User, bob: User, moderator: User) -> None:
    case = _case_on(alice, bob, account=True)
    services.decide_case(
        case=case,
        action="freeze",
        rule=Rule.objects.get(number=6),
        explanation="Spam wave.",
        moderator=moderator,
        duration=datetime.timedelta(days=2),
    )
    with pytest.raises(ValidationError, match="may not post"):
        post_services.create_post(author=alice, text="still here")
    assert services.lift_expired_restrictions(now=timezone.now() + datetime.timedelta(days=3)) == 1
    post_services.create_post(author=alice, text="back again")


def test_suspension_hides_the_account_and_lifting_it_brings_it_back(
    alice: User, bob: User, moderator: User, run_on_commit: Callable
) -> None:
    post = post_services.create_post(author=alice, text="hello world")
    case = _case_on(alice, bob, account=True)
    with run_on_commit():
        services.decide_case(
            case=case,
            action="suspend",
            rule=Rule.objects.get(number=2),
            explanation="Propaganda.",
            moderator=moderator,
            duration=datetime.timedelta(days=30),
        )
    alice.refresh_from_db()
    assert not alice.is_active
    assert not can_view_post(bob, post)
    # A suspended person cannot log in: the statement goes by e-mail too.
    assert any("statement of reasons" in message.body.lower() for message in mail.outbox)
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            timezone, "now", lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)
        )
        call_command("moderation", "lift-expired", stdout=out)
    assert "Lifted 1" in out.getvalue()
    alice.refresh_from_db()
    assert alice.is_active and can_view_post(bob, post)


def test_termination_is_indefinite(alice: User, bob: User, moderator: User) -> None:
    case = _case_on(alice, bob, account=True)
    decision = services.decide_case(
        case=case,
        action="terminate",
        rule=Rule.objects.get(number=3),
        explanation="CSAM.",
        moderator=moderator,
    )
    assert decision.statement.record["decision_account"] == "DECISION_ACCOUNT_TERMINATED"
    assert services.lift_expired_restrictions(now=timezone.now() + datetime.timedelta(days=3650)) == 0
    alice.refresh_from_db()
    assert not alice.is_active


def test_post_actions_require_a_post_and_every_action_a_rule_and_explanation(
    alice: User, bob: User, moderator: User
) -> None:
    account_case = _case_on(alice, bob, account=True)
    with pytest.raises(ValidationError, match="needs a post"):
        services.decide_case(
            case=account_case,
            action="remove",
            rule=Rule.objects.get(number=6),
            explanation="x",
            moderator=moderator,
        )
    post_case = _case_on(alice, bob)
    with pytest.raises(ValidationError, match="rule"):
        services.decide_case(case=post_case, action="remove", explanation="x", moderator=moderator)
    with pytest.raises(ValidationError, match="Explain"):
        services.decide_case(
            case=post_case,
            action="remove",
            rule=Rule.objects.get(number=6),
            explanation=" ",
            moderator=moderator,
        )


def test_label_and_limit_change_the_post_and_limit_leaves_public_timelines(
    alice: User, bob: User, moderator: User
) -> None:
    case = _case_on(alice, bob)
    services.decide_case(
        case=case,
        action="label",
        rule=Rule.objects.get(number=8),
        explanation="Nudity.",
        moderator=moderator,
        content_warning="Nudity",
    )
    post = case.post
    assert post is not None
    post.refresh_from_db()
    assert post.sensitive and post.spoiler_text == "Nudity"
    case2 = services.create_report(
        reporter=bob, post=post, category=dsa.Category.SCAMS_AND_FRAUD, explanation="Also spam."
    ).case
    assert case2.pk != case.pk  # the first case is decided; a new report opens a new one
    services.decide_case(
        case=case2, action="limit", rule=Rule.objects.get(number=6), explanation="Spam.", moderator=moderator
    )
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.LIMITED
    assert post not in timelines.public_timeline(bob).items
    assert can_view_post(bob, post)


def test_strikes_add_up_to_a_suspension_suggestion_and_expire(
    alice: User, bob: User, moderator: User
) -> None:
    rule = Rule.objects.get(number=1)  # severity 3 = the default threshold
    services.decide_case(
        case=_case_on(alice, bob), action="remove", rule=rule, explanation="Threat.", moderator=moderator
    )
    history = selectors.account_history(moderator, alice)
    assert history is not None and history.strike_total == 3 and history.suggest_suspension
    later = timezone.now() + datetime.timedelta(days=rule.strike_expiry_days + 1)
    assert not selectors.active_strikes(alice, now=later).exists()


def test_threat_to_life_records_the_notification_to_authorities(
    alice: User, bob: User, moderator: User
) -> None:
    case = _case_on(alice, bob)
    with pytest.raises(ValidationError):
        services.record_law_enforcement_notice(moderator=moderator, case=case, authority=" ")
    notice = services.record_law_enforcement_notice(
        moderator=moderator, case=case, authority="LKA Berlin", reference="2026/4711"
    )
    case.refresh_from_db()
    assert case.threat_to_life and notice.recorded_by == moderator
    event = AuditEvent.objects.get(event="law_enforcement.notified")
    assert event.after["authority"] == "LKA Berlin" and event.actor_name == moderator.username


def test_reporter_can_appeal_a_dismissal_and_a_second_moderator_acts(
    alice: User, bob: User, moderator: User
) -> None:
    second = UserFactory(username="mod2", role=User.Role.MODERATOR)
    case = _case_on(alice, bob)
    dismissal = services.decide_case(
        case=case, action="dismiss", explanation="Not a rule break.", moderator=moderator
    )
    notice = ModerationNotice.objects.get(recipient=bob, kind=ModerationNotice.Kind.REPORT_OUTCOME)
    assert notice.decision == dismissal
    # The author cannot appeal a decision that did nothing to them; strangers cannot see it at all.
    with pytest.raises(ValidationError):
        services.file_appeal(appellant=alice, decision=dismissal, text="?")
    with pytest.raises(NotFound):
        services.file_appeal(appellant=UserFactory(), decision=dismissal, text="?")
    appeal = services.file_appeal(appellant=bob, decision=dismissal, text="It is a scam link.")
    assert appeal.is_reporter and appeal.assigned_to == second
    with pytest.raises(ValidationError, match="already appealed"):
        services.file_appeal(appellant=bob, decision=dismissal, text="again")
    with pytest.raises(ValidationError, match="action"):
        services.decide_appeal(moderator=second, appeal=appeal, reverse=True, reasons="Indeed.")
    services.decide_appeal(
        moderator=second,
        appeal=appeal,
        reverse=True,
        reasons="The link is phishing.",
        action="remove",
        rule=Rule.objects.get(number=6),
    )
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.REVERSED
    assert appeal.resulting_decision is not None and appeal.resulting_decision.action == "remove"
    assert case.post is not None
    case.post.refresh_from_db()
    assert case.post.moderation_state == ModerationState.REMOVED
    assert ModerationNotice.objects.filter(recipient=alice, kind=ModerationNotice.Kind.DECISION).exists()
    assert ModerationNotice.objects.filter(recipient=bob, kind=ModerationNotice.Kind.APPEAL_OUTCOME).exists()


def test_appeals_close_after_six_months_and_upheld_appeals_change_nothing(
    alice: User, bob: User, moderator: User
) -> None:
    second = UserFactory(role=User.Role.ADMIN)
    case = _case_on(alice, bob)
    decision = services.decide_case(
        case=case, action="hold", rule=Rule.objects.get(number=4), explanation="Hate.", moderator=moderator
    )
    Decision.objects.filter(pk=decision.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    decision.refresh_from_db()
    with pytest.raises(ValidationError, match="six months"):
        services.file_appeal(appellant=alice, decision=decision, text="Please.")
    Decision.objects.filter(pk=decision.pk).update(created_at=timezone.now())
    decision.refresh_from_db()
    appeal = services.file_appeal(appellant=alice, decision=decision, text="Please.")
    services.decide_appeal(moderator=second, appeal=appeal, reverse=False, reasons="It is hateful.")
    assert case.post is not None
    case.post.refresh_from_db()
    assert case.post.moderation_state == ModerationState.HELD
    case.refresh_from_db()
    assert case.state == Case.State.DECIDED


def test_notices_reach_the_notifications_badge_without_naming_a_moderator(
    alice: User, bob: User, moderator: User
) -> None:
    _case_on(alice, bob)
    notification = Notification.objects.get(recipient=bob, kind=Notification.Kind.MODERATION)
    assert notification.actor == bob


def test_muted_words_hide_posts_from_own_timelines_but_not_links(alice: User, bob: User) -> None:
    from agora.accounts import services as account_services

    account_services.follow(follower=bob, target=alice)
    spoiler = post_services.create_post(author=alice, text="The finale: the BUTLER did it #show")
    other = post_services.create_post(author=alice, text="Nice weather #show")
    own = post_services.create_post(author=bob, text="I love butler stories")
    services.add_muted_word(user=bob, word="  Butler ")
    with pytest.raises(ValidationError):
        services.add_muted_word(user=bob, word="   ")
    home = timelines.home_timeline(bob).items
    assert spoiler not in home and other in home and own in home
    assert spoiler not in timelines.public_timeline(bob).items
    assert spoiler not in timelines.hashtag_timeline(bob, "show").items
    assert spoiler in timelines.public_timeline(alice).items
    assert can_view_post(bob, spoiler)
    word = bob.muted_words.get()
    services.remove_muted_word(user=bob, word_id=word.pk)
    assert spoiler in timelines.home_timeline(bob).items


def test_logged_out_notice_needs_good_faith_and_gets_an_e_mail_receipt(
    alice: User, run_on_commit: Callable
) -> None:
    post = post_services.create_post(author=alice, text="illegal stuff")
    with pytest.raises(ValidationError):
        services.create_report(
            reporter=None, post=post, category=dsa.Category.VIOLENCE, explanation="x", is_illegal_notice=True
        )
    with run_on_commit():
        report = services.create_report(
            reporter=None,
            post=post,
            category=dsa.Category.VIOLENCE,
            explanation="A threat.",
            is_illegal_notice=True,
            bona_fide=True,
            reporter_email="notifier@example.org",
        )
    assert report.case.deadline - report.case.opened_at == datetime.timedelta(hours=1)
    assert mail.outbox and mail.outbox[0].to == ["notifier@example.org"]


def test_removed_and_limited_posts_leave_search_at_once(alice: User, bob: User, moderator: User) -> None:
    from agora.search.selectors import searchable_posts

    removed = post_services.create_post(author=alice, text="zebracrossing threat")
    limited = post_services.create_post(author=alice, text="zebracrossing spam")
    assert set(searchable_posts(bob, "zebracrossing")) == {removed, limited}
    for post, action, number in ((removed, "remove", 1), (limited, "limit", 6)):
        case = services.create_report(
            reporter=bob, post=post, category=dsa.Category.OTHER_VIOLATION_TC, explanation="x"
        ).case
        services.decide_case(
            case=case,
            action=action,
            rule=Rule.objects.get(number=number),
            explanation="x",
            moderator=moderator,
        )
    assert not searchable_posts(bob, "zebracrossing").exists()
    assert set(searchable_posts(alice, "zebracrossing")) == {removed, limited}


def test_the_jury_decides_through_the_same_service(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="jury material")
    case = services.open_or_join_case(
        source=Case.Source.SCREENING,
        category=dsa.Category.ILLEGAL_OR_HARMFUL_SPEECH,
        post=post,
        screening=services.ScreeningInput(model_name="lexicon", model_version="2", scores={"hate": 0.7}),
    )
    decision = services.decide_case(
        case=case,
        action="remove",
        rule=Rule.objects.get(number=4),
        explanation="Five of five jurors found hate speech.",
        decided_by=Decision.DecidedBy.JURY,
    )
    assert decision.moderator is None and decision.decided_by == "jury"
    record = decision.statement.record
    # Flagged by a classifier that did not act on its own; people decided.
    assert record["automated_detection"] == "Yes"
    assert record["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert record["source_type"] == "SOURCE_VOLUNTARY"
    assert "community jury" in record["decision_facts"]
    assert AuditEvent.objects.filter(case=case, event="decision.remove", actor_kind="jury").exists()


@pytest.mark.parametrize("action", ["dismiss", "restore"])
def test_a_post_held_by_screening_is_released_by_dismissal_or_restore(
    alice: User, bob: User, moderator: User, action: str
) -> None:
    post = post_services.create_post(author=alice, text="ambiguous")
    post.moderation_state = ModerationState.HELD  # as screening holds it, before any decision of ours
    post.save(update_fields=["moderation_state"])
    case = services.open_or_join_case(
        source=Case.Source.SCREENING,
        category=dsa.Category.VIOLENCE,
        post=post,
        screening=services.ScreeningInput(model_name="lexicon", model_version="2", automated=True),
    )
    assert not can_view_post(bob, post)
    services.decide_case(case=case, action=action, explanation="Harmless.", moderator=moderator)
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.PUBLISHED and can_view_post(bob, post)


def test_restore_needs_something_to_restore(alice: User, bob: User, moderator: User) -> None:
    case = _case_on(alice, bob)
    with pytest.raises(ValidationError, match="nothing to restore"):
        services.decide_case(case=case, action="restore", explanation="?", moderator=moderator)
