"""Shared pieces of the speed benchmarks: fair timing, peak memory of a child process,
and the one table ``make bench`` prints (``benchmarks/table.py``).

Fair timing (:func:`compare`): every contender gets the same warm-up calls and the same
number of timed rounds on the same input; in each round every contender runs once, in
an order that alternates from round to round, so a change of machine load hits all of
them alike.  A figure is the median and the best of those rounds.

Peak memory (:func:`peak_rss_mib`): the maximum resident set size of one child process
that does one work item (``os.wait4`` returns that child's own ``ru_maxrss``), so
libraries imported and input held count, as they do for a user.

Rows (:class:`Row`) are written as JSON lines by each benchmark script
(``--rows FILE``) and printed together by :func:`format_table`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Stat:
    """Median and best (smallest) of ``n`` measurements, in the row's unit."""

    median: float
    best: float
    n: int

    @staticmethod
    def of(values: Iterable[float]) -> Stat:
        v = [float(x) for x in values]
        if not v:
            raise ValueError("no measurements")
        return Stat(statistics.median(v), min(v), len(v))

    def spread(self) -> float:
        """Median over best: 1.0 when every round took the same time."""
        return self.median / self.best if self.best > 0 else float("nan")


def compare(contenders: Mapping[str, Callable[[], object]], *, rounds: int,
            warmup: int = 1, clock: Callable[[], float] = time.perf_counter
            ) -> dict[str, Stat]:
    """Seconds per call of each contender: ``warmup`` untimed calls each, then ``rounds``
    rounds in which every contender is called once (order reversed every other round)."""
    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    names = list(contenders)
    for name in names:
        for _ in range(warmup):
            contenders[name]()
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            t0 = clock()
            contenders[name]()
            times[name].append(clock() - t0)
    return {n: Stat.of(times[n]) for n in names}


#: Runs argv[1:] and prints its peak RSS in KiB.  A child forked from a big process
#: inherits that process's high-water mark (Linux keeps it across exec), so the work is
#: started from this small launcher, never from the benchmark process itself.
_LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, st, ru = os.wait4(p.pid, 0)\n"
    "code = os.waitstatus_to_exitcode(st)\n"
    "print(ru.ru_maxrss if code == 0 else -1)\n"
    "sys.exit(code)\n")


def peak_rss_mib(argv: Sequence[str], env: Mapping[str, str] | None = None) -> float:
    """Peak resident memory (MiB) of the child process ``argv`` (Linux ``ru_maxrss``),
    started from a small launcher process so the caller's own size does not count."""
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], capture_output=True,
                          text=True, env=None if env is None else dict(env), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {done.returncode}: "
                           f"{done.stderr.strip()[-400:]}")
    return int(done.stdout.strip()) / 1024.0  # KiB on Linux


def child_argv(script: str | Path, *args: str) -> list[str]:
    """This interpreter running a benchmark script in its ``--child`` mode."""
    return [sys.executable, str(script), "--child", *args]


@dataclass(frozen=True)
class Row:
    """One work item of the table: ours beside a peer on the same input.

    ``unit``: ``s`` (time per run), ``ms`` (time per block), ``%`` (of one core).  Lower
    is better in every unit; the ratio is peer median over ours (above 1: ours faster).
    """

    work: str
    ours_name: str
    ours: Stat
    unit: str = "s"
    peer_name: str | None = None
    peer: Stat | None = None
    ours_rss_mib: float | None = None
    peer_rss_mib: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.peer is None or self.ours.median <= 0:
            return None
        return self.peer.median / self.ours.median

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @staticmethod
    def from_json(text: str) -> Row:
        d = json.loads(text)
        d["ours"] = Stat(**d["ours"])
        d["peer"] = None if d["peer"] is None else Stat(**d["peer"])
        return Row(**d)


def write_rows(path: str | Path | None, rows: Iterable[Row]) -> None:
    """Append rows to ``path`` (JSON lines); nothing when ``path`` is None."""
    if path is None:
        return
    with Path(path).open("a", encoding="utf-8") as f:
        for row in rows:
            f.write(row.to_json() + "\n")


def read_rows(path: str | Path) -> list[Row]:
    p = Path(path)
    if not p.exists():
        return []
    return [Row.from_json(line) for line in p.read_text("utf-8").splitlines() if line.strip()]


def fmt_value(x: float, unit: str) -> str:
    """A figure with its unit, seconds shown as ms below one second."""
    if unit == "s":
        return f"{x * 1000:.0f} ms" if x < 1.0 else f"{x:.2f} s"
    if unit == "ms":
        return f"{x:.3g} ms" if x < 10 else f"{x:.0f} ms"
    if unit == "%":
        return f"{x:.2f} %"
    return f"{x:.3g} {unit}"


def fmt_stat(s: Stat | None, unit: str) -> str:
    if s is None:
        return "-"
    return f"{fmt_value(s.median, unit)} ({fmt_value(s.best, unit)})"


def fmt_rss(mib: float | None) -> str:
    return "-" if mib is None else f"{mib:.0f}"


def format_table(rows: Sequence[Row]) -> str:
    """The table: one line per work item, then its name-and-note line."""
    head = ["work", "ours: median (best)", "peer: median (best)", "ratio", "RSS ours/peer MiB"]
    body: list[list[str]] = []
    notes: list[str] = []
    for i, r in enumerate(rows, 1):
        ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
        rss = f"{fmt_rss(r.ours_rss_mib)} / {fmt_rss(r.peer_rss_mib)}"
        n = r.ours.n if r.peer is None else min(r.ours.n, r.peer.n)
        body.append([f"{i}. {r.work}", fmt_stat(r.ours, r.unit), fmt_stat(r.peer, r.unit),
                     ratio, rss])
        peer = f"; peer: {r.peer_name}" if r.peer_name else "; no peer"
        note = f"; {r.note}" if r.note else ""
        notes.append(f"{i}. ours: {r.ours_name}{peer}; n={n}{note}")
    widths = [max(len(x[c]) for x in [head, *body]) for c in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if k == 0 else c.rjust(w)
                         for k, (c, w) in enumerate(zip(cells, widths, strict=True)))

    out = [line(head), "  ".join("-" * w for w in widths)]
    out += [line(b) for b in body]
    out.append("")
    out.append("ratio = peer median / ours median (above 1: ours faster); RSS = peak resident "
               "memory of a child process doing that one work item.")
    out += notes
    return "\n".join(out)
