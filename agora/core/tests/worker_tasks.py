"""Tasks for the worker tests (agora/core/tests/test_workers.py), importable by a worker process."""

from __future__ import annotations

import time
from pathlib import Path

from agora.core.tasks import retried_task


@retried_task()
def count_to(path: str, n: int, pause: float) -> int:
    """Write 1..n to `path`, one line at a time: idempotent (it starts the file over), slow enough to kill."""
    target = Path(path)
    target.write_text("")
    for number in range(1, n + 1):
        with target.open("a") as handle:
            handle.write(f"{number}\n")
        time.sleep(pause)
    return n


@retried_task()
def fail_twice(path: str) -> str:
    """Fails on its first two tries (counted in `path`), then succeeds."""
    target = Path(path)
    tries = int(target.read_text() or "0") + 1 if target.exists() else 1
    target.write_text(str(tries))
    if tries < 3:
        raise RuntimeError(f"try {tries} fails")
    return f"done after {tries} tries"
