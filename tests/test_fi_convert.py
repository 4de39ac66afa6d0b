"""``sensorcoach convert`` for every format, through ``sensorcoach.cli.main``."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from firmware_interface.codecs import encode
from firmware_interface.formats import decode_file
from firmware_interface.samples import G0
from sensorcoach import Recording, cli
from sensorcoach.commands import convert_cmd

T0 = 1_700_000_000_000_000_000


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(args)
    return code, capsys.readouterr().err


def truth(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    acc = np.rint(rng.normal(0, 0.3, (n, 3)) * 2048) / 2048
    gyr = np.rint(rng.normal(0, 20, (n, 3)) * 16.384) / 16.384
    return acc, gyr


def sl_csv(t_ns: np.ndarray, xyz: np.ndarray) -> bytes:
    lines = ["time,seconds_elapsed,z,y,x"]
    lines += [f"{t},{(t - t_ns[0]) / 1e9:.3f},{float(v[2])!r},{float(v[1])!r},{float(v[0])!r}"
              for t, v in zip(t_ns.tolist(), xyz, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def make_inputs(tmp: Path) -> dict[str, tuple[Path, int, bool]]:
    """format -> (input path, expected samples, has gyro)."""
    acc, gyr = truth(40)
    out: dict[str, tuple[Path, int, bool]] = {}
    (tmp / "wit.bin").write_bytes(encode.witmotion_serial(acc, gyr))
    out["witmotion-serial"] = (tmp / "wit.bin", 40, True)
    (tmp / "witble.bin").write_bytes(encode.witmotion_ble(acc, gyr))
    out["witmotion-ble"] = (tmp / "witble.bin", 40, True)
    (tmp / "mb.bin").write_bytes(encode.microbit_records(acc))
    out["microbit"] = (tmp / "mb.bin", 40, False)
    (tmp / "thingy.bin").write_bytes(encode.thingy52_records(acc, gyr))
    out["thingy52"] = (tmp / "thingy.bin", 40, True)
    t_ns = T0 + np.arange(40, dtype=np.int64) * 10_000_000
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("rec/TotalAcceleration.csv", sl_csv(t_ns, acc * G0))
        z.writestr("rec/Gyroscope.csv", sl_csv(t_ns, np.radians(gyr)))
        z.writestr("rec/Metadata.csv", "version,platform\n3,android\n")
    (tmp / "sl.zip").write_bytes(buf.getvalue())
    out["sensorlogger"] = (tmp / "sl.zip", 40, True)
    lines = []
    for m in range(4):
        items = [{"name": n, "time": int(t_ns[i]), "values": dict(zip("xyz", v, strict=True))}
                 for i in range(m * 10, m * 10 + 10)
                 for n, v in (("accelerometer", [0.0, 0.0, 0.5]),
                              ("gravity", list(acc[i] * G0)))]
        lines.append({"messageId": m, "sessionId": "s", "deviceId": "d", "payload": items})
    import json

    (tmp / "push.jsonl").write_text("\n".join(json.dumps(x) for x in lines[::-1]) + "\n")
    out["sensorlogger-json"] = (tmp / "push.jsonl", 40, False)
    rows = ['"Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)",'
            '"Acceleration z (m/s^2)","Absolute acceleration (m/s^2)"']
    rows += [f"{i * 0.01:.9E},{a[0] * G0:.9E},{a[1] * G0:.9E},{a[2] * G0:.9E},1E0"
             for i, a in enumerate(acc)]
    rows += ["NaN,NaN,NaN,NaN,NaN"] * 3
    (tmp / "Raw Data.csv").write_text("\n".join(rows) + "\n")
    out["phyphox-csv"] = (tmp / "Raw Data.csv", 40, False)
    gen = ["time_ms,ax,ay,az,gx,gy,gz"] + [
        f"{i * 20},{a[0]},{a[1]},{a[2]},{g[0]},{g[1]},{g[2]}"
        for i, (a, g) in enumerate(zip(acc, gyr, strict=True))]
    (tmp / "generic.csv").write_text("\n".join(gen) + "\n")
    out["csv"] = (tmp / "generic.csv", 40, True)
    return out


def test_convert_every_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    acc, gyr = truth(40)
    for fmt, (src, n, has_gyro) in make_inputs(tmp_path).items():
        for given in (fmt, "auto"):
            if given == "auto" and fmt in ("microbit", "thingy52"):
                continue  # headerless: cannot be sniffed
            dst = tmp_path / f"{fmt}-{given}.csv"
            extra = ["--columns", "t=time_ms,ax=ax,ay=ay,az=az,gx=gx,gy=gy,gz=gz,"
                     "time_unit=ms"] if fmt == "csv" else []
            code, err = run(["convert", str(src), "--from", given, "-o", str(dst), *extra],
                            capsys)
            assert code == 0, (fmt, given, err)
            assert err.count("\n") == 1 and "samples_ok=40" in err, err
            rec = Recording.read(dst)
            assert rec.n_samples == n and rec.has_gyro == has_gyro, fmt
            coarse = fmt in ("microbit", "thingy52")  # 1 mg and 1/1024 g steps
            lin = np.array([0, 0, 0.5 / G0]) if fmt == "sensorlogger-json" else 0.0  # accel+g
            want = acc + lin
            np.testing.assert_allclose(rec.acc, want, atol=1e-3 if coarse else 1e-5,
                                       err_msg=fmt)
            if has_gyro and rec.gyro is not None:  # thingy: 1/32 deg/s steps
                np.testing.assert_allclose(rec.gyro, gyr, atol=0.02 if coarse else 2e-3,
                                           err_msg=fmt)


def test_convert_rate_sets_sample_count_timing(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    src = make_inputs(tmp_path)["witmotion-serial"][0]
    code, _ = run(["convert", str(src), "--from", "witmotion-serial", "--rate", "50", "-o",
                   str(tmp_path / "o.csv")], capsys)
    rec = Recording.read(tmp_path / "o.csv")
    assert code == 0 and rec.sample_rate_hz == 50 and rec.t[-1] == pytest.approx(39 / 50)


@pytest.mark.parametrize(("content", "fmt", "needle"), [
    (b"\x01\x02\x03" * 10, "auto", "pass --from microbit"),
    (b"a,b\n1,2\n", "csv", "cannot tell which columns"),
    (b"", "witmotion-serial", "no samples decoded"),
    (b"{not json\n", "sensorlogger-json", "not JSON"),
    (b'"Time (s)","Linear Acceleration x (m/s^2)"\n0,1\n', "phyphox-csv", "gravity removed"),
])
def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         content: bytes, fmt: str, needle: str) -> None:
    src = tmp_path / "in.dat"
    src.write_bytes(content)
    code, err = run(["convert", str(src), "--from", fmt, "-o", str(tmp_path / "o.csv")],
                    capsys)
    assert code == 2 and err.count("\n") == 1 and needle in err, err
    assert "in.dat" in err and not (tmp_path / "o.csv").exists()


def test_missing_file_and_bad_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["convert", str(tmp_path / "nope.bin"), "-o", str(tmp_path / "o.csv")],
                    capsys)
    assert code == 2 and "no such file" in err
    src = make_inputs(tmp_path)["microbit"][0]
    code, err = run(["convert", str(src), "--from", "microbit", "--rate", "0", "-o",
                     str(tmp_path / "o.csv")], capsys)
    assert code == 2 and "--rate" in err


def test_decode_file_api_and_recording_round_trip(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)["witmotion-ble"][0]
    ds = decode_file(src, "witmotion-ble", 20.0)
    assert ds.sample_rate_hz == 20.0 and ds.meta["rate_source"] == "--rate"
    rec = convert_cmd.load_recording(src, "witmotion-ble", 20.0)
    assert rec.n_samples == 40 and rec.meta["device"] == "witmotion"


def test_scan_without_bluetooth_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["scan", "--timeout", "0.5"])
    out = capsys.readouterr()
    assert code == 0 and "Traceback" not in out.err
    assert "serial ports" in out.out
    assert sum("bluetooth: unavailable" in line for line in out.out.splitlines()) == 1
    code, err = run(["scan", "--timeout", "0.5", "--require-ble"], capsys)
    assert code == 2 and err.count("\n") == 1 and "Bluetooth" in err


def test_gzipped_recording_converts_and_sniffs(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    src = Path(__file__).resolve().parents[1] / "fixtures" / "recordings" / "desk_upright.csv.gz"
    out = tmp_path / "out.csv"
    code, err = run(["convert", str(src), "--from", "auto", "-o", str(out)], capsys)
    assert code == 0, err
    original = Recording.read(src)
    again = Recording.read(out)
    assert again.n_samples == original.n_samples
    np.testing.assert_allclose(again.acc, original.acc, atol=1e-5)
