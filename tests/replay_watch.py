"""Replaying a routine fixture through a live runner, noting a status after each block
(the live bird dog and stretch status tests)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Generic, TypeVar

from firmware_interface.transports.base import Event
from sensorcoach.live import LiveRunner, RecordingReplay
from sensorcoach.live.runner import LiveState
from sensorcoach.recording import Recording

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
T = TypeVar("T")


class Watched(Generic[T]):
    """A replay (as fast as possible) that notes ``note(runner, view)`` after each block it
    handed over (when the view has a time), until stream time ``until_s``."""

    def __init__(self, rec: Recording, note: Callable[[LiveRunner, LiveState], T],
                 until_s: float | None = None) -> None:
        self.inner = RecordingReplay(rec, 0, block_s=0.5)
        self.name, self.stats = self.inner.name, self.inner.stats
        self.runner: LiveRunner | None = None
        self.note, self.until_s = note, until_s
        self.seen: list[tuple[float, T]] = []

    async def blocks(self) -> AsyncIterator[Event]:
        async for ev in self.inner.blocks():
            yield ev
            assert self.runner is not None
            v = self.runner.view
            if v.t_s is not None:
                self.seen.append((v.t_s, self.note(self.runner, v)))
                if self.until_s is not None and v.t_s > self.until_s:
                    return

    async def aclose(self) -> None:
        await self.inner.aclose()


def replay_watched(name: str, note: Callable[[LiveRunner, LiveState], T],
                   until_s: float | None = None) -> list[tuple[float, T]]:
    """Replay fixture ``name`` (calibrated in its header) and return what ``note`` saw."""
    rec = Recording.read(FIX / f"{name}.csv.gz")
    src = Watched(rec, note, until_s)
    assert rec.calibration_upright_s is not None
    runner = LiveRunner(src, placement="lower_back",
                        header_spans=(rec.calibration_upright_s, rec.calibration_forward_s))
    src.runner = runner
    asyncio.run(runner.run())
    return src.seen
