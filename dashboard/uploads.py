"""Recording uploads: the body (raw, or multipart field ``file``) to a temporary file,
then read, analysed and stored in one transaction (a failed upload stores nothing).

The temporary file's name is ours (never the client's), and the client's file name is
only used, reduced to its stem, as the session name.  The body limit (413) is enforced
by :class:`dashboard.security.BodyLimit` (Content-Length first, then counted while
streaming), so nothing oversized is ever held in memory or on disk.

Gzip bodies are limited by the bytes they *produce*: :func:`gunzip_bounded` inflates in
bounded chunks to a temporary ``.csv`` and stops (413, :class:`TooLarge`) as soon as the
output passes ``upload_max_bytes`` or grows more than ``upload_max_ratio`` times the input
(a gzip bomb); the reader then sees plain text of a known size.  (The recording readers
have no public bounded gzip reader yet, so this one lives here.)
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

from dashboard.series import FrameSeries
from dashboard.summaries import kind_of_analysis
from sensorcoach.analysis import analyze
from sensorcoach.errors import RecordingError, SensorcoachError
from sensorcoach.feedback import personal_settings, thresholds_used
from sensorcoach.live.sessions import summarize
from sensorcoach.recording import Recording
from sensorcoach.store import Store

#: Content types accepted as a raw recording body.
RAW_TYPES = frozenset({"", "text/csv", "text/plain", "application/csv", "application/gzip",
                       "application/x-gzip", "application/octet-stream"})


#: Chunk (bytes) read from a gzip body, and most inflated from one call.
CHUNK = 1 << 16
#: Inflated size from which the ratio limit applies (small files may compress well).
RATIO_FROM = 1 << 20

log = logging.getLogger(__name__)


class UploadError(ValueError):
    """A recording that cannot be analysed (422), with a message for the user."""


class UploadTooLarge(UploadError):
    """A recording larger than the limits once decompressed (413)."""


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 64 * 1024 * 1024
    """Largest recording once decompressed (bytes)."""
    max_ratio: float = 100.0
    """Largest decompression ratio (output / input) past the first MiB."""


def gunzip_bounded(src: Path, dst: Path, limits: UploadLimits) -> int:
    """Inflate gzip ``src`` (one or more members) into ``dst``, never holding more than a
    chunk of output; returns the bytes written.  UploadTooLarge once the output passes
    ``limits.max_bytes`` or ``limits.max_ratio`` times the input used; UploadError for
    data that is not gzip or is cut short."""
    produced = read = 0
    with src.open("rb") as fin, dst.open("wb") as fout:
        d = zlib.decompressobj(31)
        started = False
        buf = b""
        at_end = False
        while True:
            if not buf and not at_end:
                buf = fin.read(CHUNK)
                read += len(buf)
                at_end = not buf
            if d.eof:  # a member ended: another may follow, or zero padding
                if not buf.strip(b"\0"):
                    if at_end:
                        break
                    buf = b""
                    continue
                d, started = zlib.decompressobj(31), False
            if at_end and not buf and not started:
                break
            try:
                out = d.decompress(buf, CHUNK)
            except zlib.error as e:
                raise UploadError(f"not valid gzip data ({e})") from None
            started = True
            buf = d.unused_data if d.eof else d.unconsumed_tail
            if not out and at_end and not buf and not d.eof:
                raise UploadError("gzip data cut short (no end-of-stream marker)")
            produced += len(out)
            used = read - len(buf)
            if produced > limits.max_bytes:
                raise UploadTooLarge(f"recording too large once decompressed: more than "
                                     f"{limits.max_bytes} bytes (upload_max_bytes)")
            if produced > RATIO_FROM and produced > limits.max_ratio * max(used, 1):
                raise UploadTooLarge(f"gzip data that expands more than "
                                     f"{limits.max_ratio:g} times (upload_max_ratio): "
                                     "refused as a decompression bomb")
            fout.write(out)
    if produced == 0:
        raise UploadError("gzip data without a recording in it")
    return produced


def release_memory() -> None:
    """Give freed heap back to the system after a large import (glibc keeps it in its
    arenas otherwise, so the server would stay at its peak while idle)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


@dataclass(frozen=True)
class Imported:
    id: int
    name: str
    series: FrameSeries
    summary: dict[str, Any]


def session_name(filename: str | None) -> str | None:
    """The stem of an uploaded file's name (``desk.csv.gz`` -> ``desk``), no folders."""
    if not filename:
        return None
    base = PureWindowsPath(PurePosixPath(filename).name).name.strip()
    for suffix in (".gz", ".csv"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
    return base[:200] or None


def default_name() -> str:
    return "upload " + dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


class TempBody:
    """A temporary file for an uploaded body; deleted on :meth:`close`."""

    def __init__(self) -> None:
        fd, name = tempfile.mkstemp(prefix="sensorcoach-upload-", suffix=".part")
        os.close(fd)
        self.path = Path(name)
        self.size = 0

    async def write_stream(self, chunks: AsyncIterator[bytes]) -> None:
        with self.path.open("wb") as f:
            async for chunk in chunks:
                f.write(chunk)
                self.size += len(chunk)

    def write_file(self, src: IO[bytes]) -> None:
        with self.path.open("wb") as f:
            shutil.copyfileobj(src, f, 1 << 20)
            self.size = f.tell()

    def recording_path(self, limits: UploadLimits) -> Path:
        """A plain ``.csv`` of at most ``limits.max_bytes`` for the reader: gzip data is
        inflated by :func:`gunzip_bounded`, text renamed."""
        with self.path.open("rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        target = self.path.with_suffix(".csv")
        if gz:
            try:
                gunzip_bounded(self.path, target, limits)
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            self.path.unlink()
        else:
            if self.size > limits.max_bytes:
                raise UploadTooLarge(f"recording too large: more than {limits.max_bytes} "
                                     "bytes (upload_max_bytes)")
            self.path.rename(target)
        self.path = target
        return target

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def import_upload(store: Store, body: TempBody, name: str, *,
                  started_at: str | None = None, source: str = "upload",
                  limits: UploadLimits | None = None) -> Imported:
    """Read, analyse and store an uploaded recording (all or nothing).  ``started_at``
    overrides the recording's own start for the session's day (demo imports)."""
    if body.size == 0:
        raise UploadError("empty body: send a recording CSV (SPEC section 3)")
    try:
        path = body.recording_path(limits or UploadLimits())
    except UploadError as e:
        log.warning("upload %r refused: %s", name[:80], e)
        raise
    try:
        rec = Recording.read(path)
        settings = personal_settings(store)  # the person's thresholds, learnt from feedback
        result = analyze(rec, settings)
    except RecordingError as e:
        where = name + (f": line {e.line}" if e.line is not None else "")
        raise UploadError(f"{where}: {e.message}") from None
    except SensorcoachError as e:
        raise UploadError(f"{name}: {str(e).replace(str(path), name)}") from None
    analysis = result.to_dict()
    analysis["thresholds"] = thresholds_used(settings, rec.meta.get("placement"))
    summary = summarize(analysis)
    summary["kind"] = kind_of_analysis(analysis)
    summary["started_at"] = started_at or rec.meta.get("started_at")
    sid = store.import_recording(name, source, rec.t, rec.acc_axes, rec.gyro_axes,
                                 sample_rate_hz=rec.sample_rate_hz,
                                 placement=rec.meta.get("placement"), meta=dict(rec.meta),
                                 analysis=analysis, summary=summary)
    return Imported(sid, name, FrameSeries.of(result), summary)
