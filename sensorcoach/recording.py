"""The recording file of SPEC section 3: read, validate, write.

A recording is time ``t`` in seconds, accelerometer specific force in g and (optionally)
gyroscope rate in deg/s, all in the sensor frame, plus a ``# key: value`` header.
Arrays are stored axis-major (shape ``(3, N)``, C-contiguous) because every per-axis
filter and reduction in the core runs along time; ``acc``/``gyro`` give ``(N, 3)`` views.

Reading (:mod:`sensorcoach.recording_read`) uses pandas' C tokenizer for the happy path
(several million rows per second); when anything is wrong, a line-by-line diagnostic pass
finds the first bad line so the error names it exactly.
"""

from __future__ import annotations

import gzip
import io
import itertools
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sensorcoach import plausibility
from sensorcoach.errors import RecordingError
from sensorcoach.safe_write import check_target, write_atomic

FORMAT_VERSION = "1"
MAGIC_KEY = "sensorcoach-recording"
ACC_COLUMNS = ("ax", "ay", "az")
GYRO_COLUMNS = ("gx", "gy", "gz")
#: Consecutive samples further apart than this many nominal periods bound a gap.
GAP_FACTOR = 1.75

Span = tuple[float, float]
FloatArray = NDArray[np.float64]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Gap:
    """A hole in the stream: no samples strictly between ``start_s`` and ``end_s``."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict[str, float]:
        return {"start_s": round(self.start_s, 4), "end_s": round(self.end_s, 4)}


@dataclass(frozen=True, eq=False)
class Recording:
    """An IMU recording in SI-ish units (s, g, deg/s), sensor frame.

    Build with :meth:`read` or :meth:`from_arrays`; both validate.
    """

    t: FloatArray
    """Sample times in seconds since the start, strictly increasing, shape (N,)."""
    acc_axes: FloatArray
    """Accelerometer specific force in g, shape (3, N)."""
    gyro_axes: FloatArray | None
    """Gyroscope rate in deg/s, shape (3, N), or None for accelerometer-only sensors."""
    sample_rate_hz: float
    """Nominal output rate of the sensor in Hz."""
    calibration_upright_s: Span | None = None
    calibration_forward_s: Span | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    """Every other header key, kept as text (device, placement, started_at, unknown keys)."""
    source: str | None = None
    """Where it came from (a path), for messages."""
    glitches: int = 0
    """Samples dropped as physically impossible (see :mod:`sensorcoach.plausibility`)."""

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        t: ArrayLike,
        acc: ArrayLike,
        gyro: ArrayLike | None = None,
        *,
        sample_rate_hz: float | None = None,
        calibration_upright_s: Span | None = None,
        calibration_forward_s: Span | None = None,
        meta: Mapping[str, Any] | None = None,
        source: str | None = None,
    ) -> Recording:
        """Validate arrays and build a recording.

        ``acc`` and ``gyro`` are ``(N, 3)`` (or ``(3, N)`` when N != 3) in g and deg/s.
        ``sample_rate_hz`` defaults to the median sample interval's rate; ``source`` names
        where the arrays came from, in messages.
        """
        tt = np.ascontiguousarray(np.asarray(t, dtype=np.float64))
        if tt.ndim != 1:
            raise RecordingError(f"t must be one-dimensional, got shape {tt.shape}")
        acc_axes = _axes(acc, tt.size, "acc")
        gyro_axes = None if gyro is None else _axes(gyro, tt.size, "gyro")
        where = None if source is None else Path(source)
        glitch = _glitches(tt, acc_axes, gyro_axes, where, drop_nonfinite=True)
        n_glitches = int(glitch.sum())
        if n_glitches:
            keep = ~glitch
            tt, acc_axes = tt[keep], np.ascontiguousarray(acc_axes[:, keep])
            gyro_axes = None if gyro_axes is None else np.ascontiguousarray(gyro_axes[:, keep])
        _validate_samples(tt, acc_axes, gyro_axes, where, None)
        rate = _check_rate(sample_rate_hz, tt)
        if sample_rate_hz is not None and (why := plausibility.rate_disagreement(rate, tt)):
            raise RecordingError(why, path=where)
        meta_s = {str(k): str(v) for k, v in (meta or {}).items()}
        if "placement" in meta_s and (why := plausibility.placement_problem(meta_s["placement"])):
            raise RecordingError(why, path=where)
        rec = cls(
            t=tt,
            acc_axes=acc_axes,
            gyro_axes=gyro_axes,
            sample_rate_hz=rate,
            calibration_upright_s=_span(calibration_upright_s, "calibration_upright_s"),
            calibration_forward_s=_span(calibration_forward_s, "calibration_forward_s"),
            meta=meta_s,
            source=source,
            glitches=n_glitches,
        )
        _check_spans(rec)
        _log_glitches(rec)
        return rec

    @classmethod
    def read(cls, path: str | Path) -> Recording:
        """Read a ``.csv`` or ``.csv.gz`` recording; raise :class:`RecordingError` naming
        the file and line of the first problem."""
        from sensorcoach.recording_read import read_recording  # it builds Recording

        p = Path(path)
        rec = read_recording(p)
        log.debug("read %s: %d samples at %g Hz, gyro %s, %d glitch(es)", p, rec.n_samples,
                  rec.sample_rate_hz, rec.has_gyro, rec.glitches)
        _log_glitches(rec)
        return rec

    # ------------------------------------------------------------------ views
    @property
    def acc(self) -> FloatArray:
        """Accelerometer, ``(N, 3)`` view in g."""
        return self.acc_axes.T

    @property
    def gyro(self) -> FloatArray | None:
        """Gyroscope, ``(N, 3)`` view in deg/s, or None."""
        return None if self.gyro_axes is None else self.gyro_axes.T

    @property
    def has_gyro(self) -> bool:
        return self.gyro_axes is not None

    @property
    def n_samples(self) -> int:
        return int(self.t.size)

    @property
    def duration_s(self) -> float:
        return float(self.t[-1] - self.t[0]) if self.t.size else 0.0

    def gaps(self, factor: float = GAP_FACTOR) -> list[Gap]:
        """Holes in the stream: consecutive samples more than ``factor`` nominal periods
        apart. Reported, never interpolated away."""
        return find_gaps(self.t, self.sample_rate_hz, factor)

    def header(self) -> dict[str, str]:
        """The header as written to a file, in order."""
        h: dict[str, str] = {MAGIC_KEY: FORMAT_VERSION, "sample_rate_hz": _fmt(self.sample_rate_hz)}
        for k, v in self.meta.items():
            if k not in h and k not in ("calibration_upright_s", "calibration_forward_s"):
                h[k] = v
        if self.calibration_upright_s is not None:
            h["calibration_upright_s"] = _fmt_span(self.calibration_upright_s)
        if self.calibration_forward_s is not None:
            h["calibration_forward_s"] = _fmt_span(self.calibration_forward_s)
        return h

    # ------------------------------------------------------------------ writing
    def write(self, path: str | Path) -> None:
        """Write as CSV (gzip-compressed when the name ends in ``.gz``); only a regular
        file is written or replaced (:mod:`sensorcoach.safe_write`)."""
        p = Path(path)
        check_target(p)
        data = self.to_csv_text().encode("ascii")
        if p.name.endswith(".gz"):
            # mtime=0 keeps regenerated fixtures byte-identical.
            data = gzip.compress(data, compresslevel=6, mtime=0)
        write_atomic(p, data)

    def to_csv_text(self) -> str:
        out = io.StringIO()
        for k, v in self.header().items():
            out.write(f"# {k}: {v}\n")
        cols = ["t", *ACC_COLUMNS] + (list(GYRO_COLUMNS) if self.has_gyro else [])
        out.write(",".join(cols) + "\n")
        parts = [self.t[None, :], self.acc_axes]
        fmt = "%.6f,%.5f,%.5f,%.5f"
        if self.gyro_axes is not None:
            parts.append(self.gyro_axes)
            fmt += ",%.3f,%.3f,%.3f"
        fmt += "\n"
        table = np.vstack(parts).T
        chunk = 50_000
        for i in range(0, table.shape[0], chunk):
            block = table[i : i + chunk]
            out.write((fmt * block.shape[0]) % tuple(block.ravel()))
        return out.getvalue()

# ---------------------------------------------------------------------- helpers
def is_recording_file(path: str | Path) -> bool:
    """Whether ``path`` looks like a sensorcoach recording (its first header line), plain
    or gzipped; False for anything unreadable."""
    p = Path(path)
    try:
        if not p.is_file():  # a FIFO or a device would block or never end
            return False
        with p.open("rb") as f:
            head = f.read(2)
            f.seek(0)
            if head == b"\x1f\x8b":
                with gzip.open(p, "rb") as g:
                    first = g.read(64)
            else:
                first = f.read(64)
    except (OSError, EOFError):
        return False
    return first.lstrip(b"\xef\xbb\xbf").startswith(f"# {MAGIC_KEY}".encode())


def find_gaps(t: FloatArray, sample_rate_hz: float, factor: float = GAP_FACTOR) -> list[Gap]:
    """Spans between consecutive samples more than ``factor`` nominal periods apart."""
    if t.size < 2:
        return []
    dt = np.diff(t)
    idx = np.flatnonzero(dt > factor / sample_rate_hz)
    return [Gap(float(t[i]), float(t[i + 1])) for i in idx]


def _validate_samples(t: FloatArray, acc: FloatArray, gyro: FloatArray | None,
                      path: Path | None, row_to_line: Callable[[int], int] | None) -> None:
    """Physical validity: at least one row, finite values, time strictly increasing
    (checked in chunks: small temporaries beside a long recording)."""

    def fail(message: str, row: int) -> NoReturn:
        if row_to_line is None:
            raise RecordingError(f"{message} (sample {row})", path=path)
        raise RecordingError(message, path=path, line=row_to_line(row))

    if t.size == 0:
        raise RecordingError("no samples", path=path)
    for name, arr in (("t", t[None, :]), ("acc", acc), ("gyro", gyro)):
        if arr is None:
            continue
        for lo, hi in _chunks(t.size):
            bad = ~np.isfinite(arr[:, lo:hi])
            if bad.any():
                fail(f"{name} is NaN or infinite", lo + int(np.flatnonzero(bad.any(axis=0))[0]))
    for lo, hi in _chunks(t.size):
        dt = np.diff(t[lo:hi + 1])  # one sample of overlap: every interval once
        back = np.flatnonzero(dt <= 0)
        if back.size:
            row = lo + int(back[0]) + 1
            what = "goes backwards" if dt[back[0]] < 0 else "repeats"
            fail(f"time {what}: t={t[row]:.6f} after t={t[row - 1]:.6f}", row)
    _check_units(acc, path)


#: Samples per chunk of the whole-recording checks (a few MB of temporaries each).
CHECK_CHUNK = 1 << 18


def _chunks(n: int) -> list[tuple[int, int]]:
    """``[lo, hi)`` bounds covering ``range(n)`` in about :data:`CHECK_CHUNK` pieces of
    nearly equal size (at least half a chunk each when ``n`` exceeds one chunk)."""
    edges = np.linspace(0, n, max(1, -(-n // CHECK_CHUNK)) + 1).astype(np.int64).tolist()
    return list(itertools.pairwise(edges))


#: g: a worn sensor feels gravity; the median |a| of a recording must lie in this range.
PLAUSIBLE_G = (0.3, 3.0)


def _check_units(acc: FloatArray, path: Path | None,
                 finite: NDArray[np.bool_] | None = None) -> None:
    """Refuse acceleration that cannot be in g (silently wrong numbers are worse than an
    error): m/s^2 reads about 9.8, milli-g about 1000, a wrong decoder anything.  Only the
    samples where ``finite`` is True count (all when None)."""
    mag = np.empty(acc.shape[1])
    with np.errstate(over="ignore"):  # a glitch of 1e200 g squares to inf: still counted
        for lo, hi in _chunks(acc.shape[1]):
            part = acc[:, lo:hi]
            mag[lo:hi] = np.sqrt((part * part).sum(axis=0))
    if finite is not None and not finite.all():
        mag = mag[finite]
    mag_m = float(np.median(mag, overwrite_input=True))
    if PLAUSIBLE_G[0] <= mag_m <= PLAUSIBLE_G[1]:
        return
    if 7.0 <= mag_m <= 13.0:
        hint = ": it looks like m/s^2; divide by 9.80665"
    elif 300.0 <= mag_m <= 3000.0:
        hint = ": it looks like milli-g; divide by 1000"
    else:
        hint = ": wrong units or a wrong input format?"
    raise RecordingError(f"acceleration must be in g (a sensor at rest reads about 1 g); "
                         f"the median |a| here is {mag_m:.3g}{hint}", path=path)


def _check_spans(rec: Recording) -> None:
    for name, span in (("calibration_upright_s", rec.calibration_upright_s),
                       ("calibration_forward_s", rec.calibration_forward_s)):
        if span is not None and (span[1] <= rec.t[0] or span[0] >= rec.t[-1]):
            raise RecordingError(
                f"{name} {_fmt_span(span)} lies outside the recording "
                f"({rec.t[0]:.3f}-{rec.t[-1]:.3f} s)", path=rec.source)


def _axes(a: ArrayLike, n: int, name: str) -> FloatArray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 2 and arr.shape == (n, 3):
        return np.ascontiguousarray(arr.T)
    if arr.ndim == 2 and arr.shape == (3, n):
        return np.ascontiguousarray(arr)
    raise RecordingError(f"{name} must have shape (N, 3) with N = len(t) = {n}, got {arr.shape}")


def _check_rate(rate: float | None, t: FloatArray) -> float:
    if rate is None:
        if t.size < 2:
            raise RecordingError("sample_rate_hz is required for fewer than two samples")
        dt = float(np.median(np.diff(t)))
        if not dt > 0:
            raise RecordingError("cannot infer sample_rate_hz: time does not increase")
        return 1.0 / dt
    r = float(rate)
    if not math.isfinite(r) or r <= 0:
        raise RecordingError(f"sample_rate_hz must be a positive number, got {rate!r}")
    return r


def _span(span: Any, name: str) -> Span | None:
    if span is None:
        return None
    try:
        a, b = (float(x) for x in span)
    except (TypeError, ValueError):
        raise RecordingError(
            f"{name} must be two numbers (start, end) in seconds, got {span!r}") from None
    if not (math.isfinite(a) and math.isfinite(b)) or a < 0 or b <= a:
        raise RecordingError(f"{name} must satisfy 0 <= start < end, got {a}, {b}")
    return (a, b)


def _fmt(x: float) -> str:
    return f"{x:.6g}" if float(x) != int(x) else str(int(x))


def _fmt_span(s: Span) -> str:
    return f"{s[0]:.3f},{s[1]:.3f}"


def _glitches(t: FloatArray, acc: FloatArray, gyro: FloatArray | None, path: Path | None, *,
              drop_nonfinite: bool) -> NDArray[np.bool_]:
    """Glitch mask (see :mod:`sensorcoach.plausibility`), after the units check: a
    recording in the wrong units is refused as such, not emptied as glitches."""
    finite = np.ones(t.size, dtype=bool)
    for lo, hi in _chunks(t.size):
        finite[lo:hi] = np.isfinite(acc[:, lo:hi]).all(axis=0)
    if finite.any():
        _check_units(acc, path, finite)
    glitch = glitch_mask_chunked(t, acc, gyro, drop_nonfinite=drop_nonfinite)
    if (why := plausibility.too_many_glitches(int(glitch.sum()), t.size)) is not None:
        raise RecordingError(why, path=path)
    return glitch


def glitch_mask_chunked(t: FloatArray, acc: FloatArray, gyro: FloatArray | None, *,
                        drop_nonfinite: bool) -> NDArray[np.bool_]:
    """:func:`sensorcoach.plausibility.glitch_mask` of the whole recording in chunks, each
    with one neighbour sample either side (the time-spike rule sees the same neighbours)."""
    n = t.size
    bounds = _chunks(n)
    if len(bounds) == 1:
        return plausibility.glitch_mask(t, acc, gyro, drop_nonfinite=drop_nonfinite)
    # the time-spike rule is off for a recording with any non-finite time: keep it so
    t_ok = bool(np.isfinite(t).all())
    out = np.empty(n, dtype=bool)
    for lo, hi in bounds:
        a, b = max(lo - 1, 0), min(hi + 1, n)
        tt = t[a:b] if t_ok else np.full(b - a, np.nan)
        m = plausibility.glitch_mask(tt, acc[:, a:b], None if gyro is None else gyro[:, a:b],
                                     drop_nonfinite=drop_nonfinite)
        out[lo:hi] = m[lo - a:hi - a]
    return out


def _log_glitches(rec: Recording) -> None:
    if rec.glitches:
        log.warning("%s: dropped %d glitch sample(s) beyond the sensor's range",
                    rec.source or "recording", rec.glitches)
