"""The benchmark harness (benchmarks/_harness.py): statistics, fair rounds, rows, table,
child peak memory.  No wall-clock figure is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _harness import (
    Row,
    Stat,
    compare,
    fmt_value,
    format_table,
    peak_rss_mib,
    read_rows,
    write_rows,
)


def test_stat_is_median_and_best() -> None:
    s = Stat.of([3.0, 1.0, 2.0, 10.0])
    assert s == Stat(2.5, 1.0, 4)
    assert Stat.of([5.0]) == Stat(5.0, 5.0, 1)
    assert s.spread() == pytest.approx(2.5)
    with pytest.raises(ValueError):
        Stat.of([])


class FakeClock:
    """Each contender call advances time by that contender's cost."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_compare_gives_every_contender_the_same_warmup_and_rounds_in_alternating_order(
) -> None:
    clock = FakeClock()
    calls: list[str] = []

    def make(name: str, cost: float):  # type: ignore[no-untyped-def]
        def fn() -> None:
            calls.append(name)
            clock.now += cost
        return fn

    res = compare({"a": make("a", 1.0), "b": make("b", 3.0)}, rounds=4, warmup=2, clock=clock)
    assert calls == ["a", "a", "b", "b",  # warm-up, untimed
                     "a", "b", "b", "a", "a", "b", "b", "a"]
    assert res["a"] == Stat(1.0, 1.0, 4)
    assert res["b"] == Stat(3.0, 3.0, 4)
    with pytest.raises(ValueError):
        compare({"a": make("a", 1.0)}, rounds=0)


def test_compare_median_and_best_follow_the_rounds() -> None:
    clock = FakeClock()
    costs = iter([9.0, 4.0, 2.0, 6.0])  # warm-up 9, then rounds 4, 2, 6

    def fn() -> None:
        clock.now += next(costs)

    assert compare({"x": fn}, rounds=3, warmup=1, clock=clock)["x"] == Stat(4.0, 2.0, 3)


def _row(**kw: object) -> Row:
    base: dict[str, object] = dict(work="decode", ours_name="ours", ours=Stat(0.5, 0.4, 5),
                                   peer_name="peer", peer=Stat(2.0, 1.5, 5),
                                   ours_rss_mib=80.4, peer_rss_mib=120.0, note="same bytes")
    base.update(kw)
    return Row(**base)  # type: ignore[arg-type]


def test_row_ratio_is_peer_median_over_ours() -> None:
    assert _row().ratio == pytest.approx(4.0)
    assert _row(peer=None, peer_name=None).ratio is None


def test_rows_round_trip_through_json_lines(tmp_path: Path) -> None:
    rows = [_row(), _row(work="live", unit="ms", peer=None, peer_name=None, peer_rss_mib=None)]
    path = tmp_path / "rows.jsonl"
    write_rows(path, rows[:1])
    write_rows(path, rows[1:])  # appends
    write_rows(None, rows)  # no file: nothing
    assert read_rows(path) == rows
    assert read_rows(tmp_path / "absent.jsonl") == []


def test_format_table_shows_each_figure_ratio_memory_and_what_is_compared() -> None:
    text = format_table([_row(), _row(work="store", unit="ms", ours=Stat(0.03, 0.02, 300),
                                      peer=None, peer_name=None, peer_rss_mib=None,
                                      ours_rss_mib=None, note="")])
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["work", "ours:"]
    first = lines[2]
    assert first.startswith("1. decode")
    assert "500 ms (400 ms)" in first and "2.00 s (1.50 s)" in first
    assert "4.00x" in first and "80 / 120" in first
    second = lines[3]
    assert second.startswith("2. store") and "0.03 ms (0.02 ms)" in second
    assert second.split()[-5:] == ["-", "-", "-", "/", "-"]  # no peer, ratio, memory
    assert "1. ours: ours; peer: peer; n=5; same bytes" in text
    assert "2. ours: ours; no peer; n=300" in text
    widths = {len(line) for line in lines[:4]}
    assert len(widths) == 1  # aligned columns


def test_fmt_value_units() -> None:
    assert fmt_value(0.0456, "s") == "46 ms"
    assert fmt_value(2.345, "s") == "2.35 s"
    assert fmt_value(1.2345, "ms") == "1.23 ms"
    assert fmt_value(45.6, "ms") == "46 ms"
    assert fmt_value(0.00123, "ms") == "0.00123 ms"
    assert fmt_value(0.5, "%") == "0.50 %"


def test_peak_rss_does_not_inherit_the_parents_high_water_mark() -> None:
    """Regression: a child forked from a big benchmark process reported the parent's
    peak (Linux keeps ru_maxrss across exec); children start from a small launcher."""
    big = np.ones(40_000_000)  # 305 MiB resident in this process
    small = peak_rss_mib([sys.executable, "-c", "pass"])
    grown = peak_rss_mib([sys.executable, "-c",
                          "import numpy as np; a = np.ones(20_000_000); a += 1"])
    assert big.sum() > 0
    assert small < 100
    assert grown > 150  # 153 MiB of the child's own array counts
    with pytest.raises(RuntimeError):
        peak_rss_mib([sys.executable, "-c", "raise SystemExit(3)"])


def test_table_runs_every_speed_benchmark_with_the_option_it_takes() -> None:
    """Regression guard for the wiring of ``make bench``: each script listed by
    benchmarks/table.py exists and declares the rows option the table passes it."""
    import table

    here = Path(table.__file__).parent
    names = {script for _, script, _ in table.BENCHES}
    assert {"analyze_speed.py", "read_speed.py", "witmotion_decode.py", "live_latency.py",
            "cli_start.py", "dashboard_speed.py"} <= names
    for _, script, opt in table.BENCHES:
        source = (here / script).read_text()
        assert f'add_argument("{opt}"' in source, (script, opt)
        assert "write_rows(" in source, script
