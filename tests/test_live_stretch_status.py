"""The live status of a stretch under way (the guide's stretch timer starts from it), on
the replayed routine fixture against its labels."""

from __future__ import annotations

import json

from dashboard.live import stretch_since
from tests.replay_watch import FIX, replay_watched

STRETCHES = ("stretch_hamstring", "child_pose", "knee_to_belly", "cross")


def test_stretch_timer_started_by_every_bridge_rep_and_bird_dog_pause() -> None:
    """Walking ``make demo``: the guide waiting for child's pose started its timer at 0 s
    during bridges done as repetitions and during bird dog (the stretch detector's
    unconfirmed runs). Only recognised stretches are under way now: exactly the labelled
    ones, each from where it settled."""
    labels = json.loads((FIX / "routine_50hz.labels.json").read_text())["segments"]
    truth = [s for s in labels if s["kind"].startswith(STRETCHES)]
    seen: list[tuple[float, float | None]] = replay_watched(
        "routine_50hz", lambda r, v: None if v.hold_since_s is not None else stretch_since(r))
    starts = sorted({round(s, 1) for _, s in seen if s is not None})
    runs: list[float] = []
    for s in starts:  # one start per stretch (it may settle by a frame or two)
        if not runs or s - runs[-1] > 5.0:
            runs.append(s)
    assert len(runs) == len(truth) == 6, (runs, [s["steady_start_s"] for s in truth])
    for got, lab in zip(runs, truth, strict=True):
        assert abs(got - lab["steady_start_s"]) <= 3.0, (got, lab)
    for t, s in seen:
        if s is not None:
            assert any(lab["start_s"] - 1.0 <= t <= lab["end_s"] + 3.0 for lab in truth), (t, s)
