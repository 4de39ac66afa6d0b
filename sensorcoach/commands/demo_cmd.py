"""``sensorcoach demo``: the dashboard on a temporary database, fixtures replayed live.

``--print-only`` keeps the old terminal demo: a simulated desk session, analysed and
printed.  The dashboard package sits above sensorcoach, so it is loaded with
``importlib`` when the command runs: sensorcoach itself never imports it.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any

from sensorcoach.analysis import analyze
from sensorcoach.recording import Recording
from sensorcoach.report import render
from sensorcoach.scoring import match


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("demo", help="dashboard with fixtures replayed live (no hardware)")
    p.add_argument("--host", default=None, help="address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help="port (default 8000, or a free one if that is taken)")
    p.add_argument("--token", default=None, help="access token (needed off loopback)")
    p.add_argument("--open", action="store_true", help="open the live page in a browser")
    p.add_argument("--once", action="store_true", help="replay each live fixture once")
    p.add_argument("--print-only", action="store_true",
                   help="no server: simulate a desk session and print its analysis")
    p.add_argument("--seed", type=int, default=7, help="simulator seed for --print-only")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.print_only:
        return print_demo(args.seed)
    settings_mod = importlib.import_module("dashboard.settings")  # see the module docstring
    server = importlib.import_module("dashboard.server")
    settings = settings_mod.Settings.from_env(host=args.host, port=args.port,
                                              token=args.token)
    plan = server.DemoPlan(loop=not args.once)
    return int(server.demo(settings, plan, open_browser=args.open))


def print_demo(seed: int) -> int:
    from sensorcoach.simulate import SimConfig, simulate, write_simulation

    sim = simulate("desk", seed=seed, config=SimConfig(sample_rate_hz=50.0))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "demo-desk.csv.gz"
        write_simulation(sim, path)
        rec = Recording.read(path)
        sys.stdout.write(f"Simulated a {rec.duration_s / 60:.0f}-minute desk session: "
                         f"sensor on the upper back at a random angle, {rec.sample_rate_hz:g} "
                         "Hz, with noise and gyro bias.\n\n")
        result = analyze(rec)
        sys.stdout.write(render(result.to_dict(), "the simulated session") + "\n")
    truth = [(float(s["start_s"]), float(s["end_s"])) for s in sim.labels["segments"]
             if s["kind"] == "slump"]
    sc = match([(e.start_s, e.end_s) for e in result.slumps], truth)
    sys.stdout.write(f"\nAgainst the simulator's ground truth: {sc.tp} of {len(truth)} slumps "
                     f"found, {sc.fp} false alarms.\n")
    return 0
