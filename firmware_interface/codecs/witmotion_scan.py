"""Vectorised frame finder for the WitMotion wire formats (pure numpy, no I/O).

Two framings share the ``0x55`` header byte (PROTOCOLS.md, WitMotion):

* 11-byte "WIT standard" frames ``55 5x D0..D7 SUM`` with SUM = sum(bytes 0..9) & 0xFF;
* 20-byte packets ``55 61`` (data) / ``55 71`` (register reply) without a checksum, sent
  by the BLE 5.0 models (and, *unconfirmed per model*, over their USB serial port).

Without a checksum a 20-byte packet is accepted only when its framing is confirmed by a
neighbour: another ``55 61``/``55 71`` header exactly 20 bytes later or earlier, or the
previous accepted frame ending exactly where it starts.  Overlapping candidates (a false
header inside real data, or noise) are resolved in favour of confirmed, chained frames.
Everything is done over whole buffers; only overlap clusters (rare) are walked in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

U8 = NDArray[np.uint8]
I64 = NDArray[np.int64]

SHORT_LEN = 11
LONG_LEN = 20
LONG_KINDS = (0x61, 0x71)


@dataclass(frozen=True)
class Scan:
    """Frames accepted in ``buf[:cut]`` (positions relative to the buffer start)."""

    pos: I64
    kind: NDArray[np.uint8]
    length: I64
    cut: int
    """Everything before ``cut`` is decided; the caller keeps ``buf[cut:]``."""
    bad_checksum: int
    unconfirmed: int


def checksum_ok(b: U8, p: I64) -> NDArray[np.bool_]:
    """Whether the 11-byte frames at ``p`` have a valid SUM byte (all inside ``b``)."""
    # uint8 additions wrap modulo 256, which is exactly the checksum's arithmetic.
    if p.size * 8 < b.size:  # few candidates: ten gathers
        total = np.take(b, p)
        for k in range(1, 10):
            total += np.take(b, p + k)
        return total == np.take(b, p + 10)  # type: ignore[no-any-return]
    # Many (a clean stream has one per 11 bytes): the sum of every 10-byte window by
    # doubling (4 contiguous SIMD adds) then two gathers, about twice as fast.
    s2 = b[:-1] + b[1:]
    s4 = s2[:-2] + s2[2:]
    s8 = s4[:-4] + s4[4:]
    s10 = s8[:-2] + s2[8:]
    return np.take(s10, p) == np.take(b, p + 10)  # type: ignore[no-any-return]


def _marks(n: int, where: I64) -> NDArray[np.bool_]:
    """Boolean marks of positions with 32 False entries of padding at the end, so that
    ``p + 20`` and ``p - 20`` (a negative index wraps into the padding) need no bounds
    checks; a mask lookup is far faster than ``np.isin``."""
    m = np.zeros(n + 32, dtype=bool)
    m[where] = True
    return m


def _covered(q: I64, starts: I64, ends: I64) -> NDArray[np.bool_]:
    """True where position ``q`` lies inside one of the sorted, disjoint frames."""
    if starts.size == 0:
        return np.zeros(q.shape, dtype=bool)
    i = np.searchsorted(starts, q, side="right") - 1
    return (i >= 0) & (q < ends[np.maximum(i, 0)])


def scan(b: U8, *, short: bool, long: bool, prev_len: int, final: bool,
         margin: int) -> Scan:
    """Find intact frames in ``b``.

    ``prev_len``: length (11 or 20) of the previous accepted frame if it ended exactly
    at ``b[0]``, else 0; it confirms a frame of the same framing starting at ``b[0]``.
    ``final``: no more bytes will come (decide everything).  Otherwise frames starting
    at or after ``len(b) - margin`` are left for the next call, so that a frame's
    neighbours, and those of every candidate overlapping it, are seen before it is
    decided (``margin`` >= 20 + 22 - 1 = 41 bytes for 20-byte packets).
    """
    n = b.size
    limit = n if final else n - margin
    empty = np.empty(0, dtype=np.int64)
    if limit <= 0 or n < SHORT_LEN:
        return Scan(empty, np.empty(0, np.uint8), empty, n if final else 0, 0, 0)
    heads = np.flatnonzero(b[:-1] == 0x55)
    second = b[heads + 1]
    parts_pos: list[I64] = []
    parts_len: list[I64] = []
    parts_prio: list[NDArray[np.uint8]] = []
    short_bad = empty
    long_unconf = empty
    if short:
        hs = heads[((second & 0xF0) == 0x50) & (heads <= n - SHORT_LEN)]
        ok = checksum_ok(b, hs)
        good = hs[ok]
        short_bad = hs[~ok]
        at = _marks(n, good)
        fwd = at[good + SHORT_LEN]
        back = at[good - SHORT_LEN]
        if prev_len == SHORT_LEN:
            back |= good == 0
        parts_pos.append(good)
        parts_len.append(np.full(good.size, SHORT_LEN, dtype=np.int64))
        # Small ints: these arrays have one entry per frame.
        parts_prio.append((fwd.view(np.uint8) << 1) + back.view(np.uint8) + np.uint8(4))
    if long:
        hl_all = heads[(second == LONG_KINDS[0]) | (second == LONG_KINDS[1])]
        hl = hl_all[hl_all <= n - LONG_LEN]
        at = _marks(n, hl_all)
        fwd = at[hl + LONG_LEN]
        back = at[hl - LONG_LEN]
        if prev_len == LONG_LEN:
            back |= hl == 0
        chain = fwd | back
        parts_pos.append(hl[chain])
        parts_len.append(np.full(int(chain.sum()), LONG_LEN, dtype=np.int64))
        parts_prio.append(((fwd.view(np.uint8) << 1) + back.view(np.uint8))[chain])
        long_unconf = hl[~chain]
    parts = [i for i, p in enumerate(parts_pos) if p.size]
    if len(parts) == 1:  # one framing only (the usual case): already sorted
        pos, ln, prio = parts_pos[parts[0]], parts_len[parts[0]], parts_prio[parts[0]]
    elif not parts:
        pos, ln, prio = empty, empty, np.empty(0, dtype=np.uint8)
    else:
        pos = np.concatenate(parts_pos)
        order = np.argsort(pos, kind="stable")
        pos = pos[order]
        ln = np.concatenate(parts_len)[order]
        prio = np.concatenate(parts_prio)[order]
    keep = _resolve_overlaps(pos, ln, prio)
    if keep is not None:
        pos, ln = pos[keep], ln[keep]
    emitted = int(np.searchsorted(pos, limit))  # sorted: a prefix, sliced without a copy
    pos, ln = pos[:emitted], ln[:emitted]
    cut = max(limit, int(pos[-1] + ln[-1])) if pos.size else max(limit, 0)
    ends = pos + ln
    bad = short_bad[short_bad < limit]
    unconf = long_unconf[long_unconf < limit]
    n_bad = int((~_covered(bad, pos, ends)).sum())
    n_unconf = int((~_covered(unconf, pos, ends)).sum())
    return Scan(pos, b[pos + 1], ln, cut, n_bad, n_unconf)


def _resolve_overlaps(pos: I64, ln: I64, prio: NDArray[np.uint8]) -> NDArray[np.bool_] | None:
    """Mask of candidates to keep so that kept frames do not overlap (None: keep all).

    Higher priority wins: any checksummed frame over a checksum-less packet, then
    confirmation by the following frame over confirmation by the preceding one (a
    truncated frame is followed by a real header inside its span, so the later,
    forward-confirmed candidate is the real one); among equals the earliest wins.
    Only clusters of mutually overlapping candidates are walked one by one.
    """
    if pos.size < 2:
        return None
    ends = pos + ln
    # Sorted starts: if no frame overlaps the next one, none overlaps any later one.
    if not (pos[1:] < ends[:-1]).any():
        return None
    run_end = np.maximum.accumulate(ends)
    overlaps_prev = pos[1:] < run_end[:-1]  # candidate i + 1 overlaps one before it
    bounds = np.concatenate(([0], np.flatnonzero(~overlaps_prev) + 1, [pos.size]))
    keep = np.ones(pos.size, dtype=bool)
    for c in np.flatnonzero(np.diff(bounds) > 1).tolist():
        lo, hi = int(bounds[c]), int(bounds[c + 1])
        taken: list[tuple[int, int]] = []
        for i in (lo + np.argsort(-prio[lo:hi].astype(np.int64), kind="stable")).tolist():
            s, e = int(pos[i]), int(ends[i])
            if any(s < te and ts < e for ts, te in taken):
                keep[i] = False
            else:
                taken.append((s, e))
    return keep


def int16_fields(b: U8, pos: I64, offset: int, count: int) -> NDArray[np.int16]:
    """``count`` little-endian int16 values starting ``offset`` bytes into each frame."""
    if pos.size == 0:
        return np.empty((0, count), dtype=np.int16)
    # Rows of a sliding-window view gather faster than an (N, 2 x count) index array.
    rows = sliding_window_view(b, 2 * count)[pos + offset]
    return rows.view("<i2")
