"""The labels sidecar (``NAME.labels.json``): segments with their parameters, plus the
settings, person and mounting that produced the recording.

Segment keys: ``kind`` (a SPEC label kind), ``start_s``, ``end_s`` (segments tile
[0, duration] with no gaps or overlaps), ``transition_s`` (the entry movement at the
start of the segment), ``steady_start_s``, ``posture`` where meaningful, and per kind:

- slump: ``depth_deg`` (held flexion from calibrated upright), ``onset_s``, ``hold_s``,
  ``peak_deg``; the same episode no deeper than ``person.LEAN_MAX_DEG`` (6-7 deg) is a
  ``lean`` (below any sensible slump threshold: an alert there is a false alarm); none
  lies between that and ``person.SLUMP_MIN_DEG`` (12-15 deg);
- fidget: ``fidget`` (reach | turn | recline | stretch), ``deg``, ``hold_s``;
- walking: ``step_hz``, ``speed_mps``, ``turns``, ``stairs`` (up | down) when climbing;
  running (jogging): the same plus ``lean_deg``; standing: ``offset_deg``;
- bending: ``style`` (stoop | squat | floor_reach | shoe_tying), ``depth_deg`` (flexion
  beyond the posture it starts from), ``hold_s``, ``busy_deg`` (hands-busy trunk wander);
- sitting (a chair or sofa outside desk work, or any sitting from the waist):
  ``slouch_deg`` where the person slouched for a while; lying: ``posture`` (supine |
  prone | side_left | side_right);
- plank / side planks: ``tremor_mg`` (vector RMS of the injected 3-12 Hz tremor
  acceleration at the sensor over the steady hold, incl. the jitter's lever-arm part),
  ``fatigue_mg`` (its 4-6 Hz part), ``sway_deg`` (vector RMS of the 0.1-1 Hz tilt
  wander), ``sway_mg`` (the same as a gravity-direction change, 1000 sin(sway)),
  ``instability`` (= tremor_mg / 10 + sway_deg, dimensionless, monotonic in both),
  ``drift_deg`` and ``drift_kind`` (sag | pike), ``form_breaks`` [{t_s, kind, deg}],
  ``ended_by`` (rest | form_break | end_of_recording), ``effort``, ``capacity_s``,
  ``hold_s``, ``base_deg``;
- rest: ``posture`` (sitting | kneeling | child_pose | prone | supine | side_left |
  side_right; in the routine also quadruped, floor_sitting, standing); calibration:
  ``upright_s``, ``forward_s``, ``lean_deg``;
- the routine's exercises (:mod:`.routine_floor`, :mod:`.routine_standing`): every one
  carries ``mode`` (``hold`` | ``reps``) and the truth of its form measure. Holds
  (``glute_bridge``, ``single_leg_bridge_left|right``, ``bird_dog_left|right``,
  ``stretch_hamstring``, ``child_pose``, ``knee_to_belly_left|right``,
  ``cross_left|right``) are timed from ``steady_start_s`` (in position) to ``end_s``
  (the exit begins) and carry ``hold_s`` and the tremor/sway statistics above;
  stretches also ``target_s`` and ``reached``. Reps (``deadlift``,
  ``single_leg_deadlift_left|right``, ``cat_cow``, and bridges done as reps) cover the
  set from the first movement to the last rep's end: ``count``, ``range_deg``,
  ``down_s``, ``up_s`` (``lateral_lean_deg`` for deadlifts) as means, and ``per_rep``.

Top-level keys beside ``segments``: ``population``, ``gait``, ``gyro_export`` (how the
gyro columns were written: kind, axes, units, scale; null without a gyro) and
``slips`` (times the sensor turned in its clip).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sensorcoach.errors import SensorcoachError
from sensorcoach.simulate.script import Segment
from sensorcoach.simulate.trajectory import Kinematics

SCHEMA = "sensorcoach.labels/1"
KINDS = ("upright", "slump", "lean", "fidget", "sitting", "walking", "running", "standing",
         "bending", "lying", "plank", "side_plank_left", "side_plank_right", "rest",
         "calibration", "glute_bridge", "single_leg_bridge_left", "single_leg_bridge_right",
         "bird_dog_left", "bird_dog_right", "deadlift", "single_leg_deadlift_left",
         "single_leg_deadlift_right", "stretch_hamstring", "child_pose", "cat_cow",
         "knee_to_belly_left", "knee_to_belly_right", "cross_left", "cross_right")
HOLD_KINDS = ("plank", "side_plank_left", "side_plank_right")
#: The routine's exercises (SPEC section 4, the catalogue issue): holds and reps.
ROUTINE_HOLD_KINDS = ("glute_bridge", "single_leg_bridge_left", "single_leg_bridge_right",
                      "bird_dog_left", "bird_dog_right", "stretch_hamstring", "child_pose",
                      "knee_to_belly_left", "knee_to_belly_right", "cross_left", "cross_right")
REPS_KINDS = ("deadlift", "single_leg_deadlift_left", "single_leg_deadlift_right", "cat_cow")


def hold_stats(kin: Kinematics, start_s: float, end_s: float) -> dict[str, float]:
    """Injected tremor and sway over [start_s, end_s] (s) of the fine grid."""
    i0, i1 = np.searchsorted(kin.t, [start_s, end_s])
    if i1 - i0 < 2:
        return {"tremor_mg": 0.0, "fatigue_mg": 0.0, "sway_deg": 0.0, "sway_mg": 0.0,
                "instability": 0.0}
    tremor = math.sqrt(float(np.mean(kin.tremor_sq[i0:i1])))
    fatigue = math.sqrt(float(np.mean(kin.fatigue_sq[i0:i1])))
    sway = math.sqrt(float(np.mean(kin.tilt_sq[i0:i1])))
    return {"tremor_mg": round(tremor, 3), "fatigue_mg": round(fatigue, 3),
            "sway_deg": round(sway, 3), "sway_mg": round(1000.0 * math.sin(math.radians(sway)), 2),
            "instability": round(tremor / 10.0 + sway, 4)}


def segment_labels(segments: Sequence[Segment], kin: Kinematics,
                   duration_s: float) -> list[dict[str, Any]]:
    """JSON-ready segment list; hold statistics measured from the rendered motion."""
    out: list[dict[str, Any]] = []
    for seg in segments:
        d: dict[str, Any] = {
            "kind": seg.kind, "start_s": round(seg.start_s, 3), "end_s": round(seg.end_s, 3),
            "transition_s": round(min(seg.transition_s, seg.end_s - seg.start_s), 3),
            "steady_start_s": round(seg.steady_start_s, 3),
        }
        if d["transition_s"] > d["end_s"] - d["start_s"]:
            # A session trimmed inside an entry: rounding must not make it outlast its span.
            d["transition_s"] = d["end_s"] - d["start_s"]
        d.update(seg.params)
        if seg.kind in HOLD_KINDS:
            d.update(hold_stats(kin, seg.steady_start_s, seg.end_s))
            if seg.end_s >= duration_s - 1e-6 and d.get("ended_by") == "rest":
                d["ended_by"] = "end_of_recording"
            d["form_breaks"] = [b for b in d.get("form_breaks", []) if b["t_s"] < seg.end_s]
        elif seg.kind in ROUTINE_HOLD_KINDS and d.get("mode") == "hold":
            d.update(hold_stats(kin, seg.steady_start_s, seg.end_s))
        out.append(d)
    return out


def kind_counts(labels: Mapping[str, Any]) -> dict[str, int]:
    """Number of segments per kind, in SPEC order (kinds that occur only)."""
    c = Counter(str(s["kind"]) for s in labels["segments"])
    return {k: c[k] for k in KINDS if c[k]}


def summary(labels: Mapping[str, Any]) -> str:
    """One line: ``slump 4, fidget 12, ...`` (upright omitted when others exist)."""
    counts = kind_counts(labels)
    return ", ".join(f"{k} {n}" for k, n in counts.items())


def sidecar_path(path: str | Path) -> Path:
    """``x.csv`` / ``x.csv.gz`` -> ``x.labels.json`` beside it."""
    p = Path(path)
    name = p.name
    for suffix in (".csv.gz", ".csv"):
        if name.endswith(suffix):
            return p.with_name(name[: -len(suffix)] + ".labels.json")
    raise SensorcoachError(f"{p}: output must end in .csv or .csv.gz")


def write_labels(labels: Mapping[str, Any], path: str | Path) -> None:
    """Write the labels JSON (stable key order, atomically)."""
    p = Path(path)
    tmp = p.with_name(p.name + ".partial")
    tmp.write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
    tmp.replace(p)
