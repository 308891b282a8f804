"""Tiers per category and language: where thresholds come from, evasions scored like plain text, and the
admins' threshold editor with its instant expected rates."""

# ruff: noqa: RUF001 - look-alike letters are the point of the evasion test
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agora.accounts.models import User
from agora.accounts.tests.factories import UserFactory
from agora.moderation.models import AuditEvent
from agora.posts import services as post_services
from agora.screening import model as stage1
from agora.screening import policy, selectors
from agora.screening.models import PostScreening, ThresholdPolicy
from agora.screening.services import screen
from agora.screening.tests.test_posts import _tiny_model


def test_tiers_from_scores_patterns_and_context() -> None:
    t = {"review": 0.5, "hold": 0.9, "surge_review": 0.3, "surge_hold": 0.6}
    assert policy.decide(pattern_score=0, model_score=0.2, thresholds=t, neutralised=False) == policy.ALLOW
    assert policy.decide(pattern_score=0, model_score=0.5, thresholds=t, neutralised=False) == policy.REVIEW
    assert policy.decide(pattern_score=0, model_score=0.95, thresholds=t, neutralised=False) == policy.HOLD
    # News/games/counter-speech: the model alone sends it to review, never holds it.
    assert policy.decide(pattern_score=0, model_score=0.95, thresholds=t, neutralised=True) == policy.REVIEW
    # An explicit-threat rule holds whatever the model says; without a model the rules decide alone.
    assert policy.decide(pattern_score=1.0, model_score=0.0, thresholds=t, neutralised=False) == policy.HOLD
    assert (
        policy.decide(pattern_score=0.7, model_score=None, thresholds=None, neutralised=False)
        == policy.REVIEW
    )
    # Surge thresholds for new and low-reputation accounts.
    assert (
        policy.decide(pattern_score=0, model_score=0.65, thresholds=t, neutralised=False, tightened=True) == 2
    )
    assert (
        policy.decide(pattern_score=0.7, model_score=None, thresholds=None, neutralised=False, tightened=True)
        == 2
    )


@pytest.fixture
def tiny(settings: Any, tmp_path: Path) -> Path:
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path / "model"
    _tiny_model(tmp_path / "model")
    return tmp_path / "model"


@pytest.mark.parametrize(
    ("evasion", "plain"),
    [
        ("we will burn th3m @ll", "we will burn them all"),
        ("we will b u r n them all", "we will burn them all"),
        ("we will bυrn thеm all", "we will burn them all"),  # Greek upsilon, Cyrillic e
        ("we will bu\u200brn the\u200dm all", "we will burn them all"),
        ("WE WILL BURN THEM ALL!!!", "we will burn them all!!"),
        ("h@ng th3m all", "hang them all"),
        ("k i l l them all", "kill them all"),
    ],
)
def test_evasions_are_screened_like_the_plain_text(tiny: Path, evasion: str, plain: str, db: None) -> None:
    evaded, clear = screen([evasion, plain])
    assert evaded.scores == clear.scores and evaded.decision == clear.decision
    assert evaded.matched_patterns == clear.matched_patterns


def test_thresholds_per_language_admin_edits_win_over_settings_and_calibration(
    tiny: Path, settings: Any, db: None
) -> None:
    text = "we will burn them all"
    calibrated = screen([text], language_hints=["en"])[0]
    assert calibrated.scores["violence"] > 0.9 and calibrated.decision == "hold"  # the model's own 0.5 / 0.9
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"review": 0.2, "hold": 0.99}}
    assert screen([text], language_hints=["en"])[0].decision == "review"
    ThresholdPolicy.objects.create(language="en", stage="stage1", review=0.99, hold=0.999)
    assert screen([text], language_hints=["en"])[0].decision == "allow"
    # Another language's policy does not apply.
    ThresholdPolicy.objects.filter(language="en").update(language="de")
    assert screen([text], language_hints=["en"])[0].decision == "review"


def _card(directory: Path) -> None:
    """A model card whose stored scores make the expected rates easy to check by hand."""
    card = {
        "model": "agora-tfidf-lr@1.card",
        "stage2_model": "agora-tfidf-e5-lr@2.card",
        "trained_at": "2026-11-26T00:00:00+00:00",
        "thresholds": {
            "stage1": {"en": {"review": 0.5, "hold": 0.9, "rescore": 0.3}},
            "combined": {"en": {"review": 0.6, "hold": 0.95}},
        },
        "distributions": {
            # [stage-1 score, combined score or -1, pattern tier, neutralised]
            "validation": {
                "en": [[0.1, -1, 0, 0]] * 6
                + [[0.4, 0.2, 0, 0], [0.55, 0.7, 0, 0], [0.95, 0.97, 0, 0], [0.2, -1, 2, 0]]
            },
            "evaluation": {
                "en_set": {
                    "name": "EN set",
                    "language": "en",
                    "rows": [
                        [0.95, 0.97, 0, 0, 1],
                        [0.5, 0.65, 0, 0, 1],
                        [0.1, -1, 0, 0, 1],
                        [0.6, 0.7, 0, 0, 0],
                    ]
                    + [[0.1, -1, 0, 0, 0]] * 3,
                }
            },
        },
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / stage1.CARD_FILE).write_text(json.dumps(card))


def test_expected_rates_and_recall_come_from_the_stored_scores(
    settings: Any, tmp_path: Path, db: None
) -> None:
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path
    _card(tmp_path)
    card = selectors.current_card()
    assert card is not None
    current = selectors.effective_thresholds(card)
    assert current == {
        "en": {"stage1": {"review": 0.5, "hold": 0.9}, "combined": {"review": 0.6, "hold": 0.95}}
    }
    (validation,) = selectors.preview(card, current)["validation"]
    # Review: the 0.55/0.7 row, the 0.95/0.97 row and the pattern hold; hold: the last two.
    assert (validation["review_rate"], validation["hold_rate"]) == (0.3, 0.2)
    stricter = {"en": {"stage1": {"review": 0.5, "hold": 0.9}, "combined": {"review": 0.1, "hold": 0.5}}}
    (validation,) = selectors.preview(card, stricter)["validation"]
    assert (validation["review_rate"], validation["hold_rate"]) == (0.4, 0.3)
    (evaluation,) = selectors.preview(card, current)["evaluation"]
    assert evaluation["review_recall"] == pytest.approx(2 / 3) and evaluation["hold_recall"] == pytest.approx(
        1 / 3
    )
    assert evaluation["review_fpr"] == pytest.approx(1 / 4) and evaluation["hold_fpr"] == 0


@pytest.fixture
def admin(db: None) -> User:
    return UserFactory(username="root", role=User.Role.ADMIN)


def test_the_threshold_editor_previews_saves_audits_and_applies(
    settings: Any, tmp_path: Path, admin: User, moderator: User
) -> None:
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path
    _card(tmp_path)
    _tiny_model(tmp_path)
    url = reverse("screening:thresholds")
    client = Client()
    client.force_login(moderator)
    assert client.get(url).status_code == 403
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "agora-tfidf-lr@1.card" in page and 'name="en-combined-hold"' in page and "30.0" in page
    values = {
        "en-stage1-review": "0.5",
        "en-stage1-hold": "0.9",
        "en-combined-review": "0.1",
        "en-combined-hold": "0.5",
    }
    preview = client.post(url, {**values, "action": "preview"}, headers={"HX-Request": "true"})
    assert "<h3>" in preview.content.decode() and "40.0" in preview.content.decode()
    assert not ThresholdPolicy.objects.exists()  # a preview saves nothing
    bad = client.post(url, {**values, "en-stage1-review": "1.5", "action": "save"})
    assert bad.status_code == 200 and "field-error" in bad.content.decode()
    inverted = client.post(url, {**values, "en-stage1-review": "0.95", "action": "save"})
    assert "hold may not be below review" in inverted.content.decode()
    assert client.post(url, {**values, "action": "save"}).status_code == 302
    saved = ThresholdPolicy.objects.get(language="en", stage="combined")
    assert (saved.review, saved.hold, saved.updated_by, saved.model_version) == (
        0.1,
        0.5,
        admin,
        "agora-tfidf-lr@1.card",
    )
    event = AuditEvent.objects.get(event="screening.thresholds_changed")
    assert event.actor == admin and event.after["en/combined"] == {"review": 0.1, "hold": 0.5}
    # Applied to the next post at once (stage 1 here: the tiny model scores this text above 0.02).
    settings.AGORA_SCREENING_THRESHOLDS = {}
    ThresholdPolicy.objects.filter(stage="stage1").update(review=0.01, hold=0.02)
    post = post_services.create_post(author=admin, text="lovely cake recipe today")
    assert PostScreening.objects.get(post=post).decision == "hold"
    assert client.post(url, {"action": "reset"}).status_code == 302
    assert (
        not ThresholdPolicy.objects.exists()
        and AuditEvent.objects.filter(event="screening.thresholds_reset").exists()
    )


def test_the_threshold_editor_without_a_model_says_so(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("screening:thresholds")).content.decode()
    assert "No screening model is trained yet" in page
