"""Physical plausibility of recordings (issue 13 items 5 and 12, issue 11's placement)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from sensorcoach import Recording, RecordingError
from sensorcoach.cli import main
from sensorcoach.plausibility import MAX_ACC_G, MAX_GYRO_DPS, PLACEMENTS
from sensorcoach.report import clock
from tests.conftest import make_recording

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
HEADER = "# sensorcoach-recording: 1\n# sample_rate_hz: 50\n"


def analyze_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["analyze", str(path), "--json"]) == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def body(n: int = 200, rate: float = 50.0) -> str:
    return "t,ax,ay,az\n" + "".join(f"{i / rate:.4f},0.01,0.02,0.99\n" for i in range(n))


# ---------------------------------------------------------------------- glitches
def test_one_absurd_sample_among_30000_leaves_the_analysis_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = gzip.decompress((FIX / "desk_upright.csv.gz").read_bytes()).decode()
    lines = text.splitlines(keepends=True)
    first = next(i for i, ln in enumerate(lines) if ln.startswith("t,")) + 1
    assert len(lines) - first >= 30_000
    clean = tmp_path / "clean.csv"
    clean.write_text(text)
    k = first + 15_000
    cells = lines[k].split(",")
    cells[1] = "1e200"
    lines[k] = ",".join(cells)
    dirty = tmp_path / "dirty.csv"
    dirty.write_text("".join(lines))
    a = analyze_json(clean, capsys)
    b = analyze_json(dirty, capsys)
    rec_a, rec_b = a.pop("recording"), b.pop("recording")
    assert isinstance(rec_a, dict) and isinstance(rec_b, dict)
    assert rec_a["glitches"] == 0 and rec_b["glitches"] == 1
    assert rec_b["samples"] == rec_a["samples"] - 1
    assert a == b  # posture, activity, slumps, alerts: all the same


def test_glitches_beyond_range_and_non_finite_are_dropped_from_arrays() -> None:
    rec = make_recording(n=1000)
    acc, gyro = rec.acc.copy(), rec.gyro.copy()  # type: ignore[union-attr]
    acc[100] = [1e300, 0, 0]
    acc[200] = [np.inf, 0, 1]
    acc[300] = [0, np.nan, 1]
    gyro[400] = [0, 0, MAX_GYRO_DPS * 1.01]
    acc[500] = [0, 0, MAX_ACC_G * 0.99]  # possible: kept
    out = Recording.from_arrays(rec.t, acc, gyro, sample_rate_hz=50)
    assert out.glitches == 4
    assert out.n_samples == 996
    assert np.isfinite(out.acc).all() and np.abs(out.acc).max() < MAX_ACC_G
    assert 500 / 50 in out.t and 100 / 50 not in out.t


def test_a_lone_time_stamp_out_of_the_recording_is_a_glitch(tmp_path: Path) -> None:
    rows = [f"{i / 50:.4f},0.01,0.02,0.99" for i in range(200)]
    rows[50] = "1e9,0.01,0.02,0.99"
    rows[120] = "-5000,0.01,0.02,0.99"
    p = tmp_path / "t.csv"
    p.write_text(HEADER + "t,ax,ay,az\n" + "\n".join(rows) + "\n")
    rec = Recording.read(p)
    assert rec.glitches == 2 and rec.n_samples == 198
    assert rec.duration_s < 4.0


def test_time_going_backwards_a_little_is_still_an_error(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(HEADER + "t,ax,ay,az\n0,0,0,1\n0.04,0,0,1\n0.02,0,0,1\n0.06,0,0,1\n")
    with pytest.raises(RecordingError, match="backwards"):
        Recording.read(p)


def test_mostly_glitches_is_an_error_not_an_empty_recording(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text(HEADER + "t,ax,ay,az\n" + "".join(
        f"{i / 50:.3f},0,0,{1 if i % 3 else 100}\n" for i in range(300)))
    with pytest.raises(RecordingError, match="glitches"):
        Recording.read(p)


def test_glitch_error_line_numbers_skip_dropped_rows(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    rows = [f"{i / 50:.4f},0.01,0.02,0.99" for i in range(100)]
    rows[10] = "0.2000,1e50,0,1"
    rows[60] = rows[59]  # repeats: line 3 (header) + 1 (columns) + 61
    p.write_text(HEADER + "t,ax,ay,az\n" + "\n".join(rows) + "\n")
    with pytest.raises(RecordingError, match="repeats") as ei:
        Recording.read(p)
    assert ei.value.line == 64


# ---------------------------------------------------------------------- header checks
@pytest.mark.parametrize("bad", ["lower-back", "Upper_Back", "back", ""])
def test_placement_typo_is_an_error_naming_the_line(tmp_path: Path, bad: str) -> None:
    p = tmp_path / "p.csv"
    p.write_text(HEADER + "# device: x\n# placement: " + bad + "\n" + body())
    with pytest.raises(RecordingError, match="placement must be one of") as ei:
        Recording.read(p)
    assert ei.value.line == 4


@pytest.mark.parametrize("ok", PLACEMENTS)
def test_every_documented_placement_reads(tmp_path: Path, ok: str) -> None:
    p = tmp_path / "p.csv"
    p.write_text(HEADER + f"# placement: {ok}\n" + body())
    assert Recording.read(p).meta["placement"] == ok


def test_placement_checked_in_from_arrays_too() -> None:
    with pytest.raises(RecordingError, match="placement"):
        make_recording(meta={"placement": "lower-back"})


def test_bom_prefixed_recording_is_read(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + (HEADER + body(600)).encode())
    assert Recording.read(p).n_samples == 600
    assert main(["analyze", str(p), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["recording"]["samples"] == 600


def test_header_rate_that_disagrees_with_the_time_stamps_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "r.csv"
    p.write_text("# sensorcoach-recording: 1\n# device: x\n# sample_rate_hz: 1e12\n" + body())
    with pytest.raises(RecordingError, match="disagrees with the time stamps") as ei:
        Recording.read(p)
    assert ei.value.line == 3
    with pytest.raises(RecordingError, match="disagrees"):
        Recording.from_arrays(np.arange(100) / 50, np.tile([0, 0, 1.0], (100, 1)),
                              sample_rate_hz=1e12)
    # Jitter and a few per cent of clock error are fine.
    p.write_text("# sensorcoach-recording: 1\n# sample_rate_hz: 52\n" + body())
    assert Recording.read(p).sample_rate_hz == 52


def test_duration_rounds_before_splitting_minutes() -> None:
    assert clock(599.98) == "10:00.0"
    assert clock(59.96) == "1:00.0"
    assert clock(3599.97) == "1:00:00"
    assert clock(12.34) == "0:12.3"
