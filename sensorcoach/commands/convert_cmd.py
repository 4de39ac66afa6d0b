"""``sensorcoach convert FILE --from FORMAT -o OUT.csv [--rate HZ]``.

Raw captures (bytes as received) and app exports become recordings (SPEC section 3).
:func:`load_recording` is the same path for ``analyze --from FORMAT``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any, cast

from firmware_interface.codecs.sensorlogger import Frame
from firmware_interface.errors import FirmwareInterfaceError, safe_text
from firmware_interface.formats import FORMATS, decode_file
from firmware_interface.samples import DecodedStream
from sensorcoach.errors import SensorcoachError
from sensorcoach.recording import Recording
from sensorcoach.safe_write import check_target


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("convert", help="raw capture or app export -> recording CSV")
    p.add_argument("file", help="capture file, export file, folder or zip")
    p.add_argument("--from", dest="fmt", default="auto", choices=FORMATS,
                   help="input format (default: auto, sniffed)")
    p.add_argument("-o", "--output", required=True,
                   help="recording to write (.csv or .csv.gz; '-': CSV on stdout); only a "
                        "regular file is written or replaced")
    p.add_argument("--rate", type=float, default=None,
                   help="device output rate in Hz for streams without timestamps "
                        "(default: the device profile's)")
    p.add_argument("--columns", default=None,
                   help="generic CSV mapping, e.g. t=time,ax=accX,ay=accY,az=accZ,time_unit=ms")
    p.add_argument("--phone-frame", default="auto", choices=("auto", "standard", "ios-raw"),
                   help="Sensor Logger sign convention (ios-raw: iOS without 'Standardise "
                        "Units & Frames')")
    p.set_defaults(handler=run)


def decode(path: str | Path, fmt: str = "auto", rate_hz: float | None = None, *,
           columns: str | None = None, phone_frame: str = "auto") -> DecodedStream:
    """:func:`firmware_interface.formats.decode_file` with errors as SensorcoachError."""
    if rate_hz is not None and not (math.isfinite(rate_hz) and rate_hz > 0):
        raise SensorcoachError(f"--rate must be a positive number of Hz, got {rate_hz:g}")
    if phone_frame not in ("auto", "standard", "ios-raw"):
        raise SensorcoachError(f"unknown phone frame {phone_frame!r}")
    try:
        return decode_file(path, fmt, rate_hz, columns=columns,
                           phone_frame=cast(Frame, phone_frame))
    except FirmwareInterfaceError as e:
        raise SensorcoachError(str(e)) from None


def to_recording(ds: DecodedStream, source: str | None = None) -> Recording:
    """Build a validated recording from decoded arrays."""
    meta = dict(ds.meta)
    meta["decoder"] = ds.stats.summary()
    if source:
        meta.setdefault("converted_from", Path(source).name)
    return Recording.from_arrays(ds.t, ds.acc, ds.gyro, sample_rate_hz=ds.sample_rate_hz,
                                 meta=meta, source=source)


def load_recording(path: str | Path, fmt: str = "auto",
                   rate_hz: float | None = None) -> Recording:
    """Any supported file as a :class:`Recording` (for ``analyze --from FORMAT``)."""
    if fmt == "csv":
        try:
            return Recording.read(path)
        except SensorcoachError:
            pass  # not a sensorcoach recording: read as a generic CSV below
    return to_recording(decode(path, fmt, rate_hz), str(path))


def run(args: argparse.Namespace) -> int:
    to_stdout = args.output == "-"
    if not to_stdout:
        check_target(args.output)  # before the work: a bad target costs nothing
    ds = decode(args.file, args.fmt, args.rate, columns=args.columns,
                phone_frame=args.phone_frame)
    rec = to_recording(ds, args.file)
    if to_stdout:
        sys.stdout.write(rec.to_csv_text())
        sys.stdout.flush()
    else:
        rec.write(args.output)
    gyro = "acc+gyro" if ds.gyro is not None else "acc only"
    glitches = f", {rec.glitches} glitch sample(s) dropped" if rec.glitches else ""
    sys.stderr.write(safe_text(
        f"converted {args.file} ({ds.format}) -> {args.output}: {rec.n_samples} samples, "
        f"{rec.duration_s:.2f} s at {ds.sample_rate_hz:g} Hz ({gyro}){glitches}; "
        f"{ds.stats.summary()}", 1000) + "\n")
    return 0
