"""``sensorcoach simulate SCENARIO -o OUT.csv [--seed N] [options]``: a labelled synthetic
recording (``OUT.csv`` or ``OUT.csv.gz``) plus ``OUT.labels.json`` beside it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sensorcoach.errors import SensorcoachError


def _epilog() -> str:
    from sensorcoach.simulate import SCENARIOS

    lines = ["scenarios:"]
    for sc in SCENARIOS.values():
        length = (f"{sc.default_duration_s / 60:g} min" if sc.default_duration_s
                  else "natural length")
        lines.append(f"  {sc.name:<13} {sc.summary} ({length})")
    return "\n".join(lines)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "simulate", help="make a labelled synthetic recording",
        description="Simulate a wearer and an IMU (physics-based) and write a labelled "
                    "recording plus NAME.labels.json beside it.",
        epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", metavar="SCENARIO", help="what the wearer does (see below)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csv",
                   help="output recording, .csv or .csv.gz")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--rate", type=float, default=50.0, metavar="HZ",
                   help="output sample rate, 12.5-200 Hz (default 50)")
    p.add_argument("--placement", default=None,
                   help="upper_back | lower_back | chest | waist (default: the scenario's, "
                        "upper_back for most)")
    p.add_argument("--mounting", default="random",
                   help="sensor orientation on the body: random (from the seed) | nominal")
    p.add_argument("--duration", type=float, default=None, metavar="S",
                   help="scenario length in s (default: the scenario's)")
    p.add_argument("--acc-noise", type=float, default=0.003, metavar="G",
                   help="accelerometer noise RMS per axis, g (default 0.003)")
    p.add_argument("--acc-bias", type=float, default=0.0, metavar="G",
                   help="accelerometer offset std per axis, g (default 0)")
    p.add_argument("--gyro-noise", type=float, default=0.07, metavar="DPS",
                   help="gyro noise RMS per axis, deg/s (default 0.07)")
    p.add_argument("--gyro-bias", type=float, default=1.0, metavar="DPS",
                   help="gyro bias std per axis, deg/s (default 1.0)")
    p.add_argument("--no-bias-drift", action="store_true", help="keep the gyro bias constant")
    p.add_argument("--jitter", type=float, default=0.0001, metavar="S",
                   help="timestamp jitter std, s (default 0.0001)")
    p.add_argument("--dropouts", type=float, default=0.0, metavar="FRACTION",
                   help="fraction of samples lost in 0.1-3 s bursts, 0-0.5 (default 0)")
    p.add_argument("--acc-only", action="store_true", help="write no gyro columns")
    p.add_argument("--no-calibration", action="store_true",
                   help="omit the calibration header spans (the motion stays)")
    p.add_argument("--no-calibration-motion", action="store_true",
                   help="omit the calibration motion and spans (imported-data style)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sensorcoach.simulate import SimConfig, simulate, summary, write_simulation
    from sensorcoach.simulate.labels import sidecar_path

    if args.mounting not in ("random", "nominal"):
        raise SensorcoachError(f"--mounting must be random or nominal, got {args.mounting!r}")
    # Fail on a bad name or folder before spending time simulating.
    sidecar_path(args.output)
    if not Path(args.output).parent.is_dir():
        raise SensorcoachError(f"{args.output}: directory {Path(args.output).parent} "
                               "does not exist")
    no_motion = bool(args.no_calibration_motion)
    cfg = SimConfig(
        sample_rate_hz=args.rate, placement=args.placement,
        mounting=None if args.mounting == "random" else "nominal",
        acc_noise_g=args.acc_noise, acc_bias_g=args.acc_bias,
        gyro_noise_dps=args.gyro_noise, gyro_bias_dps=args.gyro_bias,
        bias_drift=not args.no_bias_drift, timing_jitter_s=args.jitter,
        dropout_rate=args.dropouts, acc_only=args.acc_only,
        with_calibration=not (args.no_calibration or no_motion),
        calibration_motion=not no_motion, duration_s=args.duration)
    sim = simulate(args.scenario, seed=args.seed, config=cfg)
    labels_path = write_simulation(sim, args.output)
    rec = sim.recording
    sys.stdout.write(f"wrote {args.output} ({rec.n_samples} samples, {rec.duration_s:.1f} s, "
                     f"{rec.sample_rate_hz:g} Hz) and {labels_path}: {summary(sim.labels)}\n")
    return 0
