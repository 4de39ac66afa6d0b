"""Small text-table reader shared by the CSV-like codecs (pure: bytes in, arrays out).

Sniffs the separator (comma, tab, semicolon) and the decimal mark (a decimal comma is
only possible with tab or semicolon separators), accepts quoted headers, E-notation and
``NaN`` cells, and names the line of the first cell that is not a number.
"""

from __future__ import annotations

import importlib
import io
import re
from typing import Any

import numpy as np

from firmware_interface.bounded import check_columns, check_text
from firmware_interface.errors import DecodeError
from firmware_interface.samples import FloatArray

_DECIMAL_COMMA = re.compile(rb"(^|[\t;])\s*-?\d+,\d+(?:[eE][-+]?\d+)?\s*($|[\t;])", re.M)


def sniff(data: bytes) -> tuple[str, str]:
    """(separator, decimal mark) from the header line and the first data lines."""
    head = data.split(b"\n", 1)[0]
    unquoted = re.sub(rb'"[^"]*"', b"", head)
    if b"\t" in unquoted:
        sep = "\t"
    elif b";" in unquoted:
        sep = ";"
    else:
        sep = ","
    dec = "."
    if sep != "," and _DECIMAL_COMMA.search(data[:4096]):
        dec = ","
    return sep, dec


#: Cells that read as a missing value (NaN), case as written by the apps.
_NA = ["", "nan", "NaN", "NAN", "-nan", "-NaN", "null", "NULL", "Null"]
#: Rows per chunk of the diagnostic pass (bounded memory on any input).
_CHUNK_ROWS = 200_000


def read_table(data: bytes, *, path: str | None = None) -> tuple[list[str], FloatArray]:
    """Header names (stripped of quotes/space) and the numeric table (rows, columns).

    Raises :class:`DecodeError` naming the line of the first non-numeric cell.  The
    numbers are parsed straight to float64 by pandas' C reader; only when that fails does
    a chunked pass over text cells find the line (memory bounded by the chunk).
    """
    # Deferred (heavy, only the file codecs need it) and typed as Any: no pandas stubs.
    pd: Any = importlib.import_module("pandas")

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise DecodeError("empty file", path=path, line=1)
    check_text(data, path)
    sep, dec = sniff(data)
    check_columns(len(re.split(rb"[,\t;]", data.split(b"\n", 1)[0])), path, 1)
    opts = {"sep": sep, "decimal": dec, "quotechar": '"', "engine": "c",
            "skip_blank_lines": True, "skipinitialspace": True}
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=np.float64, na_values=_NA,
                         keep_default_na=False, **opts)
        names = [str(c).strip().strip('"').strip() for c in df.columns]
        table: FloatArray = np.ascontiguousarray(df.to_numpy(dtype=np.float64))
        return names, table
    except (ValueError, TypeError, pd.errors.ParserError, UnicodeDecodeError):
        pass  # a cell that is not a number, or a malformed row: find it below
    return _read_table_slowly(pd, data, opts, dec, path)


def _read_table_slowly(pd: Any, data: bytes, opts: dict[str, Any], dec: str,
                       path: str | None) -> tuple[list[str], FloatArray]:
    parts: list[FloatArray] = []
    names: list[str] = []
    row0 = 0
    try:
        reader = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                             chunksize=_CHUNK_ROWS, **opts)
        for df in reader:
            names = [str(c).strip().strip('"').strip() for c in df.columns]
            part = np.empty((len(df), len(names)))
            for j, col in enumerate(df.columns):
                cells = df[col].str.strip()
                if dec == ",":
                    cells = cells.str.replace(",", ".", regex=False)
                num = pd.to_numeric(cells.replace({"": "nan"}), errors="coerce")
                bad = num.isna() & ~cells.str.lower().isin(["nan", "", "-nan", "null"])
                if bad.any():
                    row = int(np.flatnonzero(bad.to_numpy())[0])
                    raise DecodeError(f"column {names[j]!r} is not a number: "
                                      f"{cells.iloc[row]!r}", path=path,
                                      line=_line_of_row(data, row0 + row))
                part[:, j] = num.to_numpy(dtype=np.float64)
            parts.append(part)
            row0 += len(df)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as e:
        raise DecodeError(f"not a readable table: {str(e).splitlines()[0]}", path=path) from None
    if not names:
        raise DecodeError("no header line", path=path, line=1)
    return names, np.concatenate(parts) if parts else np.empty((0, len(names)))


def _line_of_row(data: bytes, row: int) -> int:
    """1-based line of data row ``row`` (header is line 1, blank lines skipped)."""
    seen = -1
    pos = data.find(b"\n") + 1
    line = 2
    while 0 < pos <= len(data):
        end = data.find(b"\n", pos)
        stop = len(data) if end < 0 else end
        if data[pos:stop].strip():
            seen += 1
            if seen == row:
                return line
        if end < 0:
            break
        pos, line = end + 1, line + 1
    return 2
