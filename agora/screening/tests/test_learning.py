"""Learning from moderators: decisions become labelled examples; retrained models replace the current one only
when they are not worse on the fixed evaluation sets (champion/challenger), and the audit log says so."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from agora.accounts.models import User
from agora.moderation import dsa
from agora.moderation.models import AuditEvent, Case, Rule
from agora.moderation.services import decide_case, open_or_join_case
from agora.posts import services as post_services
from agora.screening import learning
from agora.screening import model as stage1
from agora.screening.tests.test_commands import _fake_data
from agora.screening.tests.test_posts import THREAT_EN


@pytest.fixture
def decided(alice: User, bob: User, moderator: User) -> dict[str, Any]:
    """A held threat removed under a violence rule, a reviewed post dismissed, a spam post removed."""
    violence = Rule.objects.create(number=901, title="No calls to violence", category=dsa.Category.VIOLENCE)
    spam = Rule.objects.create(number=902, title="No scams", category=dsa.Category.SCAMS_AND_FRAUD)
    threat = post_services.create_post(author=alice, text=THREAT_EN)
    reviewed = post_services.create_post(author=bob, text="Traitors should all be hanged.")
    scam = post_services.create_post(author=bob, text="Send me 1 bitcoin and get 2 back")
    decide_case(
        case=Case.objects.get(post=threat),
        action="remove",
        rule=violence,
        moderator=moderator,
        explanation="A call to violence.",
    )
    decide_case(
        case=Case.objects.get(post=reviewed), action="dismiss", moderator=moderator, explanation="Hyperbole."
    )
    scam_case = open_or_join_case(source=Case.Source.REPORT, category=dsa.Category.SCAMS_AND_FRAUD, post=scam)
    decide_case(case=scam_case, action="remove", rule=spam, moderator=moderator, explanation="A scam.")
    return {"threat": threat, "reviewed": reviewed}


def test_moderator_decisions_become_labelled_examples_with_their_rule(decided: dict[str, Any]) -> None:
    examples = sorted(learning.moderator_examples(), key=lambda e: e.label)
    assert [(e.label, e.language) for e in examples] == [(0, "en"), (1, "en")]
    assert (
        examples[1].text.startswith("@bob Readers should bring guns")
        and "No calls to violence" in examples[1].rule
    )
    assert examples[0].text == "Traitors should all be hanged." and examples[0].rule == "dismiss"


def test_a_later_restore_turns_a_removal_into_a_negative_example(
    decided: dict[str, Any], moderator: User
) -> None:
    case = Case.objects.filter(post=decided["threat"]).get()
    decide_case(
        case=case, action="restore", moderator=moderator, explanation="On reflection, satire.", close=False
    )
    labels = {e.text[:10]: e.label for e in learning.moderator_examples()}
    assert labels["@bob Reade"] == 0


def _train(data: Path, out: Path, *flags: str) -> str:
    output = io.StringIO()
    call_command("screening", "train", "--data", str(data), "--out", str(out), *flags, stdout=output)
    return output.getvalue()


def test_include_decisions_retrains_promotes_when_not_worse_and_keeps_the_champion_otherwise(
    tmp_path: Path, settings: Any, decided: dict[str, Any]
) -> None:
    settings.AGORA_SCREENING_ENCODER = "agora.screening.tests.fakes.HashingEncoder"
    _fake_data(tmp_path / "data")
    out = tmp_path / "model"
    assert "Promoted" in _train(tmp_path / "data", out)
    first = json.loads((out / stage1.CARD_FILE).read_text())
    assert AuditEvent.objects.get(event="screening.model_promoted").after["model"] == first["model"]

    # The same data plus moderators' decisions: a new version, not worse, so it replaces the first.
    assert "Promoted" in _train(tmp_path / "data", out, "--include-decisions")
    second = json.loads((out / stage1.CARD_FILE).read_text())
    assert second["model"] != first["model"] and second["data"]["moderator_examples"] == 2
    assert second["metrics"]["stage1"]["en"]["moderator_examples"] == 2
    report = (out / "evaluation-report.md").read_text()
    assert first["model"] in report and second["model"] in report and "| EN Gab cv |" in report

    # A champion that scores better on the fixed sets than any retraining can: the challenger loses.
    for metrics in second["evaluation"].values():
        for stage in ("stage1", "combined"):
            metrics[stage]["auc"] = 1.5
    (out / stage1.CARD_FILE).write_text(json.dumps(second))
    champion_bytes = (out / stage1.MODEL_FILE).read_bytes()
    assert "Kept the current model" in _train(tmp_path / "data", out, "--include-decisions")
    assert (out / stage1.MODEL_FILE).read_bytes() == champion_bytes
    assert (out / "challenger" / stage1.MODEL_FILE).exists()
    assert "kept the current model" in (out / "challenger" / "evaluation-report.md").read_text()
    rejected = AuditEvent.objects.get(event="screening.model_rejected")
    assert rejected.actor_kind == "screening" and "drops" in rejected.reason

    assert "Promoted" in _train(tmp_path / "data", out, "--include-decisions", "--force")
    assert AuditEvent.objects.filter(event="screening.model_promoted").count() == 3


def test_compare_allows_noise_but_not_a_real_drop() -> None:
    def card(aucs: dict[str, float]) -> dict[str, Any]:
        return {
            "model": "m@1",
            "stage2_model": None,
            "evaluation": {k: {"stage1": {"auc": v}} for k, v in aucs.items()},
        }

    champion = card({"a": 0.90, "b": 0.80})
    assert learning.compare(card({"a": 0.905, "b": 0.80}), champion)[0]
    assert learning.compare(card({"a": 0.899, "b": 0.801}), champion)[0]
    assert not learning.compare(card({"a": 0.85, "b": 0.86}), champion)[0]  # one set much worse
    assert not learning.compare(card({"a": 0.89, "b": 0.79}), champion)[0]  # both a little worse
    assert learning.compare(card({"a": 0.5}), None) == (True, "no current model")


@pytest.mark.django_db
def test_the_shipped_model_screens_until_the_operator_promotes_one_that_is_not_worse(
    tmp_path: Path, settings: Any
) -> None:
    from agora.screening.services import screen

    settings.AGORA_SCREENING_ENCODER = "agora.screening.tests.fakes.HashingEncoder"
    _fake_data(tmp_path / "data")
    shipped, own = tmp_path / "shipped", tmp_path / "own"
    _train(tmp_path / "data", shipped)
    settings.AGORA_SCREENING_SHIPPED_MODEL_DIR = str(shipped)
    settings.AGORA_SCREENING_MODEL_DIR = own
    shipped_card = json.loads((shipped / stage1.CARD_FILE).read_text())

    assert stage1.serving_dir() == shipped
    (result,) = screen(["see you at the lake tomorrow"])
    assert result.model_loaded and result.model.startswith(shipped_card["model"])

    # Retraining measures the challenger against the shipped model; a worse one leaves it in place.
    better = json.loads(json.dumps(shipped_card))
    for metrics in better["evaluation"].values():
        for stage in ("stage1", "combined"):
            metrics[stage]["auc"] = 1.5
    (shipped / stage1.CARD_FILE).write_text(json.dumps(better))
    output = io.StringIO()
    call_command("screening", "train", "--data", str(tmp_path / "data"), stdout=output)
    assert "Kept the current model" in output.getvalue()
    assert stage1.serving_dir() == shipped and not (own / stage1.MODEL_FILE).exists()

    (shipped / stage1.CARD_FILE).write_text(json.dumps(shipped_card))
    call_command("screening", "train", "--data", str(tmp_path / "data"), stdout=io.StringIO())
    assert stage1.serving_dir() == own

    settings.AGORA_SCREENING_SHIPPED_MODEL_DIR = ""
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path / "nothing"
    assert stage1.serving_dir() == tmp_path / "nothing" and stage1.load() is None
