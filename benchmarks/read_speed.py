"""Recording read speed beside bare ``pandas.read_csv`` and ``numpy.loadtxt`` on the same
file, in the same run.

Our reader is pandas' C tokenizer underneath, plus header parsing, a line count, glitch
screening and validation (finite values, time increasing, units); the peers only parse
(``pandas.read_csv(skiprows=<header lines>, dtype=float64)`` into a DataFrame, and
``numpy.loadtxt``), so the peers do less work.

Measurement (:func:`_harness.compare`): one warm-up call of each, then ``--rounds``
rounds of all contenders in alternating order; median and best of the rounds.  Peak
memory: one child process per reader.

Usage: python benchmarks/read_speed.py [--rows N] [--rounds 5] [--rows-out FILE]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
from _harness import Row, child_argv, compare, peak_rss_mib, write_rows

from sensorcoach import Recording


def header_lines(path: Path) -> int:
    """Number of ``#`` lines before the column line."""
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    n = 0
    with opener(path, "rt") as f:
        for line in f:
            if not line.startswith("#"):
                return n
            n += 1
    return n


def read_pandas(path: Path, skip: int) -> object:
    import pandas as pd

    return pd.read_csv(path, skiprows=skip, dtype=np.float64, engine="c")


def read_loadtxt(path: Path, skip: int) -> object:
    return np.loadtxt(path, delimiter=",", skiprows=skip + 1)


def _child(side: str, path_s: str) -> None:
    path = Path(path_s)
    skip = header_lines(path)
    if side == "ours":
        Recording.read(path)
    elif side == "pandas":
        read_pandas(path, skip)
    else:
        read_loadtxt(path, skip)


def make_file(d: Path, n: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    t = np.arange(n) / 100.0
    acc = rng.normal(0, 0.05, (n, 3)) + np.array([0.0, 0.0, 1.0])
    gyro = rng.normal(0, 2, (n, 3))
    rec = Recording.from_arrays(t, acc, gyro, sample_rate_hz=100)
    csv, gz = d / "day.csv", d / "day.csv.gz"
    rec.write(csv)
    rec.write(gz)
    return csv, gz


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="samples in the file")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rows-out", help="append the table rows (JSON lines) to this file")
    ap.add_argument("--child", nargs=2, metavar=("SIDE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    n = args.rows
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        csv, gz = make_file(Path(tmp), n)
        skip = header_lines(csv)
        mb = csv.stat().st_size / 1e6
        print(f"read speed: {n:,} rows of t,ax,ay,az,gx,gy,gz ({mb:.0f} MB CSV, "
              f"{gz.stat().st_size / 1e6:.0f} MB gzipped), median (best) of {args.rounds} "
              "rounds, same file for all")
        for path, label in ((csv, "csv"), (gz, "csv.gz")):
            fns = {"ours": lambda p=path: Recording.read(p),
                   "pandas": lambda p=path: read_pandas(p, skip)}
            if label == "csv":
                fns["loadtxt"] = lambda p=path: read_loadtxt(p, skip)
            res = compare(fns, rounds=args.rounds, warmup=1)
            rss = {k: peak_rss_mib(child_argv(__file__, k, str(path))) for k in fns}
            for k, s in res.items():
                print(f"  {k:<8} .{label:<7} {s.median:7.3f} s ({s.best:.3f})  "
                      f"{n / s.median / 1e6:5.2f} M rows/s  peak RSS {rss[k]:4.0f} MiB")
            for peer, peer_name in (("pandas", "pandas.read_csv(skiprows, dtype=float64) "
                                     "-> DataFrame, no validation"),
                                    ("loadtxt", "numpy.loadtxt")):
                if peer not in res:
                    continue
                rows.append(Row(
                    work=f"read {n / 1e6:g} M-row recording .{label} ({peer})",
                    ours_name=f"Recording.read ({n / res['ours'].median / 1e6:.2f} M rows/s "
                    "median; header, validation, glitch screen)",
                    ours=res["ours"], peer_name=peer_name, peer=res[peer],
                    ours_rss_mib=rss["ours"], peer_rss_mib=rss[peer],
                    note=f"same file, {mb if label == 'csv' else gz.stat().st_size / 1e6:.0f} MB"))
                print(f"  ours vs {peer} .{label}: {res[peer].median / res['ours'].median:.2f}x "
                      "(peer median / ours median)")
    write_rows(args.rows_out, rows)


if __name__ == "__main__":
    main()
