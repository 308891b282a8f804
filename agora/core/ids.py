"""The one generator for every id that leaves the server.

Ids are RFC 9562 UUIDv8 values laid out as

    48 bits Unix time in ms | 4 bits version (8) | 10 bits sequence | 2 bits random | 2 bits variant
    | 62 bits random

so they sort by creation time (also within one millisecond, through the per-process sequence) while
carrying 64 bits from the operating system's CSPRNG: knowing one id tells nothing about the next. They are
stored as UUIDs (native on PostgreSQL) and shown in their canonical string form, which sorts the same way.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid

_SEQUENCE_BITS = 10
_SEQUENCE_LIMIT = 1 << _SEQUENCE_BITS
_lock = threading.Lock()
_last_ms = 0
_sequence = 0


def _next_timestamp_and_sequence() -> tuple[int, int]:
    global _last_ms, _sequence
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms, _sequence = now_ms, 0
        else:
            # Same millisecond (or the clock stepped back): keep order by counting on; when the sequence is
            # spent, borrow the next millisecond rather than break ordering.
            _sequence += 1
            if _sequence >= _SEQUENCE_LIMIT:
                _last_ms, _sequence = _last_ms + 1, 0
        return _last_ms, _sequence


def _compose(timestamp_ms: int, sequence: int) -> uuid.UUID:
    random_bits = secrets.randbits(64)
    high_random, low_random = random_bits >> 62, random_bits & ((1 << 62) - 1)
    value = (timestamp_ms & ((1 << 48) - 1)) << 80
    value |= 0x8 << 76
    value |= sequence << 66
    value |= high_random << 64
    value |= 0b10 << 62
    value |= low_random
    return uuid.UUID(int=value)


def new_id() -> uuid.UUID:
    """A fresh time-ordered id with 64 random bits."""
    return _compose(*_next_timestamp_and_sequence())


def new_id_at(timestamp_ms: int) -> uuid.UUID:
    """An id for a row whose creation time is `timestamp_ms` (Unix ms) rather than now: same layout as
    `new_id`, 64 random bits, sequence 0.

    For rows that record something that happened earlier (imports, `agora seed`), so that their ids sort like
    their `created_at`. It keeps no state and does not touch `new_id`'s sequence: ids made for one millisecond
    are ordered only by their random bits, so callers that need a strict order give each row its own ms.
    """
    if not 0 <= timestamp_ms < 1 << 48:
        raise ValueError(f"timestamp out of range for an id: {timestamp_ms}")
    return _compose(timestamp_ms, 0)


def id_timestamp_ms(value: uuid.UUID) -> int:
    """The creation time (Unix ms) encoded in an id made by `new_id` or `new_id_at`."""
    return value.int >> 80


def id_random_bits(value: uuid.UUID) -> int:
    """The 64 random bits of an id made by `new_id` (used by tests and diagnostics)."""
    return (((value.int >> 64) & 0b11) << 62) | (value.int & ((1 << 62) - 1))


def id_floor_for_time_ms(timestamp_ms: int) -> uuid.UUID:
    """The smallest id that `new_id` can make at or after the given time, for time-range queries."""
    return uuid.UUID(int=(timestamp_ms & ((1 << 48) - 1)) << 80)
