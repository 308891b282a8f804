"""The seam: posts are screened before commit; holds are hidden and open a case; reviews publish with one."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import FollowFactory
from agora.moderation import dsa
from agora.moderation.models import AuditEvent, Case, ScreeningResult
from agora.moderation.selectors import review_queue
from agora.notifications.models import Notification
from agora.posts import services as post_services
from agora.posts.models import ModerationState
from agora.posts.selectors import can_view_post, visible_posts_for
from agora.screening import model as stage1
from agora.screening.models import PostScreening
from agora.screening.services import PATTERNS_ONLY, screen

THREAT_EN = "@bob Readers should bring guns and hang Senator Miller and Judge Ross on January 6th."
THREAT_DE = "Bringt eure Waffen mit und hängt die Politiker am 6. Januar vor dem Reichstag auf!"


@pytest.mark.parametrize("text", [THREAT_EN, THREAT_DE])
def test_a_held_post_is_hidden_from_others_notifies_no_one_and_opens_a_case(
    text: str, alice: User, bob: User, carol: User, moderator: User, run_on_commit: Any
) -> None:
    FollowFactory(follower=carol, followee=alice)
    post = post_services.create_post(author=alice, text=text)
    assert post.moderation_state == ModerationState.HELD
    assert can_view_post(alice, post) and can_view_post(moderator, post)
    assert not can_view_post(bob, post) and not can_view_post(carol, post) and not can_view_post(None, post)
    assert not visible_posts_for(carol).filter(pk=post.pk).exists()
    assert not Notification.objects.filter(post_id=post.pk).exists()  # the mention of @bob did not notify

    screening = PostScreening.objects.get(post=post)
    assert screening.decision == "hold" and screening.stage == 1 and screening.model == PATTERNS_ONLY
    assert screening.matched_patterns and "explicit_threat" in screening.matched_patterns[0]
    case = Case.objects.get(post=post)
    assert case.source == Case.Source.SCREENING and case.category == dsa.Category.VIOLENCE
    assert case.severity == max(dsa.SEVERITY.values())
    decided = AuditEvent.objects.get(case=case, event="screening.decided")
    assert decided.actor_kind == "screening" and "explicit_threat" in decided.reason
    result = ScreeningResult.objects.get(case=case)
    assert (
        result.automated and result.model_name == "agora-threat-patterns" and result.scores["threat_pattern"]
    )
    # An ordinary report on another post does not push the threat down the queue.
    other = post_services.create_post(author=bob, text="Lovely weather today")
    Case.objects.create(
        subject_type=Case.SubjectType.POST,
        post=other,
        account=bob,
        source=Case.Source.REPORT,
        category=dsa.Category.SCAMS_AND_FRAUD,
        severity=3,
        reach=0,
        priority=300,
        deadline=case.deadline,
        snapshot={},
    )
    assert review_queue(moderator).first() == case


def test_the_author_sees_pending_review_and_a_logged_out_visitor_sees_nothing(alice: User) -> None:
    post = post_services.create_post(author=alice, text=THREAT_EN)
    url = reverse("web:thread", kwargs={"username": alice.username, "post_id": post.pk})
    assert Client().get(url).status_code == 404
    author = Client()
    author.force_login(alice)
    page = author.get(url)
    assert page.status_code == 200 and "held for review" in page.content.decode()


def test_composing_a_threat_tells_the_author_it_is_pending_review(alice: User) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("web:compose"), {"text": THREAT_DE, "visibility": "public"}, follow=True)
    assert "pending review" in response.content.decode()
    assert "Your post is published." not in response.content.decode()


def test_news_of_violence_is_published_at_once_without_a_case(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="The riot left five dead, officials said.")
    assert post.moderation_state == ModerationState.PUBLISHED and can_view_post(bob, post)
    assert PostScreening.objects.get(post=post).decision == "allow"
    assert not Case.objects.filter(post=post).exists()


def test_a_review_publishes_and_queues_a_case(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="Traitors should all be hanged.")
    assert post.moderation_state == ModerationState.PUBLISHED and can_view_post(bob, post)
    case = Case.objects.get(post=post)
    assert case.source == Case.Source.SCREENING
    assert not ScreeningResult.objects.get(case=case).automated  # nothing was done without a person


def test_an_edit_is_screened_again_and_a_threat_takes_the_post_back(alice: User, bob: User) -> None:
    post = post_services.create_post(author=alice, text="See you all on January 6th")
    assert post.is_published
    edited = post_services.edit_post(editor=alice, post=post, text="See you all on January 6th. " + THREAT_EN)
    assert edited.moderation_state == ModerationState.HELD and not can_view_post(bob, edited)
    assert [s.decision for s in PostScreening.objects.filter(post=post).order_by("created_at", "id")] == [
        "allow",
        "hold",
    ]
    assert Case.objects.filter(post=post, source=Case.Source.SCREENING).count() == 1


def test_the_content_warning_is_screened_too(alice: User) -> None:
    post = post_services.create_post(author=alice, text="details below", spoiler_text=THREAT_DE)
    assert post.moderation_state == ModerationState.HELD


def test_screening_can_be_turned_off(alice: User, settings: Any) -> None:
    settings.AGORA_SCREENING_ENABLED = False
    post = post_services.create_post(author=alice, text=THREAT_EN)
    assert post.is_published and not PostScreening.objects.filter(post=post).exists()


def _tiny_model(directory: Path) -> None:
    """A real (tiny) TF-IDF model with known thresholds, written where `load()` looks."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    texts = [
        "we will burn them all",
        "burn every one of them",
        "nice weather today",
        "lovely cake recipe",
    ] * 5
    labels = [1, 1, 0, 0] * 5
    pipeline = Pipeline([("features", TfidfVectorizer()), ("classifier", LogisticRegression(C=10))])
    pipeline.fit(texts, labels)
    languages = {"en": stage1.LanguageModel(pipeline=pipeline, thresholds={"review": 0.5, "hold": 0.9})}
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / stage1.MODEL_FILE).open("wb") as fh:
        pickle.dump(stage1.Stage1Model(version="test", languages=languages), fh)


def test_a_trained_model_scores_and_settings_thresholds_override_it(
    tmp_path: Path, settings: Any, alice: User
) -> None:
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path / "model"
    _tiny_model(tmp_path / "model")
    burn, cake = screen(["we will burn them all", "lovely cake recipe today"])
    assert burn.model_loaded and burn.model.startswith(f"{stage1.MODEL_NAME}@test+patterns@")
    assert burn.scores["violence"] > cake.scores["violence"]
    assert burn.decision in ("review", "hold") and cake.decision == "allow"
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"review": 0.01, "hold": 0.02}}
    assert screen(["lovely cake recipe today"])[0].decision == "hold"
    post = post_services.create_post(author=alice, text="lovely cake recipe today")
    row = PostScreening.objects.get(post=post)
    assert row.model.startswith(stage1.MODEL_NAME) and "violence" in row.scores
    assert ScreeningResult.objects.get(case__post=post).model_version.startswith("test")


def test_without_a_model_file_screening_says_it_runs_on_patterns_alone(settings: Any, tmp_path: Path) -> None:
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path / "missing"
    (result,) = screen(["hello"])
    assert result.model == PATTERNS_ONLY and "violence" not in result.scores


def test_the_model_alone_never_holds_news_games_or_idioms(tmp_path: Path, settings: Any, db: None) -> None:
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path / "model"
    _tiny_model(tmp_path / "model")
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"review": 0.3, "hold": 0.6}}
    plain, reported = screen(["we will burn them all", "we will burn them all, the suspect said"])
    assert plain.decision == "hold"
    assert reported.decision == "review"  # queued for a person, but published
