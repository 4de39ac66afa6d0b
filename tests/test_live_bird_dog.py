"""The live status of a bird dog set under way (issue 16: the guide's timer starts on
detection for bird dog too): the bout on all fours from its start, and the side held
once the bout has shown both sides, on the replayed routine fixture against its labels."""

from __future__ import annotations

import json
from typing import Any

from dashboard.live import bird_dog_now
from tests.replay_watch import FIX, replay_watched

END_S = 160.0  # the first bird dog set: 65.9-158.4 s


def test_bird_dog_bout_and_side_under_way_on_the_replayed_routine() -> None:
    labels = json.loads((FIX / "routine_50hz.labels.json").read_text())["segments"]
    sides = [s for s in labels if s["kind"].startswith("bird_dog") and s["end_s"] < END_S]
    seen: list[tuple[float, dict[str, Any]]] = replay_watched(
        "routine_50hz", lambda r, v: bird_dog_now(r, v.t_s, v.bird_dog_since_s), END_S)
    first = sides[0]["start_s"]
    bout = [(t, d) for t, d in seen if d["bird_dog_s"] is not None]
    assert bout, "no bout under way was reported"
    assert all(t >= first - 6.0 for t, _ in bout)  # not before getting down on all fours
    start = bout[0][0] - bout[0][1]["bird_dog_s"]
    assert abs(start - first) <= 5.0, start  # timed from the bout, not from its end
    # on all fours all through the set
    assert all(d["bird_dog_s"] is not None for t, d in seen
               if first + 3.0 <= t <= sides[-1]["end_s"] - 1.0)
    # the side held: never the wrong one; told in every side after the bout's first
    told: dict[int, set[str]] = {}
    for t, d in seen:
        if d["bird_dog_side"] is None:
            continue
        here = [i for i, s in enumerate(sides) if s["start_s"] - 1.0 <= t <= s["end_s"] + 2.0]
        assert here, (t, d)
        told.setdefault(here[0], set()).add(d["bird_dog_side"])
        side_start = t - d["bird_dog_side_s"]
        assert abs(side_start - sides[here[0]]["start_s"]) <= 3.0, (t, d)
    assert told == {i: {s["kind"]} for i, s in enumerate(sides) if i > 0}, told
