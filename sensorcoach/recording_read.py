"""Reading a recording file (SPEC section 3): bytes, header, samples -> :class:`Recording`.

The file's bytes come through :func:`firmware_interface.bounded.read_input` (gzip
inflated within the input limits; a UTF-8 byte order mark dropped).  The header is read
line by line, so every error names its line (a ``placement`` outside the documented
four, a ``sample_rate_hz`` that disagrees with the time stamps); the samples are parsed
by :mod:`sensorcoach.recording_table`; glitch samples are dropped and counted.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from firmware_interface.bounded import GZIP_MAGIC, check_columns, check_text, read_input
from firmware_interface.errors import FirmwareInterfaceError
from sensorcoach import plausibility
from sensorcoach.errors import RecordingError
from sensorcoach.recording import (
    ACC_COLUMNS,
    FORMAT_VERSION,
    GYRO_COLUMNS,
    MAGIC_KEY,
    Recording,
    Span,
    _check_rate,
    _check_spans,
    _glitches,
    _span,
    _validate_samples,
)
from sensorcoach.recording_table import Body, diagnose, fast_table


def read_recording(p: Path) -> Recording:
    """The recording in file ``p``; :class:`RecordingError` names the file and line of
    the first problem."""
    raw = _read_bytes(p)
    header, lines, columns, body, body_line = _split_header(raw, p)
    return _parse_body(p, header, lines, columns, body, body_line)


def _read_bytes(p: Path) -> bytes:
    """The file's text (gzip inflated, a UTF-8 byte order mark dropped), within the
    input limits of :mod:`firmware_interface.limits`."""
    try:
        if p.is_dir():
            raise RecordingError("is a directory, not a recording file", path=p)
        raw = read_input(p)
        if p.name.endswith(".gz") and _magic(p) != GZIP_MAGIC:
            raise RecordingError("named .gz but is not gzip data", path=p)
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        check_text(raw, p)
    except FirmwareInterfaceError as e:
        raise RecordingError(e.message, path=p, line=e.line) from None
    except OSError as e:
        raise RecordingError(f"cannot read: {e.strerror or e}", path=p) from None
    if not raw or raw.isspace():
        raise RecordingError("empty file", path=p, line=1)
    return raw


def _magic(p: Path) -> bytes:
    try:
        with p.open("rb") as f:
            return f.read(2)
    except OSError:
        return b""


def _split_header(raw: bytes, p: Path
                  ) -> tuple[dict[str, str], dict[str, int], list[str], Body, int]:
    """Return header keys, the line of each key, column names, the data bytes and the
    1-based line number of the first data line."""
    header: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    pos = 0
    line_no = 0
    while True:
        end = raw.find(b"\n", pos)
        stop = len(raw) if end < 0 else end
        line_b = raw[pos:stop]
        line_no += 1
        try:
            line = line_b.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            raise RecordingError("binary data where text was expected; not a CSV recording",
                                 path=p, line=line_no) from None
        if "\x00" in line:
            raise RecordingError("binary data (NUL bytes); not a CSV recording", path=p,
                                 line=line_no)
        if line_no == 1 and not line.startswith(f"# {MAGIC_KEY}:"):
            raise RecordingError(
                f"not a sensorcoach recording: the first line must be '# {MAGIC_KEY}: "
                f"{FORMAT_VERSION}' (use 'sensorcoach convert' for other formats)",
                path=p, line=1)
        if line.startswith("#"):
            body = line[1:].strip()
            if body:
                key, sep, value = body.partition(":")
                if not sep:
                    raise RecordingError(f"header line is not 'key: value': {line!r}", path=p,
                                         line=line_no)
                header[key.strip()] = value.strip()
                key_lines[key.strip()] = line_no
                if key.strip() == "placement" and (
                        why := plausibility.placement_problem(value.strip())):
                    raise RecordingError(why, path=p, line=line_no)
        elif line.strip():
            check_columns(line.count(",") + 1, p, line_no)
            columns = [c.strip() for c in line.split(",")]
            if end < 0:
                return header, key_lines, columns, Body(raw, len(raw), line_no + 1), line_no + 1
            return header, key_lines, columns, Body(raw, end + 1, line_no + 1), line_no + 1
        if end < 0:
            last = line_no if line.strip() else max(1, line_no - 1)
            raise RecordingError("header only: no column line and no samples", path=p, line=last)
        pos = end + 1


def _parse_body(p: Path, header: dict[str, str], key_lines: dict[str, int], columns: list[str],
                body: Body, first_line: int) -> Recording:
    version = header.get(MAGIC_KEY)
    if version != FORMAT_VERSION:
        raise RecordingError(f"unsupported {MAGIC_KEY} version {version!r} (this reader knows "
                             f"{FORMAT_VERSION})", path=p, line=1)
    col_line = first_line - 1
    expected = ["t", *ACC_COLUMNS]
    if columns[:4] != expected:
        raise RecordingError(f"columns must start with {','.join(expected)}; got "
                             f"{','.join(columns[:7])}", path=p, line=col_line)
    gyro_present = [c in columns for c in GYRO_COLUMNS]
    if any(gyro_present):
        if columns[4:7] != list(GYRO_COLUMNS):
            raise RecordingError(f"gyro columns must be gx,gy,gz right after az; got "
                                 f"{','.join(columns[4:7])}", path=p, line=col_line)
    has_gyro = all(gyro_present)
    ncols = 7 if has_gyro else 4
    if len(set(columns)) != len(columns):
        raise RecordingError("duplicate column names", path=p, line=col_line)
    if body.is_blank():
        raise RecordingError("no samples after the column line", path=p, line=first_line)

    table = fast_table(body, len(columns), ncols)
    if table is None:
        diagnose(p, body, len(columns))
        # The diagnostic pass found nothing specific: still refuse.
        raise RecordingError("could not parse the samples", path=p, line=first_line)

    rate_text = header.get("sample_rate_hz")
    rate: float | None = None
    if rate_text is not None:
        try:
            rate = float(rate_text)
        except ValueError:
            raise RecordingError(f"sample_rate_hz is not a number: {rate_text!r}", path=p) from None

    glitch = _glitches(table[0], table[1:4], table[4:7] if has_gyro else None, p,
                       drop_nonfinite=False)
    kept = np.flatnonzero(~glitch)
    if kept.size < glitch.size:
        table = np.ascontiguousarray(table[:, kept])

    def row_to_line(row: int) -> int:
        return body.row_line(int(kept[row]))

    has_gyro_rows = table[4:7] if has_gyro else None
    _validate_samples(table[0], table[1:4], has_gyro_rows, p, row_to_line)
    if rate is not None and math.isfinite(rate) and rate > 0 and (
            why := plausibility.rate_disagreement(rate, table[0])):
        raise RecordingError(why, path=p, line=key_lines.get("sample_rate_hz"))
    try:
        up = _parse_span_text(header.get("calibration_upright_s"), "calibration_upright_s")
        fw = _parse_span_text(header.get("calibration_forward_s"), "calibration_forward_s")
        rate_v = _check_rate(rate, table[0])
    except RecordingError as e:
        raise RecordingError(e.message, path=p) from None

    meta = {k: v for k, v in header.items()
            if k not in (MAGIC_KEY, "sample_rate_hz", "calibration_upright_s",
                         "calibration_forward_s")}
    rec = Recording(
        t=np.ascontiguousarray(table[0]),
        acc_axes=np.ascontiguousarray(table[1:4]),
        gyro_axes=np.ascontiguousarray(table[4:7]) if has_gyro else None,
        sample_rate_hz=rate_v,
        calibration_upright_s=up,
        calibration_forward_s=fw,
        meta=meta,
        source=str(p),
        glitches=int(glitch.size - kept.size),
    )
    _check_spans(rec)
    return rec


def _parse_span_text(text: str | None, name: str) -> Span | None:
    if text is None or text == "":
        return None
    parts = text.split(",")
    if len(parts) != 2:
        raise RecordingError(f"{name} must be 'start,end' in seconds, got {text!r}")
    try:
        return _span((float(parts[0]), float(parts[1])), name)
    except ValueError:
        raise RecordingError(f"{name} must be 'start,end' in seconds, got {text!r}") from None
