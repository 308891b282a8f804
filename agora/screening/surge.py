"""Surge mode lives in services.py; this name is kept for readers that look for `agora.screening.surge`."""

from agora.screening.services import is_low_reputation, surge_applies, surge_status, update_surge

__all__ = ["is_low_reputation", "surge_applies", "surge_status", "update_surge"]
