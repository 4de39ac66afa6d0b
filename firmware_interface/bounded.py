"""Bounded readers: files, gzip, zip, folders, text tables and JSON within :mod:`.limits`.

Every reader counts what it *produces*: gzip and zip members are inflated a piece at a
time and refused (:class:`~firmware_interface.limits.LimitError`) as soon as the output
passes :data:`~firmware_interface.limits.MAX_DECOMPRESSED_BYTES` or the compression
ratio passes :data:`~firmware_interface.limits.MAX_COMPRESSION_RATIO`, so a bomb costs a
few megabytes and milliseconds, never its inflated size.  :func:`inflate_gzip` is the
same reader for bytes already in memory (an HTTP upload).
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from firmware_interface import limits
from firmware_interface.errors import DecodeError
from firmware_interface.limits import LimitError

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16
_PIECE = 1 << 20  # most bytes inflated per step


def fmt_bytes(n: int) -> str:
    """``n`` bytes for a message (``256 MiB``, ``1.5 GiB``)."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


# ---------------------------------------------------------------------- files
def read_input(path: str | Path) -> bytes:
    """The content of a regular file, inflated when it is gzip data; within the limits.

    Raises :class:`DecodeError` (missing, a folder, unreadable, corrupt gzip) or
    :class:`LimitError` (too large, inflates too far, bomb-like ratio).
    """
    p = Path(path)
    size = _regular_size(p)
    cap = limits.MAX_INPUT_BYTES
    if size > cap:
        raise LimitError(f"file is {fmt_bytes(size)}, more than the {fmt_bytes(cap)} "
                         "limit (MAX_INPUT_BYTES)", path=p)
    try:
        with p.open("rb") as f:
            if f.read(2) == GZIP_MAGIC:
                f.seek(0)
                return _inflate(_file_chunks(f), p)
            f.seek(0)
            data = f.read(cap + 1)  # a file may grow while read
    except OSError as e:
        raise DecodeError(f"cannot read: {e.strerror or e}", path=p) from None
    if len(data) > cap:
        raise LimitError(f"file is more than the {fmt_bytes(cap)} limit (MAX_INPUT_BYTES)",
                         path=p)
    return data


def read_head(path: str | Path, n: int) -> bytes:
    """The first ``n`` bytes of a file's content (inflated when it is gzip data); a
    corrupt or truncated gzip stream gives what could be inflated."""
    p = Path(path)
    _regular_size(p)
    try:
        with p.open("rb") as f:
            head = f.read(n)
            if head[:2] != GZIP_MAGIC:
                return head
            f.seek(0)
            d = zlib.decompressobj(31)
            out = b""
            while len(out) < n and not d.eof:
                chunk = d.unconsumed_tail or f.read(_CHUNK)
                if not chunk:
                    break
                out += d.decompress(chunk, n - len(out))
            return out
    except (OSError, zlib.error):
        return b""


def _regular_size(p: Path) -> int:
    try:
        st = p.stat()
    except FileNotFoundError:
        raise DecodeError("no such file or folder", path=p) from None
    except OSError as e:
        raise DecodeError(f"cannot read: {e.strerror or e}", path=p) from None
    if p.is_dir():
        raise DecodeError("is a folder; this format is a single file", path=p)
    if not p.is_file():
        raise DecodeError("not a regular file", path=p)
    return int(st.st_size)


def _file_chunks(f: IO[bytes]) -> Iterator[bytes]:
    while chunk := f.read(_CHUNK):
        yield chunk


# ---------------------------------------------------------------------- gzip
def inflate_gzip(data: bytes, path: str | Path | None = None) -> bytes:
    """Inflate gzip ``data`` (one or more members) within the limits; raises
    :class:`LimitError` for a bomb and :class:`DecodeError` for corrupt data."""
    view = memoryview(data)
    return _inflate((bytes(view[i:i + _CHUNK]) for i in range(0, len(view), _CHUNK)), path)


def _inflate(chunks: Iterable[bytes], path: str | Path | None) -> bytes:
    cap = limits.MAX_DECOMPRESSED_BYTES
    out = io.BytesIO()
    produced = consumed = 0
    d = zlib.decompressobj(31)
    try:
        for chunk in chunks:
            consumed += len(chunk)
            data = chunk
            while data:
                if d.eof:
                    if not data.strip(b"\0"):  # NUL padding after the last member
                        break
                    d = zlib.decompressobj(31)
                piece = d.decompress(data, _PIECE)
                data = d.unused_data if d.eof else d.unconsumed_tail
                produced += len(piece)
                _check_output(produced, consumed, cap, "gzip data", path)
                out.write(piece)
    except zlib.error as e:
        raise DecodeError(f"corrupt gzip data: {e}", path=path) from None
    if not d.eof:
        raise DecodeError("truncated gzip file (compressed stream ends early)", path=path)
    return out.getvalue()


def _check_output(produced: int, consumed: int, cap: int, what: str,
                  path: str | Path | None) -> None:
    """Refuse output past ``cap`` bytes, or past the ratio limit to ``consumed`` bytes."""
    if produced > cap:
        log.info("refused %s: inflates past %d bytes", path, cap)
        raise LimitError(f"{what} inflates to more than {fmt_bytes(cap)} (the "
                         "MAX_DECOMPRESSED_BYTES limit)", path=path)
    ratio = limits.MAX_COMPRESSION_RATIO
    if produced > limits.RATIO_FLOOR_BYTES and produced > ratio * max(consumed, 1):
        log.info("refused %s: compression ratio above %d", path, ratio)
        raise LimitError(f"{what} inflates more than {ratio}:1 (a decompression bomb? "
                         "MAX_COMPRESSION_RATIO)", path=path)


# ---------------------------------------------------------------------- zip, folders
def zip_members(source: str | Path | bytes, path: str | Path | None = None, *,
                wanted: Callable[[str], bool] | None = None) -> dict[str, bytes]:
    """Members of a zip (a path, or bytes in memory) by name, inflated within the limits;
    ``wanted(name)`` picks the members to inflate (default all)."""
    where = path if path is not None else (None if isinstance(source, bytes) else source)
    src: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    cap = limits.MAX_DECOMPRESSED_BYTES
    out: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(src) as z:
            infos = [i for i in z.infolist() if not i.is_dir()]
            if len(infos) > limits.MAX_ZIP_MEMBERS:
                raise LimitError(f"zip has {len(infos)} files, more than the "
                                 f"{limits.MAX_ZIP_MEMBERS} limit (MAX_ZIP_MEMBERS)", path=where)
            total = 0
            for info in infos:
                if wanted is not None and not wanted(info.filename):
                    continue
                if total + info.file_size > cap:
                    raise LimitError(f"zip inflates to more than {fmt_bytes(cap)} (the "
                                     "MAX_DECOMPRESSED_BYTES limit)", path=where)
                buf = io.BytesIO()
                n = 0
                with z.open(info) as f:
                    while piece := f.read(_PIECE):
                        n += len(piece)
                        total += len(piece)
                        if total > cap:
                            raise LimitError(f"zip inflates to more than {fmt_bytes(cap)} "
                                             "(the MAX_DECOMPRESSED_BYTES limit)", path=where)
                        _check_output(n, info.compress_size, cap, "zip member", where)
                        buf.write(piece)
                out[info.filename] = buf.getvalue()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error,
            NotImplementedError, RuntimeError) as e:
        raise DecodeError(f"corrupt or unsupported zip: {e}", path=where) from None
    return out


def folder_files(p: Path, *, wanted: Callable[[str], bool] | None = None) -> dict[str, bytes]:
    """Regular files under folder ``p`` (relative POSIX names), within the limits;
    ``wanted(name)`` picks the files to read (default all)."""
    cap = limits.MAX_DECOMPRESSED_BYTES
    files = [f for f in sorted(p.rglob("*")) if f.is_file()]
    if len(files) > limits.MAX_ZIP_MEMBERS:
        raise LimitError(f"folder has more than {limits.MAX_ZIP_MEMBERS} files "
                         "(MAX_ZIP_MEMBERS)", path=p)
    if wanted is not None:
        files = [f for f in files if wanted(f.relative_to(p).as_posix())]
    total = sum(f.stat().st_size for f in files)
    if total > cap:
        raise LimitError(f"folder holds {fmt_bytes(total)}, more than the {fmt_bytes(cap)} "
                         "limit (MAX_DECOMPRESSED_BYTES)", path=p)
    try:
        return {f.relative_to(p).as_posix(): f.read_bytes() for f in files}
    except OSError as e:
        raise DecodeError(f"cannot read: {e.strerror or e}", path=p) from None


def member_names(p: Path) -> list[str]:
    """Names of the files in a folder or zip (relative POSIX names), nothing inflated."""
    if p.is_dir():
        return [f.relative_to(p).as_posix() for f in sorted(p.rglob("*")) if f.is_file()]
    try:
        with zipfile.ZipFile(p) as z:
            return [i.filename for i in z.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as e:
        raise DecodeError(f"corrupt or unsupported zip: {e}", path=p) from None


# ---------------------------------------------------------------------- text tables
def check_text(data: bytes, path: str | Path | None = None, *,
               max_line: int | None = None) -> None:
    """Refuse text with a line longer than ``max_line`` (default
    :data:`~firmware_interface.limits.MAX_LINE_BYTES`) or more rows than
    :data:`~firmware_interface.limits.MAX_ROWS`."""
    cap = limits.MAX_LINE_BYTES if max_line is None else max_line
    line = _first_long_line(data, cap)
    if line is not None:
        raise LimitError(f"line longer than {fmt_bytes(cap)} (MAX_LINE_BYTES)", path=path,
                         line=line)
    rows = data.count(b"\n")
    if rows > limits.MAX_ROWS + 1000:  # header lines aside
        raise LimitError(f"{rows} lines, more than the {limits.MAX_ROWS} row limit "
                         "(MAX_ROWS)", path=path)


def iter_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line without its newline) of ``data``, lazily: no list of
    every line is ever built."""
    pos, line_no = 0, 1
    while pos < len(data):
        end = data.find(b"\n", pos)
        stop = len(data) if end < 0 else end
        yield line_no, data[pos:stop]
        if end < 0:
            return
        pos, line_no = end + 1, line_no + 1


def check_samples(n: int, path: str | Path | None = None) -> None:
    """Refuse more than :data:`~firmware_interface.limits.MAX_ROWS` samples."""
    if n > limits.MAX_ROWS:
        raise LimitError(f"more than {limits.MAX_ROWS} samples (MAX_ROWS: about 4 hours at "
                         "100 Hz; split the input)", path=path)


def check_columns(n: int, path: str | Path | None = None, line: int | None = None) -> None:
    if n > limits.MAX_COLUMNS:
        raise LimitError(f"{n} columns, more than the {limits.MAX_COLUMNS} limit "
                         "(MAX_COLUMNS)", path=path, line=line)


def _first_long_line(data: bytes, cap: int) -> int | None:
    """1-based number of the first line longer than ``cap`` bytes, or None."""
    step = 8 << 20
    carry = 0  # length of the line running into this block
    lines_before = 0
    for off in range(0, len(data), step):
        block = np.frombuffer(data, np.uint8, count=min(step, len(data) - off), offset=off)
        nl = np.flatnonzero(block == 10)
        if nl.size == 0:
            carry += block.size
            if carry > cap:
                return lines_before + 1
            continue
        lengths = np.diff(nl, prepend=-1) - 1
        lengths[0] += carry
        long_ = np.flatnonzero(lengths > cap)
        if long_.size:
            return lines_before + int(long_[0]) + 1
        lines_before += int(nl.size)
        carry = block.size - int(nl[-1]) - 1
        if carry > cap:
            return lines_before + 1
    return None


# ---------------------------------------------------------------------- JSON
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+"', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(data: bytes) -> int:
    """Deepest nesting of arrays and objects in JSON text (strings ignored), in linear
    time and without recursion."""
    br = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not br:
        return 0
    a = np.frombuffer(br, np.uint8)
    step = np.where((a == ord("[")) | (a == ord("{")), 1, -1)
    return int(np.cumsum(step).max())


def loads_json(data: bytes | str, path: str | Path | None = None,
               line: int | None = None) -> Any:
    """``json.loads`` that refuses nesting deeper than
    :data:`~firmware_interface.limits.MAX_JSON_DEPTH` before parsing; raises
    :class:`DecodeError` for text that is not JSON."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    depth = json_depth(raw)
    if depth > limits.MAX_JSON_DEPTH:
        raise LimitError(f"JSON nested {depth} deep, more than the {limits.MAX_JSON_DEPTH} "
                         "limit (MAX_JSON_DEPTH)", path=path, line=line)
    try:
        return json.loads(raw)
    except RecursionError:
        raise LimitError("JSON nested too deep (MAX_JSON_DEPTH)", path=path,
                         line=line) from None
    except (ValueError, UnicodeDecodeError) as e:
        raise DecodeError(f"not JSON: {e}", path=path, line=line) from None
