"""Jury parameters for tests: a short calibration test, so set-up stays small."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def short_calibration(settings: Any) -> None:
    settings.AGORA_JURY = {"CALIBRATION_ITEMS": 4}
