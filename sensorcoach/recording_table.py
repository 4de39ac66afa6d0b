"""The sample lines of a recording file: a fast parse and an exact diagnosis.

:class:`Body` is the data part of the file's bytes, never copied (a recording at the
input limit is a few hundred MB).  :func:`fast_table` parses it with pandas' C tokenizer
in chunks into one preallocated table, so reading costs the file plus the table; when
anything is off it returns None and :func:`diagnose` walks the lines one by one to name
the first bad line and its cause.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sensorcoach.errors import RecordingError

FloatArray = NDArray[np.float64]
#: Rows parsed per pandas chunk.
CHUNK_ROWS = 262_144
_NOT_SPACE = re.compile(rb"\S")


class Body:
    """``raw[offset:]``, whose first line is file line ``first_line`` (1-based)."""

    def __init__(self, raw: bytes, offset: int, first_line: int) -> None:
        self.raw = raw
        self.offset = offset
        self.first_line = first_line

    def is_blank(self) -> bool:
        return _NOT_SPACE.search(self.raw, self.offset) is None

    def count(self, sub: bytes) -> int:
        return self.raw.count(sub, self.offset)

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(file line number, line bytes without the newline), lazily."""
        raw, pos, line_no = self.raw, self.offset, self.first_line
        while pos <= len(raw):
            end = raw.find(b"\n", pos)
            stop = len(raw) if end < 0 else end
            yield line_no, raw[pos:stop]
            if end < 0:
                return
            pos, line_no = end + 1, line_no + 1

    def row_line(self, row: int) -> int:
        """File line of data row ``row`` (blank lines skipped, as the parser does)."""
        seen = -1
        for line_no, line in self.lines():
            if line.strip():
                seen += 1
                if seen == row:
                    return line_no
        return self.first_line


def fast_table(body: Body, n_columns: int, n_used: int) -> FloatArray | None:
    """The first ``n_used`` columns as a C-contiguous ``(n_used, rows)`` table, or None
    when anything is off (the caller diagnoses)."""
    import pandas as pd  # deferred: only reading needs it

    capacity = body.count(b"\n") + 1
    out = np.empty((n_used, capacity))
    k = 0
    f = io.BytesIO(body.raw)  # shares the bytes; no copy
    f.seek(body.offset)
    try:
        reader = pd.read_csv(
            f, header=None, names=list(range(n_columns)), usecols=list(range(n_used)),
            dtype=np.float64, engine="c", skip_blank_lines=True, comment=None,
            na_filter=True, chunksize=CHUNK_ROWS)
        for df in reader:
            part = df.to_numpy(dtype=np.float64)
            if k + part.shape[0] > capacity:
                return None
            out[:, k:k + part.shape[0]] = part.T
            k += part.shape[0]
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError):
        return None
    if k == 0:
        return None
    table = _compact(out, k)
    # A short row reads as NaN and a long one is silently cut by usecols: diagnose those
    # (and NaN/inf cells) in the exact pass so the message names the line and the cause.
    if not np.isfinite(table).all():
        return None
    if body.count(b",") != k * (n_columns - 1):
        return None
    return table


def _compact(out: FloatArray, k: int) -> FloatArray:
    """The first ``k`` columns of ``out`` as a C-contiguous view of its own buffer."""
    n, cap = out.shape
    if k == cap:
        return out
    flat = out.reshape(-1)
    for r in range(1, n):  # moving left: each row lands before where it was read
        flat[r * k:(r + 1) * k] = out[r, :k].copy()
    return flat[: n * k].reshape(n, k)


def diagnose(p: Path, body: Body, n_columns: int) -> None:
    """Slow, exact pass: raise for the first line that is not ``n_columns`` finite numbers."""
    for line_no, raw in body.lines():
        if not raw or raw.isspace():
            continue
        try:
            text = raw.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError:
            raise RecordingError("binary data in the samples", path=p, line=line_no) from None
        if "\x00" in text:
            raise RecordingError("binary data (NUL bytes) in the samples", path=p, line=line_no)
        cells = text.split(",")
        if len(cells) != n_columns:
            raise RecordingError(f"expected {n_columns} fields, found {len(cells)} (truncated or "
                                 f"malformed row)", path=p, line=line_no)
        for i, cell in enumerate(cells):
            try:
                v = float(cell)
            except ValueError:
                raise RecordingError(f"column {i + 1} is not a number: {cell.strip()!r}", path=p,
                                     line=line_no) from None
            if not math.isfinite(v):
                raise RecordingError(f"column {i + 1} is {cell.strip()} (not a finite number)",
                                     path=p, line=line_no)
