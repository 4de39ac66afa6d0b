"""Command-line start-up: ``sensorcoach --help`` and ``sensorcoach analyze`` of a 1-hour
100 Hz CSV (360,000 rows with gyro), each beside ``python -c pass`` (the interpreter's own
start), as whole processes.

Measurement (:func:`_harness.compare`): one warm-up run of each, then ``--rounds`` rounds
of all three in alternating order; median and best wall time of the process.  Peak
memory: the process's own ``ru_maxrss`` (one more run each).

Usage: python benchmarks/cli_start.py [--rounds 5] [--rows FILE]
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import Row, compare, peak_rss_mib, write_rows


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rows", help="append the table rows (JSON lines) to this file")
    args = ap.parse_args()
    from analyze_speed import day  # the same simulated desk day, one hour of it

    hour = day(1.0, 100.0)
    exe = str(Path(sys.executable).with_name("sensorcoach"))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "hour.csv"
        hour.write(path)
        cmds = {"pass": [sys.executable, "-c", "pass"], "help": [exe, "--help"],
                "analyze": [exe, "analyze", str(path), "--json"]}
        res = compare({k: functools.partial(run, c) for k, c in cmds.items()}, rounds=args.rounds,
                      warmup=1)
        rss = {k: peak_rss_mib(c) for k, c in cmds.items()}
        mb = path.stat().st_size / 1e6
    for k, s in res.items():
        shown = " ".join(Path(c).name for c in cmds[k])
        print(f"  {shown:<40}"
              f" {s.median * 1000:7.0f} ms ({s.best * 1000:.0f})  peak RSS {rss[k]:.0f} MiB")
    base = res["pass"]
    rows = [
        Row(work="CLI start: sensorcoach --help", ours_name="sensorcoach --help (process)",
            ours=res["help"], peer_name="python -c pass (interpreter start)", peer=base,
            ours_rss_mib=rss["help"], peer_rss_mib=rss["pass"],
            note=f"+{(res['help'].median - base.median) * 1000:.0f} ms over python -c pass"),
        Row(work="CLI: sensorcoach analyze, 1 h CSV",
            ours_name=f"sensorcoach analyze --json of a 1-hour 100 Hz CSV ({hour.n_samples:,} "
            f"rows, {mb:.0f} MB), process start to exit",
            ours=res["analyze"], peer_name="python -c pass (interpreter start)", peer=base,
            ours_rss_mib=rss["analyze"], peer_rss_mib=rss["pass"],
            note=f"+{(res['analyze'].median - base.median) * 1000:.0f} ms over python -c pass")]
    write_rows(args.rows, rows)


if __name__ == "__main__":
    main()
