"""``simulate()``: scenario -> script -> body motion -> sensor samples + labels + truth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sensorcoach.core.frames import body_angles_deg
from sensorcoach.errors import SensorcoachError
from sensorcoach.recording import Recording
from sensorcoach.simulate.config import SimConfig, mounting_matrix
from sensorcoach.simulate.faults import draw_slips, gyro_export
from sensorcoach.simulate.labels import SCHEMA, segment_labels, sidecar_path, write_labels
from sensorcoach.simulate.person import Person, draw_person
from sensorcoach.simulate.scenarios import SCENARIOS, Context, initial_channels
from sensorcoach.simulate.script import Script
from sensorcoach.simulate.sensor import make_grid, measure
from sensorcoach.simulate.signals import FloatArray
from sensorcoach.simulate.trajectory import render

CALIBRATION_UPRIGHT_S = (0.5, 5.0)
CALIBRATION_FORWARD_S = (5.5, 10.5)
STARTED_AT = "2026-01-05T09:00:00Z"
DEVICE = "sensorcoach-sim"
#: Independent random streams, in spawn order: changing one setting never reshuffles
#: what another stream draws.
_STREAMS = ("person", "script", "mounting", "motion", "noise", "timing", "gait", "faults")


@dataclass(frozen=True, eq=False)
class Simulation:
    """A simulated session: the recording, its labels and the noise-free truth.

    Truth arrays are per *output* sample of the recording (after dropouts).
    """

    scenario: str
    seed: int
    config: SimConfig
    person: Person
    recording: Recording
    labels: dict[str, Any]
    mounting: FloatArray
    """``R_bs``: sensor axes in body coordinates (columns), 3x3."""
    truth_rotation: FloatArray
    """``R_wb`` (body-to-world) per sample, (N, 3, 3)."""
    truth_up_body: FloatArray
    """World-up direction in the body frame per sample, (3, N), unit length."""
    truth_flexion_deg: FloatArray
    """Flexion (forward +) per sample from ``frames.body_angles_deg``, deg, (N,)."""
    truth_lateral_deg: FloatArray
    """Lateral lean (right +) per sample, deg, (N,)."""
    gyro_bias_dps: FloatArray
    """Gyro bias (constant + drift) included in the gyro columns, (3, N), deg/s, in the
    sensor's true axes (before any export fault, ``labels["gyro_export"]``)."""
    step_t: FloatArray
    """Heel-strike times of the ``impacts`` gait, s (empty otherwise)."""

    @property
    def segments(self) -> list[dict[str, Any]]:
        segs: list[dict[str, Any]] = self.labels["segments"]
        return segs


def simulate(scenario: str, seed: int = 0, config: SimConfig | None = None) -> Simulation:
    """Simulate ``scenario`` (a key of ``SCENARIOS``) deterministically from ``seed``."""
    cfg = config if config is not None else SimConfig()
    cfg.validate()
    sc = SCENARIOS.get(scenario)
    if sc is None:
        raise SensorcoachError(f"unknown scenario {scenario!r}; choose one of: "
                               f"{', '.join(SCENARIOS)}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SensorcoachError(f"seed must be a non-negative integer, got {seed!r}")
    streams = dict(zip(_STREAMS, (np.random.default_rng(s) for s in
                                  np.random.SeedSequence(int(seed)).spawn(len(_STREAMS))),
                       strict=True))
    placement = cfg.placement if cfg.placement is not None else sc.placement
    population = cfg.population if cfg.population is not None else sc.population
    gait = cfg.gait if cfg.gait is not None else sc.gait
    calibrate = cfg.calibration_motion and sc.calibrates
    person = draw_person(streams["person"], placement, cfg.person, population)
    script = Script(initial_channels(person))
    duration = cfg.duration_s if cfg.duration_s is not None else sc.default_duration_s
    sc.build(script, Context(person=person, rng=streams["script"], placement=placement,
                             calibrate=calibrate, duration_s=duration,
                             population=population))
    # The session ends on an output sample, so labels and recording end together.
    rate = cfg.sample_rate_hz
    total = round(float(duration if duration is not None else script.t) * rate) / rate
    script.finish(total)

    grid = make_grid(cfg.sample_rate_hz, total)
    kin = render(script, person, placement, grid.fine_rate_hz, grid.fine_t,
                 streams["motion"], gait, streams["gait"])
    mounting = mounting_matrix(cfg.mounting, streams["mounting"])
    export = gyro_export(cfg, sc.gyro_fault, streams["faults"])
    slips = draw_slips(streams["faults"], cfg.slips, total)
    out = measure(kin, grid, mounting, cfg, streams["noise"], streams["timing"], export, slips)

    spans = cfg.with_calibration and calibrate
    meta = {"device": DEVICE, "placement": placement, "started_at": STARTED_AT,
            "scenario": scenario, "seed": str(seed)}
    # Quantised as the file stores them (1 us, 10 ug, 0.001 deg/s), so the in-memory
    # recording, its gaps and the sidecar agree exactly with what a reader of the file sees.
    recording = Recording.from_arrays(
        np.round(out.t, 6), np.round(out.acc, 5),
        None if out.gyro is None else np.round(out.gyro, 3), sample_rate_hz=cfg.sample_rate_hz,
        calibration_upright_s=CALIBRATION_UPRIGHT_S if spans else None,
        calibration_forward_s=CALIBRATION_FORWARD_S if spans else None, meta=meta)

    rot = out.truth_rot[out.keep]
    up = np.ascontiguousarray(rot[:, 2, :].T)
    flex, lat = body_angles_deg(up)
    labels: dict[str, Any] = {
        "schema": SCHEMA, "scenario": scenario, "seed": int(seed),
        "placement": placement, "sample_rate_hz": cfg.sample_rate_hz,
        "duration_s": round(total, 3), "gyro": not cfg.acc_only,
        "population": population, "gait": gait,
        "gyro_export": None if cfg.acc_only else export.to_dict(),
        "slips": [sl.to_dict() for sl in slips],
        "calibration": ({"upright_s": list(CALIBRATION_UPRIGHT_S),
                         "forward_s": list(CALIBRATION_FORWARD_S), "in_header": spans}
                        if calibrate else None),
        "mounting": np.round(mounting, 6).tolist(),
        "person": person.to_dict(),
        "config": cfg.describe(),
        "dropouts": [g.to_dict() for g in recording.gaps()],
        "segments": segment_labels(script.segments, kin, total),
    }
    return Simulation(scenario=scenario, seed=int(seed), config=cfg, person=person,
                      recording=recording, labels=labels, mounting=mounting,
                      truth_rotation=rot, truth_up_body=up, truth_flexion_deg=flex,
                      truth_lateral_deg=lat, gyro_bias_dps=out.gyro_bias_dps[:, out.keep],
                      step_t=kin.step_t[(kin.step_t >= 0.0) & (kin.step_t <= total)])


def write_simulation(sim: Simulation, path: str | Path) -> Path:
    """Write the recording to ``path`` (``.csv`` or ``.csv.gz``) and the labels beside
    it as ``NAME.labels.json``; returns the labels path."""
    labels_path = sidecar_path(path)
    if not Path(path).parent.is_dir():
        raise SensorcoachError(f"{path}: directory {Path(path).parent} does not exist")
    sim.recording.write(path)
    write_labels(sim.labels, labels_path)
    return labels_path
