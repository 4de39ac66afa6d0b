"""Recording uploads: the body (raw, or multipart field ``file``) to a temporary file,
then read, analysed and stored in one transaction (a failed upload stores nothing).

The temporary file's name is ours (never the client's), and the client's file name is
only used, reduced to its stem, as the session name.  The body limit (413) is enforced
by :class:`dashboard.security.BodyLimit` (Content-Length first, then counted while
streaming), so nothing oversized is ever held in memory or on disk.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

from dashboard.series import FrameSeries
from dashboard.summaries import kind_of_analysis
from sensorcoach.analysis import analyze
from sensorcoach.errors import RecordingError, SensorcoachError
from sensorcoach.live.sessions import summarize
from sensorcoach.recording import Recording
from sensorcoach.store import Store

#: Content types accepted as a raw recording body.
RAW_TYPES = frozenset({"", "text/csv", "text/plain", "application/csv", "application/gzip",
                       "application/x-gzip", "application/octet-stream"})


class UploadError(ValueError):
    """A recording that cannot be analysed (422), with a message for the user."""


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

    def recording_path(self) -> Path:
        """Renamed so that the reader sees gzip data as ``.csv.gz``, text as ``.csv``."""
        with self.path.open("rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        target = self.path.with_suffix(".csv.gz" if gz else ".csv")
        self.path.rename(target)
        self.path = target
        return target

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def import_upload(store: Store, body: TempBody, name: str, *,
                  started_at: str | None = None, source: str = "upload") -> Imported:
    """Read, analyse and store an uploaded recording (all or nothing).  ``started_at``
    overrides the recording's own start for the session's day (demo imports)."""
    if body.size == 0:
        raise UploadError("empty body: send a recording CSV (SPEC section 3)")
    path = body.recording_path()
    try:
        rec = Recording.read(path)
        result = analyze(rec)
    except RecordingError as e:
        where = name + (f": line {e.line}" if e.line is not None else "")
        raise UploadError(f"{where}: {e.message}") from None
    except SensorcoachError as e:
        raise UploadError(f"{name}: {str(e).replace(str(path), name)}") from None
    analysis = result.to_dict()
    summary = summarize(analysis)
    summary["kind"] = kind_of_analysis(analysis)
    summary["started_at"] = started_at or rec.meta.get("started_at")
    sid = store.import_recording(name, source, rec.t, rec.acc_axes, rec.gyro_axes,
                                 sample_rate_hz=rec.sample_rate_hz,
                                 placement=rec.meta.get("placement"), meta=dict(rec.meta),
                                 analysis=analysis, summary=summary)
    return Imported(sid, name, FrameSeries.of(result), summary)
