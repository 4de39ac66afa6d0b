"""Hostile files (issue 13): bombs, deep JSON, huge lines, escapes; one line and exit 2.

Memory is measured with ``tracemalloc`` (numpy and bytes allocations are traced), so the
tests say how much a refused bomb costs without timing anything.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from firmware_interface import bounded, limits
from firmware_interface.errors import DecodeError, safe_text
from firmware_interface.formats import decode_file
from firmware_interface.limits import LimitError
from sensorcoach import cli

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"
MiB = 1 << 20


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(args)
    return code, capsys.readouterr().err


def gzip_bomb(inflated_mib: int, head: bytes = b"") -> bytes:
    """Concatenated gzip members of zeros: ~1 KiB per inflated MiB."""
    member = gzip.compress(b"\0" * (16 * MiB), 9, mtime=0)
    return gzip.compress(head, mtime=0) + member * (inflated_mib // 16)


def zip_bomb(inflated_mib: int) -> bytes:
    """A 'Sensor Logger export' whose Accelerometer.csv inflates to ``inflated_mib``."""
    buf = io.BytesIO()
    row = b"1700000000000000000,0.0,0.0,0.0,1.0\n" * 29127  # ~1 MiB, very compressible
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("Metadata.csv", "version,device\n1,x\n")
        with z.open("Accelerometer.csv", "w", force_zip64=True) as f:
            f.write(b"time,seconds_elapsed,z,y,x\n")
            for _ in range(inflated_mib):
                f.write(row)
    return buf.getvalue()


def peak_traced(fn: Callable[..., Any], *args: object) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        out = fn(*args)
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_one_line(err: str, limit: int = limits.MAX_MESSAGE_CHARS + 80) -> None:
    assert err.count("\n") == 1 and err.endswith("\n"), err[:300]
    assert len(err) <= limit, len(err)
    assert "Traceback" not in err


# ---------------------------------------------------------------------- bombs
def test_analyze_gzip_bomb_is_refused_within_bounded_memory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bomb.csv.gz"
    p.write_bytes(gzip_bomb(1024, b"# sensorcoach-recording: 1\nt,ax,ay,az\n"))
    assert p.stat().st_size < 2 * MiB
    code, peak = peak_traced(cli.main, ["analyze", str(p)])
    err = capsys.readouterr().err
    assert code == 2
    assert_one_line(err)
    assert "MAX_COMPRESSION_RATIO" in err or "MAX_DECOMPRESSED_BYTES" in err
    assert peak < 64 * MiB, peak


def test_analyze_zip_bomb_posing_as_sensor_logger_export(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "export.zip"
    p.write_bytes(zip_bomb(300))
    code, peak = peak_traced(cli.main, ["analyze", str(p)])
    err = capsys.readouterr().err
    assert code == 2
    assert_one_line(err)
    assert peak < 64 * MiB, peak


def test_decompressed_byte_cap_holds_without_the_ratio_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_COMPRESSION_RATIO", 10**9)
    monkeypatch.setattr(limits, "MAX_DECOMPRESSED_BYTES", 8 * MiB)
    p = tmp_path / "big.csv.gz"
    p.write_bytes(gzip_bomb(64))
    with pytest.raises(LimitError, match="MAX_DECOMPRESSED_BYTES"):
        bounded.read_input(p)
    z = tmp_path / "big.zip"
    z.write_bytes(zip_bomb(16))
    with pytest.raises(LimitError, match="MAX_DECOMPRESSED_BYTES"):
        bounded.zip_members(z)


def test_zip_member_ratio_is_checked_below_the_size_cap() -> None:
    data = zip_bomb(64)  # 64 MiB declared: within the byte cap, but ~1000:1
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("Accelerometer.csv").file_size > 60 * MiB
    with pytest.raises(LimitError, match="MAX_COMPRESSION_RATIO"):
        bounded.zip_members(data)


def test_inflate_gzip_for_uploads_is_bounded_and_exact() -> None:
    text = b"t,ax\n" + b"0.1,1\n" * 1000
    assert bounded.inflate_gzip(gzip.compress(text) + gzip.compress(b"x")) == text + b"x"
    with pytest.raises(LimitError):
        bounded.inflate_gzip(gzip_bomb(256))
    with pytest.raises(DecodeError, match="truncated"):
        bounded.inflate_gzip(gzip.compress(text)[:-12])
    with pytest.raises(DecodeError, match="corrupt"):
        bounded.inflate_gzip(b"\x1f\x8b" + b"\xff" * 40)


def test_input_size_limit_refuses_before_reading(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A 1 GiB file, sparse: nothing is read, the message is one short line.
    p = tmp_path / "huge.zip"
    with p.open("wb") as f:
        f.truncate(1 << 30)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("Accelerometer.csv", b"time,seconds_elapsed,z,y,x\n" + b"A" * 4096)
    with p.open("ab") as f:
        f.write(buf.getvalue())
    code, err = run(["analyze", str(p)], capsys)
    assert code == 2
    assert_one_line(err)


def test_huge_cell_error_is_one_short_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A zip whose CSV has a 40 KB garbage cell: the error quotes at most the line limit.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Accelerometer.csv", b"time,seconds_elapsed,z,y,x\n1,0,0,0," + b"Z" * 40_000
                   + b"\n")
    p = tmp_path / "export.zip"
    p.write_bytes(buf.getvalue())
    code, err = run(["analyze", str(p)], capsys)
    assert code == 2
    assert_one_line(err)


# ---------------------------------------------------------------------- tables, JSON
def test_line_length_rows_and_columns_are_limited(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b"t,ax,ay,az\n0," + b"1" * (limits.MAX_LINE_BYTES + 10) + b",0,1\n")
    with pytest.raises(LimitError, match="MAX_LINE_BYTES") as ei:
        decode_file(p, "csv")
    assert ei.value.line == 2
    p.write_bytes(",".join(f"c{i}" for i in range(limits.MAX_COLUMNS + 1)).encode() + b"\n1\n")
    with pytest.raises(LimitError, match="MAX_COLUMNS"):
        decode_file(p, "csv")
    monkeypatch.setattr(limits, "MAX_ROWS", 100)
    p.write_bytes(b"t,ax,ay,az\n" + b"0,0,0,1\n" * 2000)
    with pytest.raises(LimitError, match="MAX_ROWS"):
        decode_file(p, "csv")


def test_long_line_found_across_block_boundaries() -> None:
    cap = 100
    lines = [b"x" * 50] * 10 + [b"y" * 101] + [b"z"]
    assert bounded._first_long_line(b"\n".join(lines), cap) == 11
    assert bounded._first_long_line(b"a" * 101, cap) == 1
    assert bounded._first_long_line(b"a\n" * 10, cap) is None


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert bounded.json_depth(b'{"a": [1, {"b": "[[[[[[{{{"}]}') == 3
    assert bounded.json_depth(b'"\\"[[[["') == 0
    assert bounded.json_depth(b"[" * 5000 + b"]" * 5000) == 5000


def test_convert_deeply_nested_json_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    code, err = run(["convert", str(p), "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 2
    assert_one_line(err)
    assert "MAX_JSON_DEPTH" in err
    lines = tmp_path / "deep_lines.json"
    lines.write_text('{"messageId": 1, "payload": ' + "[" * 5000 + "]" * 5000 + "}\n")
    code, err = run(["convert", str(lines), "--from", "sensorlogger-json", "-o",
                     str(tmp_path / "o.csv")], capsys)
    assert code == 2 and "MAX_JSON_DEPTH" in err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("text", ["[1,2,3]", "1\n2\n", '["a"]', "[null]", '{"payload": 3}'])
def test_json_that_is_not_sensor_logger_messages_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    p = tmp_path / "push.json"
    p.write_text(text)
    for args in (["analyze", str(p)], ["analyze", str(p), "--from", "sensorlogger-json"],
                 ["analyze", str(p), "--from", "sensorlogger"],
                 ["convert", str(p), "--from", "sensorlogger-json", "-o", str(tmp_path / "o")]):
        code, err = run(args, capsys)
        assert code == 2, (args, err)
        assert_one_line(err)


# ---------------------------------------------------------------------- terminal safety
def test_errors_escape_control_characters_in_file_names_and_headers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = tmp_path / "r\x1b[2J\x1b]0;pwned\x07.csv"
    evil.write_bytes(b"# sensorcoach-recording: 1\n# sample_rate_hz: \x1b[31mfast\x9b\n"
                     b"t,ax,ay,az\n0,0,0,1\n")
    code, err = run(["analyze", str(evil)], capsys)
    assert code == 2
    assert_one_line(err)
    assert "\x1b" not in err and "\x07" not in err and "\x9b" not in err
    assert "\\x1b" in err


def test_safe_text_escapes_and_cuts() -> None:
    assert safe_text("a\x1b[0m\u202eb\x00") == "a\\x1b[0m\\u202eb\\x00"
    assert safe_text("é ü 日本") == "é ü 日本"
    long = safe_text("x" * (1 << 20))
    assert len(long) < limits.MAX_MESSAGE_CHARS + 40 and long.endswith("more characters]")


def test_error_messages_are_cut_to_the_length_limit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "n" * 3000 + ".csv"
    code, err = run(["analyze", str(tmp_path / name)], capsys)
    assert code == 2
    assert_one_line(err)


# ---------------------------------------------------------------------- recordings
def test_recording_reader_refuses_gzip_bomb_with_a_recording_error(tmp_path: Path) -> None:
    from sensorcoach import Recording, RecordingError

    p = tmp_path / "bomb.csv.gz"
    p.write_bytes(gzip_bomb(512, b"# sensorcoach-recording: 1\nt,ax,ay,az\n"))
    with pytest.raises(RecordingError, match="MAX_"):
        Recording.read(p)


def test_sniffing_reads_only_the_head_of_a_gzip_file(tmp_path: Path) -> None:
    p = tmp_path / "x.gz"
    p.write_bytes(gzip_bomb(256, b'{"messageId": 1}\n'))
    _, peak = peak_traced(bounded.read_head, p, 1 << 16)
    assert peak < 8 * MiB


def test_real_exports_still_read(tmp_path: Path) -> None:
    # The limits leave room for real inputs: a fixture recording through every reader.
    src = FIX / "desk_upright.csv.gz"
    data = bounded.read_input(src)
    assert data.startswith(b"# sensorcoach-recording")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a/Accelerometer.csv", data)
    assert bounded.zip_members(buf.getvalue())["a/Accelerometer.csv"] == data
    assert json.loads(json.dumps({"a": [1]})) == bounded.loads_json('{"a": [1]}')
    assert zlib.crc32(data) == zlib.crc32(bounded.inflate_gzip(gzip.compress(data)))
    assert os.path.getsize(src) < limits.MAX_INPUT_BYTES


def test_readme_documents_every_limit() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    names = [n for n in vars(limits) if n.startswith("MAX_")]
    assert len(names) >= 9
    for name in names:
        assert f"`{name}`" in readme, name
    assert "SENSORCOACH_LOG" in readme and "--log-level" in readme


def test_sample_limit_holds_for_dense_binary_captures_not_for_the_api(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from firmware_interface.codecs import encode
    from sensorcoach import Recording, RecordingError

    monkeypatch.setattr(limits, "MAX_ROWS", 1000)
    rng = np.random.default_rng(0)
    wire = encode.witmotion_serial(np.rint(rng.normal(0, .3, (600, 3)) * 2048) / 2048,
                                   np.zeros((600, 3)))
    p = tmp_path / "cap.bin"
    p.write_bytes(wire * 4)  # 2400 samples
    with pytest.raises(LimitError, match="MAX_ROWS"):
        decode_file(p, "witmotion-serial", 10)
    # The Python API (a long live session, a benchmark day) is not an input file.
    rec = Recording.from_arrays(np.arange(1001) / 50, np.tile([0, 0, 1.0], (1001, 1)))
    assert rec.n_samples == 1001
    p.write_text("# sensorcoach-recording: 1\nt,ax,ay,az\n"
                 + "".join(f"{i / 50},0,0,1\n" for i in range(2001)))
    with pytest.raises(RecordingError, match="MAX_ROWS"):
        Recording.read(p)


def test_json_file_size_is_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_JSON_BYTES", 1000)
    p = tmp_path / "push.json"
    p.write_text('{"messageId": 1, "payload": []}\n' * 100)
    with pytest.raises(LimitError, match="MAX_JSON_BYTES"):
        decode_file(p, "sensorlogger-json")


def test_export_members_the_decoder_does_not_read_are_never_inflated(tmp_path: Path) -> None:
    # A real export plus a bomb in a file the decoder ignores: read, bomb untouched.
    rows = "\n".join(f"{1_700_000_000_000_000_000 + i * 10_000_000},{i / 100:.2f},-1.0,0.01,0.02"
                     for i in range(500))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("Accelerometer.csv", "time,seconds_elapsed,z,y,x\n" + rows + "\n")
        z.writestr("Gravity.csv", "time,seconds_elapsed,z,y,x\n" + rows.replace("-1.0", "9.8")
                   + "\n")
        z.writestr("Magnetometer.csv", b"\0" * (300 * MiB))
    p = tmp_path / "export.zip"
    p.write_bytes(buf.getvalue())
    out, peak = peak_traced(decode_file, p)
    assert out.n_samples > 400
    assert peak < 32 * MiB
