"""`agora screen` (JSON lines in input order); `agora screening train` (reproducible, eval sets excluded)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agora.screening import model as stage1
from agora.screening.normalise import dedupe_key


def test_screen_reads_stdin_lines_and_writes_one_json_object_each(monkeypatch: Any) -> None:
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("hello there\nBringt eure Waffen und hängt sie morgen auf\n\n")
    )
    out = io.StringIO()
    call_command("screen", "--fast", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["decision"] for line in lines] == ["allow", "hold", "allow"]
    assert lines[1]["language"] == "de" and lines[1]["stage"] == 1 and "@" in lines[1]["model"]
    assert set(lines[0]) >= {"text", "language", "scores", "decision", "stage", "model"}


def test_screen_reads_the_text_column_of_a_tsv(tmp_path: Path) -> None:
    path = tmp_path / "in.tsv"
    path.write_text(
        "id\ttext\n1\tI'll kill it at the gym\n2\tLet's hang them all at the capitol, bring rope\n"
    )
    out = io.StringIO()
    call_command("screen", "--tsv", str(path), stdout=out)
    assert [json.loads(line)["decision"] for line in out.getvalue().splitlines()] == ["allow", "hold"]


def test_screen_explains_a_tsv_without_a_text_column(tmp_path: Path) -> None:
    path = tmp_path / "in.tsv"
    path.write_text("id\tbody\n1\thello\n")
    with pytest.raises(CommandError, match="no `text` column"):
        call_command("screen", "--tsv", str(path))


def _fake_data(root: Path) -> None:
    """The shape of the shared data folder with a few rows, one of them also in an evaluation set."""
    (root / "eval").mkdir(parents=True)
    (root / "eval" / "README.md").write_text("fixed sets")
    (root / "eval" / "de_violence.tsv").write_text(
        "id\ttext\tlabel\tfine_label\n9\tEval Satz @user!\t1\tother\n"
        "7\twir werden euch abstechen\t1\tother\n6\tdas wetter ist schön\t0\tnothing\n"
        "5\tguten morgen allerseits\t0\tnothing\n"
    )
    (root / "eval" / "de_call_to_action.tsv").write_text(
        "id\ttext\tlabel\n8\tnoch ein eval satz\t0\n4\tkommt alle zur demo\t1\n"
    )
    vio25 = root / "germeval2025_harmful_content" / "2025" / "vio"
    vio26 = root / "germeval2025_harmful_content" / "2026" / "vio"
    vio25.mkdir(parents=True)
    vio26.mkdir(parents=True)
    de_rows = [
        (str(1000 + i), f"wir werden sie alle abstechen {i}" if i % 4 == 0 else f"schönes wetter heute {i}")
        for i in range(40)
    ]
    (vio25 / "vio_train.csv").write_text(
        "id;description;VIO\n"
        + "".join(f"{i};{t};{'TRUE' if 'abstechen' in t else 'FALSE'}\n" for i, t in de_rows)
    )
    (vio26 / "vio_train_26.csv").write_text(
        "id;description;vio\n9;eval satz [@IND]!;other\n100;neu;nothing\n"
    )
    (root / "gab_hate_corpus").mkdir()
    en_rows = [f"we will shoot them all {i}" if i % 4 == 0 else f"nice weather today {i}" for i in range(40)]
    (root / "gab_hate_corpus" / "ghc_train.tsv").write_text(
        "text\thd\tcv\tvo\n"
        + "".join(f"{t}\t0\t{int('shoot' in t)}\t0\n" for t in en_rows)
        + "a test post\t0\t0\t0\n"
    )
    (root / "gab_hate_corpus" / "ghc_test.tsv").write_text(
        "text\thd\tcv\tvo\nA test post.\t0\t0\t0\nwe shoot them all\t0\t1\t0\nlovely day\t0\t0\t0\n"
    )
    (root / "ethos").mkdir()
    (root / "ethos" / "Ethos_Dataset_Multi_Label.csv").write_text("comment;violence\nkill them all;0.9\n")
    for folder, name, column in (
        ("hatecheck_en", "test_suite_cases.csv", "test_case"),
        ("hatecheck_de", "hatecheck_cases_final_german.csv", "test_case"),
    ):
        (root / folder).mkdir()
        (root / folder / name).write_text(
            f"{column},label_gold,functionality\nsomething hateful,hateful,derog_neg_emote_h\n"
            "I will shoot them all,hateful,threat_dir_h\nI love them all,non-hateful,positive_h\n"
            "we must kill them all,hateful,threat_norm_h\nnice people,non-hateful,ident_neutral_nh\n"
        )


@pytest.fixture
def fake_encoder(settings: Any) -> None:
    settings.AGORA_SCREENING_ENCODER = "agora.screening.tests.fakes.HashingEncoder"


def test_training_drops_evaluation_rows_and_is_reproducible(
    tmp_path: Path, settings: Any, fake_encoder: None, db: None
) -> None:
    _fake_data(tmp_path / "data")
    samples, summary = stage1.training_data(tmp_path / "data")
    keys = {dedupe_key(text) for lang in samples for text, _ in samples[lang]}
    assert dedupe_key("Eval Satz @user!") not in keys and dedupe_key("a test post") not in keys
    assert summary["dropped_as_evaluation"] == 2
    out = io.StringIO()
    data = str(tmp_path / "data")
    call_command("screening", "train", "--data", data, "--out", str(tmp_path / "m1"), stdout=out)
    call_command("screening", "train", "--data", data, "--out", str(tmp_path / "m2"), stdout=out)
    card1 = json.loads((tmp_path / "m1" / stage1.CARD_FILE).read_text())
    card2 = json.loads((tmp_path / "m2" / stage1.CARD_FILE).read_text())
    assert card1["model"] == card2["model"] and card1["thresholds"] == card2["thresholds"]
    assert card1["stage2_model"] == card2["stage2_model"] and card1["stage2_model"].startswith(
        "agora-tfidf-e5"
    )
    assert card1["encoder"] == "test-hashing-encoder@1"
    assert {s["licence"] for s in card1["data"]["sources"]} == {"GPL-3.0", "CC BY 4.0"}
    # Measured on the fixed sets, both stages, with the scores kept for the threshold editor.
    assert set(card1["evaluation"]) >= {"de_violence", "en_gab_cv", "en_hatecheck_threats"}
    assert card1["evaluation"]["en_hatecheck_threats"]["combined"]["positives"] == 2
    assert len(card1["distributions"]["evaluation"]["de_violence"]["rows"]) == 4
    assert (tmp_path / "m1" / "stage2.pkl").exists() and list((tmp_path / "m1" / "embeddings").glob("*.npz"))
    settings.AGORA_SCREENING_MODEL_DIR = tmp_path / "m1"
    from agora.screening.services import screen

    (result,) = screen(["wir werden sie alle abstechen"])
    assert result.model_loaded and result.scores["violence"] > 0.5


def test_training_stage1_only(tmp_path: Path, fake_encoder: None, db: None) -> None:
    _fake_data(tmp_path / "data")
    call_command(
        "screening",
        "train",
        "--data",
        str(tmp_path / "data"),
        "--out",
        str(tmp_path / "m"),
        "--no-stage2",
        stdout=io.StringIO(),
    )
    card = json.loads((tmp_path / "m" / stage1.CARD_FILE).read_text())
    assert card["stage2_model"] is None and not (tmp_path / "m" / "stage2.pkl").exists()
    assert "combined" not in card["evaluation"]["de_violence"]


def test_training_without_data_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No labelled data"):
        call_command("screening", "train", "--data", str(tmp_path / "nothing"))
