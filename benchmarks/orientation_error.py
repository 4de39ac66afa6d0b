"""Angle error of the two gravity estimates against the simulator's truth: accelerometer
low-pass vs gyro-aided complementary filter, per activity, over several seeds, rates,
placements and random mountings. Decides which path ``analyze`` uses by default.

Usage: python benchmarks/orientation_error.py [--seeds 6]
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from sensorcoach.analysis import analyze
from sensorcoach.core.framing import frame_ids
from sensorcoach.simulate import SimConfig, simulate

CONFIGS = [
    {"sample_rate_hz": 50.0},
    {"sample_rate_hz": 25.0, "placement": "lower_back"},
    {"sample_rate_hz": 100.0, "placement": "chest"},
    {"sample_rate_hz": 50.0, "gyro_bias_dps": 3.0, "acc_noise_g": 0.01},
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=6)
    args = ap.parse_args()
    errs: dict[tuple[str, str], list[float]] = defaultdict(list)
    for seed in range(args.seeds):
        for scenario in ("desk", "mixed"):
            kw = CONFIGS[seed % len(CONFIGS)]
            sim = simulate(scenario, seed=seed, config=SimConfig(**kw))  # type: ignore[arg-type]
            rec = sim.recording
            ids = frame_ids(rec.t, 0.1)
            for path in ("accel", "gyro"):
                res = analyze(rec, orientation=path)
                s = res.series
                if not res.calibration.forward_known:
                    continue
                pos = np.searchsorted(s.index, ids)
                ok = (pos < s.index.size) & (s.index[np.minimum(pos, s.index.size - 1)] == ids)
                est = s.flexion_deg[np.minimum(pos, s.index.size - 1)]
                err = est - sim.truth_flexion_deg
                terr = s.tilt_deg[np.minimum(pos, s.index.size - 1)] - np.degrees(
                    np.arccos(np.clip(sim.truth_up_body[2], -1, 1)))
                errs[(path, "tilt all")].extend(terr[ok].tolist())
                for seg in sim.labels["segments"]:
                    m = ok & (rec.t >= seg["start_s"]) & (rec.t < seg["end_s"])
                    kind = seg["kind"]
                    if kind not in ("walking", "slump", "upright", "fidget", "standing"):
                        continue  # flexion is ill-defined lying on a side
                    errs[(path, kind)].extend(err[m].tolist())
                    errs[(path, "upright+")].extend(err[m].tolist())
    groups = ["upright", "slump", "fidget", "standing", "walking", "upright+", "tilt all"]
    print("RMSE vs simulator truth, deg, per sample: flexion in upright-trunk activities "
          "(upright+ = all of them), and tilt from upright over everything (lying included)")
    print(f"{'path':<8}" + "".join(f"{g:>10}" for g in groups))
    for path in ("accel", "gyro"):
        row = [np.sqrt(np.mean(np.square(errs[(path, g)]))) if errs[(path, g)] else np.nan
               for g in groups]
        print(f"{path:<8}" + "".join(f"{v:>10.2f}" for v in row))


if __name__ == "__main__":
    main()
