"""Surge mode on and off; screening of profiles (display name, bio) and media descriptions."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agora.accounts import services as account_services
from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.core.ratelimit import RateLimited
from agora.media import services as media_services
from agora.media.models import MediaAttachment
from agora.moderation.models import AuditEvent, Case
from agora.notifications.models import Notification
from agora.posts import services as post_services
from agora.posts.models import ModerationState
from agora.posts.selectors import can_view_post
from agora.screening.models import PostScreening, ProfileScreening, SurgePeriod
from agora.screening.services import surge_status
from agora.screening.tests.test_posts import THREAT_DE, THREAT_EN

REVIEW_TEXT = "Traitors should all be hanged."  # a review-tier pattern


@pytest.fixture
def surge_settings(settings: Any) -> Any:
    settings.AGORA_SCREENING_SURGE = {
        "window_minutes": 10,
        "enter": 3,
        "exit": 2,
        "new_account_days": 7,
        "min_followers": 5,
    }
    return settings


def _established(username: str) -> User:
    return UserFactory(
        username=username, date_joined=timezone.now() - datetime.timedelta(days=400), followers_count=50
    )


def test_surge_starts_tightens_for_new_accounts_alerts_moderators_and_ends_by_itself(
    surge_settings: Any, moderator: User, bob: User
) -> None:
    veteran = _established("veteran")
    newcomer = UserFactory(username="newcomer")  # joined just now
    assert surge_status()["active"] is False
    # Before the surge, a review-tier post is published and queued, whoever writes it.
    assert post_services.create_post(author=newcomer, text=REVIEW_TEXT).is_published
    for text in (THREAT_EN, THREAT_DE, THREAT_EN + " Now."):
        post_services.create_post(author=bob, text=text)
    status = surge_status()
    assert status["active"] and status["high_risk_in_window"] == 3
    started = AuditEvent.objects.get(event="screening.surge_started")
    assert started.actor_kind == "screening" and started.after["high_risk_in_window"] == 3
    assert Notification.objects.filter(recipient=moderator, kind=Notification.Kind.MODERATION).exists()
    assert not Notification.objects.filter(recipient=bob, kind=Notification.Kind.MODERATION).exists()

    # During the surge the same text from a new account is held; an established account's is not.
    held = post_services.create_post(author=newcomer, text=REVIEW_TEXT + " Really.")
    assert held.moderation_state == ModerationState.HELD
    assert post_services.create_post(author=veteran, text=REVIEW_TEXT + " Really!").is_published

    # The window slides on: older holds no longer count and surge mode ends at the next check.
    PostScreening.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    assert surge_status()["active"] is False
    ended = AuditEvent.objects.get(event="screening.surge_ended")
    assert ended.before["peak"] >= 3
    period = SurgePeriod.objects.get()
    assert period.ended_at is not None and period.is_open is None
    assert post_services.create_post(author=newcomer, text=REVIEW_TEXT + " Again.").is_published


def test_surge_slows_new_accounts_down(surge_settings: Any, rate_limits: Any, bob: User) -> None:
    SurgePeriod.objects.create(started_at=timezone.now(), trigger_count=3, peak_count=3)
    for text in (THREAT_EN, THREAT_DE, THREAT_EN + " Now."):
        post_services.create_post(author=_established(f"v{len(text)}"), text=text)
    newcomer = UserFactory(username="newcomer")
    for n in range(3):
        post_services.create_post(author=newcomer, text=f"hello number {n}")
    with pytest.raises(RateLimited):
        post_services.create_post(author=newcomer, text="hello number 4")
    client = Client()
    client.force_login(newcomer)
    response = client.post(reverse("web:compose"), {"text": "hello again", "visibility": "public"})
    assert response.status_code == 429
    # An established account is not slowed down.
    veteran = _established("steady")
    for n in range(5):
        post_services.create_post(author=veteran, text=f"steady post {n}")


def test_a_threatening_bio_is_refused_with_a_form_error_and_nothing_is_saved(alice: User) -> None:
    with pytest.raises(ValidationError) as error:
        account_services.update_profile(user=alice, bio=THREAT_EN, display_name="Alice")
    assert "bio" in error.value.message_dict
    alice.refresh_from_db()
    assert alice.bio == "" and alice.display_name != "Alice"  # neither field was saved
    client = Client()
    client.force_login(alice)
    page = client.post(reverse("web:settings_profile"), {"display_name": "Alice", "bio": THREAT_DE})
    assert page.status_code == 200 and "not saved" in page.content.decode()
    alice.refresh_from_db()
    assert alice.bio == ""


def test_a_display_name_to_review_is_saved_and_queued_as_an_account_case(alice: User) -> None:
    account_services.update_profile(user=alice, display_name=REVIEW_TEXT[:50])
    alice.refresh_from_db()
    assert alice.display_name == REVIEW_TEXT[:50]
    row = ProfileScreening.objects.get(user=alice)
    assert (row.field, row.decision) == ("display_name", "review")
    case = Case.objects.get(account=alice, subject_type=Case.SubjectType.ACCOUNT)
    assert case.source == Case.Source.SCREENING
    # An ordinary bio passes without a case.
    account_services.update_profile(user=alice, bio="I like hiking and cake.")
    assert ProfileScreening.objects.filter(user=alice, field="bio", decision="allow").exists()
    assert Case.objects.filter(account=alice).count() == 1


def _upload(owner: User, alt_text: str) -> MediaAttachment:
    return MediaAttachment.objects.create(
        owner=owner, kind=MediaAttachment.Kind.IMAGE, alt_text=alt_text, state=MediaAttachment.State.READY
    )


def test_media_descriptions_are_screened_with_their_post_and_again_when_edited(
    alice: User, bob: User
) -> None:
    held = post_services.create_post(
        author=alice, text="look at this", media_ids=[_upload(alice, THREAT_EN).pk]
    )
    assert held.moderation_state == ModerationState.HELD
    fine = post_services.create_post(
        author=alice, text="my holiday", media_ids=[_upload(alice, "A beach").pk]
    )
    assert fine.is_published and can_view_post(bob, fine)
    media = fine.media_attachments.get()
    media_services.describe_media(actor=alice, media=media, alt_text=THREAT_DE)
    fine.refresh_from_db()
    assert fine.moderation_state == ModerationState.HELD and not can_view_post(bob, fine)
    assert list(
        PostScreening.objects.filter(post=fine)
        .order_by("created_at", "id")
        .values_list("decision", flat=True)
    ) == [
        "allow",
        "hold",
    ]
