"""Run the speed benchmarks and print one table: work, ours, peer, ratio, peak memory.

Each benchmark script runs in its own process, prints its details, and appends its rows
to a shared JSON-lines file; the table is printed at the end with the date and the
machine's size, so the figures of the README can be reproduced from it.

Usage: python benchmarks/table.py [--skip NAME ...] [--rows FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from _harness import format_table, read_rows

HERE = Path(__file__).resolve().parent
#: (name, script, arguments besides the rows file option) in the order of the table.
BENCHES = [
    ("analyze", "analyze_speed.py", "--rows"),
    ("cli", "cli_start.py", "--rows"),
    ("read", "read_speed.py", "--rows-out"),
    ("witmotion", "witmotion_decode.py", "--rows"),
    ("live", "live_latency.py", "--rows"),
    ("dashboard", "dashboard_speed.py", "--rows"),
]


def machine() -> str:
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.0f} GiB RAM"
    except (ValueError, OSError):
        pass
    return (f"{os.cpu_count()} cores{mem}, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip", nargs="*", default=[], choices=[b[0] for b in BENCHES],
                    help="benchmarks to leave out")
    ap.add_argument("--rows", help="keep the rows in this file (default: a temporary one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows_path = Path(args.rows) if args.rows else Path(tmp) / "rows.jsonl"
        failed: list[str] = []
        for name, script, opt in BENCHES:
            if name in args.skip:
                continue
            print(f"== {script}", flush=True)
            done = subprocess.run([sys.executable, str(HERE / script), opt, str(rows_path)],
                                  check=False)
            if done.returncode != 0:
                failed.append(f"{script} (exit {done.returncode})")
        rows = read_rows(rows_path)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n== speed table, {when}; {machine()}; figures move with machine load")
    print(format_table(rows))
    if failed:
        print("failed: " + ", ".join(failed))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
