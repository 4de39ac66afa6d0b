"""Whole-file decoding for ``sensorcoach convert`` / ``analyze --from FORMAT``.

:func:`decode_file` reads a raw capture (bytes as received from a serial port or BLE
notifications, concatenated), an app export (file, folder or zip) or a CSV, and returns
a :class:`~firmware_interface.samples.DecodedStream` in s, g and deg/s.  This module
only reads files; the decoding itself is in :mod:`firmware_interface.codecs`.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import numpy as np
from numpy.typing import NDArray

from firmware_interface import bounded, devices, limits
from firmware_interface.codecs import (
    STREAM_FORMATS,
    _table,
    generic_csv,
    phyphox,
    sensorlogger,
    sisfall,
)
from firmware_interface.codecs import stream_decoder as make_stream_decoder
from firmware_interface.codecs import witmotion_scan as ws
from firmware_interface.errors import DecodeError
from firmware_interface.limits import LimitError
from firmware_interface.samples import DecodedStream, DecodeStats, FloatArray, SampleBlock

FORMATS = ("auto", "csv", "witmotion-serial", "witmotion-ble", "microbit", "thingy52",
           "sensorlogger", "sensorlogger-json", "phyphox-csv", "sensorcoach-v1", "sisfall")
_SNIFF_BYTES = 1 << 16
log = logging.getLogger(__name__)


def decode_file(path: str | Path, fmt: str = "auto", rate_hz: float | None = None, *,
                columns: str | None = None, phone_frame: sensorlogger.Frame = "auto",
                keep_time: bool = False) -> DecodedStream:
    """Decode ``path`` as ``fmt`` (see :data:`FORMATS`).

    ``rate_hz``: output rate of streams without timestamps (default: the profile's);
    ignored for timestamped formats.  ``columns``: a generic-CSV mapping
    (``t=time,ax=...``).  ``phone_frame``: Sensor Logger sign convention.
    ``keep_time``: a CSV keeps its own time origin (a recording's header spans refer to
    it) instead of starting at 0.
    """
    p = Path(path)
    if not p.exists():
        raise DecodeError("no such file or folder", path=p)
    if not (p.is_dir() or p.is_file()):  # a FIFO or a device would block or never end
        raise DecodeError("not a regular file", path=p)
    if fmt not in FORMATS:
        raise DecodeError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})", path=p)
    if fmt == "auto":
        fmt = sniff(p)
    try:
        if fmt in STREAM_FORMATS:
            out = decode_stream_bytes(_read(p), fmt, rate_hz)
        elif fmt == "sensorcoach-v1":
            from firmware_interface.codecs import sensorcoach_v1

            out = sensorcoach_v1.decode_bytes(_read(p), rate_hz)
        elif fmt == "csv":
            out = _decode_csv(_read(p), columns, str(p), rebase=not keep_time)
        elif fmt == "sensorlogger":
            out = _decode_sensorlogger(_files(p, sensorlogger.is_export_file), phone_frame)
        elif fmt == "sensorlogger-json":
            out = _decode_sl_json(_read(p), phone_frame)
        elif fmt == "sisfall":
            out = sisfall.decode(_read(p), p.name)
        else:
            out = _decode_phyphox(_files(p))
    except DecodeError as e:
        if e.path is None:
            e.path = str(p)
            e.args = (str(e),)
        raise
    if out.n_samples == 0:
        raise DecodeError(f"no samples decoded as {fmt} ({out.stats.summary()})", path=p)
    bounded.check_samples(out.n_samples, p)
    out.meta.setdefault("source_format", fmt)
    return out


def decode_stream_bytes(data: bytes, fmt: str, rate_hz: float | None) -> DecodedStream:
    """A raw capture of a timestamp-less stream, timed by sample count."""
    prof = devices.PROFILES[devices.FORMAT_PROFILES[fmt]]
    rate = float(rate_hz) if rate_hz else prof.default_rate_hz
    dec = make_stream_decoder(fmt, rate)
    blocks = []
    n = 0
    step = 1 << 20
    for i in range(0, len(data), step):  # in pieces: a dense capture may hold too much
        blocks.append(dec.feed(data[i:i + step]))
        n += len(blocks[-1])
        bounded.check_samples(n)
    blocks.append(dec.finish())
    block = SampleBlock.concat(blocks, gyro=dec.has_gyro)
    meta = {"device": prof.name, "rate_source": "--rate" if rate_hz else "profile default"}
    regs = list(getattr(dec, "registers", []))
    return DecodedStream(block.t, block.acc, block.gyro, rate, fmt, dec.stats, meta, regs)


# ---------------------------------------------------------------------- sniffing
def sniff(p: Path) -> str:
    """Guess the format of a file or folder (the ``auto`` format)."""
    if p.is_dir() or (p.is_file() and zipfile.is_zipfile(p)):
        names = [PurePosixPath(n).name.lower() for n in bounded.member_names(p)]
        if {"accelerometer.csv", "gravity.csv", "totalacceleration.csv"} & set(names):
            return "sensorlogger"
        return "phyphox-csv"
    head = bounded.read_head(p, _SNIFF_BYTES)
    text = _as_text(head)
    if text is not None:
        stripped = text.lstrip("\ufeff \r\n\t")
        first = stripped.split("\n", 1)[0]
        if first.startswith("# sensorcoach-recording"):
            return "csv"
        if stripped[:1] in "{[" and stripped:
            return "sensorlogger-json"
        if "time (s)" in first.lower():
            return "phyphox-csv"
        if "seconds_elapsed" in first:
            return "sensorlogger"
        if sisfall.looks_like(stripped.encode()):
            return "sisfall"
        return "csv"
    from firmware_interface.codecs import sensorcoach_v1

    if sensorcoach_v1.looks_framed(head, min_frames=3):
        return "sensorcoach-v1"
    b = np.frombuffer(head, dtype=np.uint8)
    sc = ws.scan(b, short=True, long=True, prev_len=0, final=True, margin=0)
    n_short = int((sc.length == ws.SHORT_LEN).sum())
    n_long = int((sc.length == ws.LONG_LEN).sum())
    if n_short >= 3 and n_short >= n_long:
        return "witmotion-serial"
    if n_long >= 3:
        return "witmotion-ble"
    raise DecodeError("unrecognised binary data; micro:bit and Thingy:52 captures carry no "
                      "header: pass --from microbit or --from thingy52", path=p)


def _as_text(head: bytes) -> str | None:
    ctrl = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 13))
    if b"\x00" in head or ctrl > len(head) // 100:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as e:
        # The sample may end inside a multi-byte character.
        if e.start >= len(head) - 3:
            return head[: e.start].decode("utf-8")
        return None


# ---------------------------------------------------------------------- file access
def _read(p: Path) -> bytes:
    """A file's content (gzip inflated), within :mod:`firmware_interface.limits`."""
    log.debug("reading %s", p)
    return bounded.read_input(p)


def _files(p: Path, wanted: Callable[[str], bool] | None = None) -> dict[str, bytes]:
    """Files of a folder or zip (relative POSIX names; those ``wanted``, default all), or
    the single file itself."""
    if p.is_dir():
        return bounded.folder_files(p, wanted=wanted)
    if p.is_file() and zipfile.is_zipfile(p):
        return bounded.zip_members(p, wanted=wanted)
    data = _read(p)
    if zipfile.is_zipfile(io.BytesIO(data)):  # a gzipped zip
        return bounded.zip_members(data, p, wanted=wanted)
    return {p.name: data}


# ---------------------------------------------------------------------- formats
def _decode_csv(data: bytes, columns: str | None, path: str, *,
                rebase: bool = True) -> DecodedStream:
    """Generic CSV (also a sensorcoach recording): ``# key: value`` lines become meta."""
    meta: dict[str, str] = {}
    bounded.check_text(data, path)
    lines = data.split(b"\n")
    skip = 0
    while skip < len(lines) and lines[skip].lstrip().startswith(b"#"):
        key, sep, value = lines[skip].decode("utf-8", "replace").lstrip("# ").partition(":")
        if sep:
            meta[key.strip()] = value.strip()
        skip += 1
    body = b"\n".join(lines[skip:])
    try:
        names, table = _table.read_table(body, path=path)
        cmap = generic_csv.parse_mapping(columns) if columns else generic_csv.guess_mapping(names)
        t, acc, gyro = generic_csv.apply(names, table, cmap, path=path, rebase=rebase)
    except DecodeError as e:
        if e.line is not None:
            e.line += skip
            e.args = (str(e),)
        raise
    stats = DecodeStats(frames_ok=int(t.size), samples_ok=int(t.size))
    rate = _rate_from_meta(meta) or _median_rate(t)
    meta.pop("sensorcoach-recording", None)
    meta.pop("sample_rate_hz", None)
    return DecodedStream(t, acc, gyro, rate, "csv", stats, meta)


def _rate_from_meta(meta: dict[str, str]) -> float | None:
    try:
        r = float(meta.get("sample_rate_hz", ""))
    except ValueError:
        return None
    return r if r > 0 else None


def _median_rate(t: FloatArray) -> float:
    if t.size < 2:
        return 1.0
    return round(1.0 / float(np.median(np.diff(t))), 3)


def _decode_sensorlogger(files: dict[str, bytes], frame: sensorlogger.Frame) -> DecodedStream:
    stats = DecodeStats()
    by_name = {PurePosixPath(n).name.lower(): (n, d) for n, d in files.items()}
    series: dict[str, sensorlogger.Series] = {}
    for key, fname in sensorlogger.EXPORT_FILES.items():
        if fname.lower() in by_name:
            n, d = by_name.pop(fname.lower())
            files.pop(n, None)  # parsed: its bytes can go
            names, table = _table.read_table(d, path=n)
            del d
            series[key] = sensorlogger.export_series(names, table, stats, path=n)
    if not series:
        raise DecodeError("no Accelerometer.csv, Gravity.csv or TotalAcceleration.csv: not a "
                          "Sensor Logger export")
    ios_raw = frame == "ios-raw"
    how_frame: str = frame
    if frame == "auto":
        ios_raw, how_frame = False, "standard (assumed)"
        if "metadata.csv" in by_name:
            rows = [r.split(",") for r in by_name["metadata.csv"][1].decode(
                "utf-8", "replace").splitlines() if r.strip()]
            said = sensorlogger.ios_raw_from_metadata(rows[0], rows[1:]) if rows else None
            if said is not None:
                ios_raw, how_frame = said, "ios-raw (Metadata.csv)" if said else "standard"
    t_ns, acc, gyro, how = sensorlogger.combine(series, ios_raw=ios_raw, stats=stats)
    stats.samples_ok = int(t_ns.size)
    return _timestamped(t_ns, acc, gyro, "sensorlogger", stats,
                        {"acceleration_source": how, "phone_frame": how_frame})


def _timestamped(t_ns: NDArray[np.int64], acc: FloatArray, gyro: FloatArray | None,
                 fmt: str, stats: DecodeStats, meta: dict[str, str]) -> DecodedStream:
    if t_ns.size == 0:
        return DecodedStream(np.empty(0), acc, gyro, 1.0, fmt, stats, meta)
    import datetime as dt

    start = dt.datetime.fromtimestamp(int(t_ns[0]) / 1e9, tz=dt.UTC)
    meta = {"device": "phone", "started_at": start.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **meta}
    t = (t_ns - t_ns[0]).astype(np.float64) * 1e-9
    return DecodedStream(t, acc, gyro, _median_rate(t), fmt, stats, meta)


def _decode_sl_json(data: bytes, frame: sensorlogger.Frame) -> DecodedStream:
    """Push messages, one JSON object per line (a JSON array of them is accepted too)."""
    dec = sensorlogger.SensorLoggerPushDecoder(frame="ios-raw" if frame == "ios-raw"
                                               else "standard")
    if len(data) > limits.MAX_JSON_BYTES:
        raise LimitError(f"{bounded.fmt_bytes(len(data))} of JSON, more than the "
                         f"{bounded.fmt_bytes(limits.MAX_JSON_BYTES)} limit (MAX_JSON_BYTES)")
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if text.lstrip()[:1] == b"[":
        items = bounded.loads_json(text)
        for i, msg in enumerate(items if isinstance(items, list) else [items]):
            if not isinstance(msg, dict):
                raise DecodeError(f"message {i} is not a JSON object (a Sensor Logger push "
                                  f"message is one), found {type(msg).__name__}")
            _add(dec, msg, None, i)
    else:
        bounded.check_text(text, max_line=limits.MAX_JSON_LINE_BYTES)
        for line_no, line in bounded.iter_lines(text):
            if line.strip():
                _add(dec, bounded.loads_json(line, line=line_no), line_no, None)
    stats = dec.stats
    series = dec.series(stats)  # the whole file at once: no latency window
    t_ns, acc, gyro, how = sensorlogger.combine(series, ios_raw=dec.frame == "ios-raw",
                                                stats=stats)
    stats.samples_ok = int(t_ns.size)
    meta = {"acceleration_source": how, "phone_frame": dec.frame if frame != "auto"
            else "standard (assumed; pass --phone-frame ios-raw for raw iOS)"}
    if dec.session_id:
        meta["session_id"] = dec.session_id
    return _timestamped(t_ns, acc, gyro, "sensorlogger-json", stats, meta)


def _add(dec: sensorlogger.SensorLoggerPushDecoder, msg: object, line: int | None,
         index: int | None) -> None:
    try:
        dec.add(msg)  # type: ignore[arg-type]
    except DecodeError as e:
        where = f" (message {index})" if index is not None else ""
        raise DecodeError(e.message + where, line=line) from None


def _decode_phyphox(files: dict[str, bytes]) -> DecodedStream:
    stats = DecodeStats()
    parts = []
    for name, data in files.items():
        pp = PurePosixPath(name)
        single = len(files) == 1
        if not single and (pp.suffix.lower() not in (".csv", ".txt", ".tsv")
                           or "meta" in pp.parts[:-1]):
            continue
        names, table = _table.read_table(data, path=name)
        try:
            parts.append(phyphox.from_table(names, table, stats, path=name))
        except DecodeError:
            if single:
                raise
    if not parts:
        raise DecodeError("no phyphox CSV with 'Acceleration x/y/z' columns found")
    t, acc, gyro = phyphox.merge(parts, stats)
    inc = np.ones(t.size, dtype=bool)
    inc[1:] = np.diff(t) > 0
    stats.duplicates += int((~inc).sum())
    t, acc = t[inc], acc[inc]
    gyro = None if gyro is None else gyro[inc]
    stats.samples_ok = int(t.size)
    t = t - t[0] if t.size else t
    return DecodedStream(t, acc, gyro, _median_rate(t), "phyphox-csv", stats,
                         {"device": "phone (phyphox)"})
