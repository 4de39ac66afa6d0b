"""``make demo`` lets a person try the live page's guided routine (issue 16): one of its
live replays is a whole routine, with every exercise the guide offers, short enough to
watch through."""

from __future__ import annotations

import json

from dashboard.routine_guide import exercises
from dashboard.server import DEMO_LIVE, FIXTURES


def test_demo_replays_a_routine_with_every_exercise_the_guide_offers() -> None:
    routines = [(name, speed) for name, speed in DEMO_LIVE if name.startswith("routine_")]
    assert routines, DEMO_LIVE
    name, speed = routines[0]
    labels = json.loads((FIXTURES / f"{name}.labels.json").read_text())
    done = {seg["kind"] for seg in labels["segments"]}
    offered = {kind for e in exercises() for kind in e["kinds"].values()}
    assert offered <= done, sorted(offered - done)
    assert labels["duration_s"] / speed <= 300  # a loop of the demo in five minutes
