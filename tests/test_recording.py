"""Recording format (SPEC section 3): round trips and every kind of bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from sensorcoach import Recording, RecordingError
from sensorcoach.cli import main
from tests.conftest import make_recording

HEADER = "# sensorcoach-recording: 1\n# sample_rate_hz: 50\n"


@pytest.mark.parametrize("name", ["r.csv", "r.csv.gz"])
@pytest.mark.parametrize("gyro", [True, False])
def test_round_trip(tmp_path: Path, name: str, gyro: bool) -> None:
    rec = make_recording(gyro=gyro, calibration_upright_s=(0.5, 5.0),
                         calibration_forward_s=(5.5, 9.0), meta={"placement": "chest", "x": "y"})
    rec.write(tmp_path / name)
    back = Recording.read(tmp_path / name)
    assert back.n_samples == rec.n_samples
    np.testing.assert_allclose(back.t, rec.t, atol=1e-6)
    np.testing.assert_allclose(back.acc, rec.acc, atol=1e-5)
    assert back.has_gyro is gyro
    if gyro:
        assert back.gyro is not None and rec.gyro is not None
        np.testing.assert_allclose(back.gyro, rec.gyro, atol=1e-3)
    assert back.sample_rate_hz == 50.0
    assert back.calibration_upright_s == (0.5, 5.0)
    assert back.calibration_forward_s == (5.5, 9.0)
    assert back.meta["placement"] == "chest" and back.meta["x"] == "y"
    assert back.acc.shape == (rec.n_samples, 3)
    assert back.acc_axes.flags.c_contiguous


def test_spec_example_and_extra_columns(tmp_path: Path) -> None:
    p = tmp_path / "spec.csv"
    p.write_text(
        "# sensorcoach-recording: 1\n# sample_rate_hz: 50\n# device: witmotion-wt901blecl\n"
        "# placement: upper_back\n# started_at: 2026-11-25T09:00:00Z\n"
        "# calibration_upright_s: 0.0,5.0\n# calibration_forward_s: 6.0,9.0\n"
        "# some_future_key: kept\n"
        "t,ax,ay,az,gx,gy,gz,mx,my,mz\n"
        "0.000000,0.0123,-0.0211,0.9987,0.12,-0.20,0.03,1,2,3\n"
        "\n"
        "0.020000,0.0124,-0.0210,0.9988,0.11,-0.21,0.02,1,2,3\r\n"
        "10.0,0,0,1,0,0,0,1,2,3\n"
    )
    rec = Recording.read(p)
    assert rec.n_samples == 3
    assert rec.meta["device"] == "witmotion-wt901blecl"
    assert rec.meta["some_future_key"] == "kept"
    assert rec.acc[0].tolist() == [0.0123, -0.0211, 0.9987]
    assert rec.gyro is not None and rec.gyro[1].tolist() == [0.11, -0.21, 0.02]
    assert [(g.start_s, g.end_s) for g in rec.gaps()] == [(0.02, 10.0)]


def test_accelerometer_only(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text(HEADER + "t,ax,ay,az\n0,0,0,1\n0.02,0,0,1\n")
    rec = Recording.read(p)
    assert not rec.has_gyro and rec.gyro is None


def test_sample_rate_inferred_when_absent(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("# sensorcoach-recording: 1\nt,ax,ay,az\n0,0,0,1\n0.01,0,0,1\n0.02,0,0,1\n")
    assert Recording.read(p).sample_rate_hz == pytest.approx(100.0)


def test_gaps_detected_not_filled() -> None:
    t = np.concatenate([np.arange(0, 10, 0.02), np.arange(12, 20, 0.02)])
    acc = np.tile([0.0, 0.0, 1.0], (t.size, 1))
    rec = Recording.from_arrays(t, acc, sample_rate_hz=50)
    gaps = rec.gaps()
    assert len(gaps) == 1
    assert gaps[0].start_s == pytest.approx(9.98) and gaps[0].end_s == pytest.approx(12.0)
    assert rec.n_samples == t.size


BAD_CASES: dict[str, tuple[bytes, str, int | None]] = {
    "empty": (b"", "empty file", 1),
    "whitespace": (b"\n\n  \n", "empty file", 1),
    "header only": (b"# sensorcoach-recording: 1\n# sample_rate_hz: 50\n", "header only", 2),
    "no rows": (HEADER.encode() + b"t,ax,ay,az\n", "no samples", 4),
    "missing column": (HEADER.encode() + b"t,ax,ay\n0,0,0\n", "columns must start", 3),
    "misnamed column": (HEADER.encode() + b"time,ax,ay,az\n0,0,0,1\n", "columns must start", 3),
    "partial gyro": (HEADER.encode() + b"t,ax,ay,az,gx,gz\n0,0,0,1,0,0\n", "gyro columns", 3),
    "non numeric": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0.02,abc,0,1\n", "not a number", 5),
    "nan": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0.02,nan,0,1\n", "not a finite", 5),
    "inf": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0.02,0,inf,1\n", "not a finite", 5),
    "empty cell": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0.02,,0,1\n", "not a number", 5),
    "short row": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0.02,0,0\n", "expected 4 fields", 5),
    "long row": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0.02,0,0,1,5\n", "expected 4 fields", 5),
    "backwards": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0.04,0,0,1\n\n0.02,0,0,1\n",
                  "time goes backwards", 7),
    "repeat": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n0,0,0,1\n", "time repeats", 5),
    "no magic": (b"t,ax,ay,az\n0,0,0,1\n", "not a sensorcoach recording", 1),
    "bad version": (b"# sensorcoach-recording: 9\nt,ax,ay,az\n0,0,0,1\n", "unsupported", 1),
    "binary": (bytes(range(256)) * 4, "binary data", 1),
    "binary in body": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1\n\xff\xfe\x00\x01garbage\n",
                       "binary data", 5),
    "bad rate": (b"# sensorcoach-recording: 1\n# sample_rate_hz: fast\nt,ax,ay,az\n0,0,0,1\n",
                 "sample_rate_hz is not a number", None),
    "negative rate": (b"# sensorcoach-recording: 1\n# sample_rate_hz: -5\nt,ax,ay,az\n0,0,0,1\n",
                      "positive", None),
    "bad span": (HEADER.encode() + b"# calibration_upright_s: 5\nt,ax,ay,az\n0,0,0,1\n0.02,0,0,1\n",
                 "calibration_upright_s must be", None),
    "m/s^2": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,9.81\n0.02,0,0.1,9.8\n",
              "looks like m/s^2", None),
    "milli-g": (HEADER.encode() + b"t,ax,ay,az\n0,0,0,1000\n0.02,0,10,998\n",
                "looks like milli-g", None),
    "span outside": (HEADER.encode() + b"# calibration_upright_s: 50,60\nt,ax,ay,az\n0,0,0,1\n"
                     b"0.02,0,0,1\n", "outside the recording", None),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_names_file_and_line(tmp_path: Path, case: str) -> None:
    data, needle, line = BAD_CASES[case]
    p = tmp_path / "bad.csv"
    p.write_bytes(data)
    with pytest.raises(RecordingError) as ei:
        Recording.read(p)
    assert needle in str(ei.value)
    assert ei.value.path == str(p)
    assert ei.value.line == line
    assert str(ei.value).startswith(str(p))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        Recording.read(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="directory"):
        Recording.read(tmp_path)


def test_truncated_gzip(tmp_path: Path) -> None:
    p = tmp_path / "r.csv.gz"
    make_recording(n=5000).write(p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(RecordingError, match="truncated gzip"):
        Recording.read(p)


def test_corrupt_gzip(tmp_path: Path) -> None:
    p = tmp_path / "r.csv.gz"
    data = bytearray(gzip.compress(b"# sensorcoach-recording: 1\nt,ax,ay,az\n0,0,0,1\n" * 50))
    data[20:30] = b"\x00" * 10
    p.write_bytes(bytes(data))
    with pytest.raises(RecordingError, match="gzip"):
        Recording.read(p)


def test_gz_name_but_plain_text(tmp_path: Path) -> None:
    p = tmp_path / "r.csv.gz"
    p.write_text(HEADER + "t,ax,ay,az\n0,0,0,1\n")
    with pytest.raises(RecordingError, match="not gzip"):
        Recording.read(p)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"t": [0, 1, 2], "acc": np.ones((2, 3))}, "shape"),
        ({"t": [0, 1, 1], "acc": np.ones((3, 3))}, "time repeats"),
        ({"t": [0, 1, 2], "acc": [[0, 0, 1], [0, np.nan, 1], [0, 0, 1]]}, "1 of 3 .* glitches"),
        ({"t": [0, np.nan, 2], "acc": np.ones((3, 3))}, "NaN"),
        ({"t": [0, 1, 2], "acc": np.ones((3, 3)), "gyro": np.ones((3, 2))}, "gyro must"),
        ({"t": [], "acc": np.ones((0, 3)), "sample_rate_hz": 50}, "no samples"),
        ({"t": [0, 1, 2], "acc": np.ones((3, 3)), "sample_rate_hz": 0}, "positive"),
        ({"t": [0, 1, 2], "acc": np.ones((3, 3)), "calibration_upright_s": (3, 1)}, "start < end"),
    ],
)
def test_from_arrays_validates(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(RecordingError, match=needle):
        Recording.from_arrays(**kwargs)  # type: ignore[arg-type]


def test_from_arrays_accepts_axis_major() -> None:
    acc = np.zeros((3, 10))
    acc[2] = 1
    rec = Recording.from_arrays(np.arange(10) / 10, acc)
    assert rec.acc.shape == (10, 3) and rec.sample_rate_hz == pytest.approx(10)


def test_write_is_atomic_and_deterministic(tmp_path: Path) -> None:
    rec = make_recording()
    rec.write(tmp_path / "a.csv.gz")
    rec.write(tmp_path / "b.csv.gz")
    assert (tmp_path / "a.csv.gz").read_bytes() == (tmp_path / "b.csv.gz").read_bytes()
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("case", ["empty", "non numeric", "backwards", "binary", "nan"])
def test_cli_bad_input_exit_2_one_line(tmp_path: Path, case: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.csv"
    p.write_bytes(BAD_CASES[case][0])
    code = main(["analyze", str(p)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(p) in err


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err
