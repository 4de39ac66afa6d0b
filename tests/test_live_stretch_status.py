"""The live status of a stretch under way (the guide's stretch timer starts from it), on
the replayed routine fixture against its labels."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from dashboard.live import stretch_since
from firmware_interface.transports.base import Event
from sensorcoach.live import LiveRunner, RecordingReplay
from sensorcoach.recording import Recording

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
STRETCHES = ("stretch_hamstring", "child_pose", "knee_to_belly", "cross")


class Watched:
    """A replay (as fast as possible) noting the stretch under way after each block."""

    def __init__(self, rec: Recording) -> None:
        self.inner = RecordingReplay(rec, 0, block_s=0.5)
        self.name, self.stats = self.inner.name, self.inner.stats
        self.runner: LiveRunner | None = None
        self.seen: list[tuple[float, float | None]] = []

    async def blocks(self) -> AsyncIterator[Event]:
        async for ev in self.inner.blocks():
            yield ev
            assert self.runner is not None
            v = self.runner.view
            if v.t_s is not None:
                self.seen.append((v.t_s, None if v.hold_since_s is not None
                                  else stretch_since(self.runner)))

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_stretch_timer_started_by_every_bridge_rep_and_bird_dog_pause() -> None:
    """Walking ``make demo``: the guide waiting for child's pose started its timer at 0 s
    during bridges done as repetitions and during bird dog (the stretch detector's
    unconfirmed runs). Only recognised stretches are under way now: exactly the labelled
    ones, each from where it settled."""
    rec = Recording.read(FIX / "routine_50hz.csv.gz")
    labels = json.loads((FIX / "routine_50hz.labels.json").read_text())["segments"]
    truth = [s for s in labels if s["kind"].startswith(STRETCHES)]
    src = Watched(rec)
    assert rec.calibration_upright_s is not None
    runner = LiveRunner(src, placement="lower_back",
                        header_spans=(rec.calibration_upright_s, rec.calibration_forward_s))
    src.runner = runner
    asyncio.run(runner.run())
    starts = sorted({round(s, 1) for _, s in src.seen if s is not None})
    runs: list[float] = []
    for s in starts:  # one start per stretch (it may settle by a frame or two)
        if not runs or s - runs[-1] > 5.0:
            runs.append(s)
    assert len(runs) == len(truth) == 6, (runs, [s["steady_start_s"] for s in truth])
    for got, lab in zip(runs, truth, strict=True):
        assert abs(got - lab["steady_start_s"]) <= 3.0, (got, lab)
    for t, s in src.seen:
        if s is not None:
            assert any(lab["start_s"] - 1.0 <= t <= lab["end_s"] + 3.0 for lab in truth), (t, s)
