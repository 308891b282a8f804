"""Progress bars (tqdm, on stderr) for long operator commands: one bar per step."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from tqdm import tqdm


class ProgressBars:
    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bars: dict[str, Any] = {}

    def update(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(step)
        if bar is None:
            bar = self.bars[step] = tqdm(total=total, desc=step, unit="file" if step != "database" else "")
        bar.total = total
        bar.n = done
        bar.refresh()

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        for bar in self.bars.values():
            bar.close()
