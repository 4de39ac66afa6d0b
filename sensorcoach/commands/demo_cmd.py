"""The terminal demo, ``sensorcoach demo --print-only``: a simulated desk session,
analysed and printed beside the simulator's truth.

The ``demo`` command itself (the dashboard with fixtures replayed live) belongs to the
dashboard package, which registers it through the ``sensorcoach.commands`` entry point
group and calls :func:`print_demo` for ``--print-only``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from sensorcoach.analysis import analyze
from sensorcoach.recording import Recording
from sensorcoach.report import render
from sensorcoach.scoring import match


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
