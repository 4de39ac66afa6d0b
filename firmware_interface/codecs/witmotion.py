"""WitMotion decoders: serial (11-byte frames, and 20-byte ``55 61`` packets) and BLE.

Scaling (PROTOCOLS.md, WIT standard protocol): acceleration v/32768*16 g, angular rate
v/32768*2000 deg/s, temperature v/100 degC.  A serial sample is a ``0x51`` accel frame
plus the ``0x52`` gyro frame right after it; a BLE sample is one ``55 61`` packet
(ax ay az wx wy wz roll pitch yaw).  The streams carry no timestamps: samples are timed
by slot at the device output rate, and a slot is counted from the byte distance between
consecutive sample anchors divided by the stream's modal cycle length (bytes per
sample), so a corrupt or missing sample leaves a time hole instead of shifting the
following samples earlier; such a hole is capped at :data:`MAX_BYTE_HOLE_S`, because
bytes that decode to nothing (line noise) measure no time.  A sample whose bytes vanished
entirely (a whole BLE notification lost) leaves no trace in the stream; only outages the
transport measures (:meth:`skip_seconds`) account for those.

Usage, live or on a whole file::

    dec = WitMotionSerialDecoder(rate_hz=10)
    block = dec.feed(chunk)      # any chunking; partial frames are kept
    ...
    block = dec.finish()         # end of stream: decide the tail
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from firmware_interface.codecs import witmotion_scan as ws
from firmware_interface.codecs._timing import SlotClock
from firmware_interface.samples import DecodeStats, FloatArray, SampleBlock

ACC_SCALE_G = 16.0 / 32768.0
GYRO_SCALE_DPS = 2000.0 / 32768.0
ANGLE_SCALE_DEG = 180.0 / 32768.0
TEMP_SCALE_C = 0.01
#: Frame types that answer register reads; they are not part of the sample cycle.
_REPLY_KINDS = (0x5F, 0x71)
_MAX_CYCLE = 1024
#: Most stream time (s) that bytes decoding to no sample can stand for: a few corrupt
#: samples leave their hole, but line noise or a garbage flood is not time (the slots
#: between two samples are capped at this many seconds at the device rate).
MAX_BYTE_HOLE_S = 1.0


class _WitDecoder:
    """Shared machinery: pending bytes, absolute offsets, slot counting, counters."""

    _short = True
    _margin = 41

    def __init__(self, rate_hz: float, *, gyro: bool | None = None) -> None:
        self.clock = SlotClock(rate_hz)
        self.stats = DecodeStats()
        self.gyro: bool | None = gyro
        """Whether samples carry gyro; None = decided by the first data seen."""
        self.registers: list[tuple[int, tuple[int, ...]]] = []
        """Register read replies: (register or -1 when the frame does not say, values)."""
        self.last_temperature_c: float | None = None
        self._buf = b""
        self._base = 0
        self._prev_len = 0
        self._reply_bytes = 0
        self._last_anchor: int | None = None  # effective position of the last anchor
        self._last_slot = -1
        self._hist = np.zeros(_MAX_CYCLE, dtype=np.int64)
        self._holes: list[tuple[int, int]] = []  # (absolute byte offset, slots)

    # ------------------------------------------------------------------ public
    @property
    def has_gyro(self) -> bool:
        """Whether samples carry gyro (False until decided by data when ``gyro=None``)."""
        return bool(self.gyro)

    def feed(self, data: bytes) -> SampleBlock:
        """Decode a chunk of received bytes; returns the samples now complete."""
        self._buf += bytes(data)
        return self._run(final=False)

    def feed_packet(self, data: bytes) -> SampleBlock:
        """A BLE notification: same as :meth:`feed` (packets may be split or joined)."""
        return self.feed(data)

    def finish(self) -> SampleBlock:
        """End of stream: decide the remaining bytes."""
        return self._run(final=True)

    def skip_seconds(self, seconds: float) -> int:
        """Leave a time hole measured by the transport (disconnect); returns slots.

        The hole sits at the current end of the received bytes: it applies to the first
        sample anchored after it, even if earlier samples are still pending.
        """
        n = max(0, round(seconds * self.clock.rate_hz))
        if n:
            self._holes.append((self._base + len(self._buf), n))
        return n

    # ------------------------------------------------------------------ internals
    def _run(self, final: bool) -> SampleBlock:
        b = np.frombuffer(self._buf, dtype=np.uint8)
        sc = ws.scan(b, short=self._short, long=True, prev_len=self._prev_len,
                     final=final, margin=self._margin)
        st = self.stats
        st.frames_bad_checksum += sc.bad_checksum
        st.frames_unconfirmed += sc.unconfirmed
        st.frames_ok += int(sc.pos.size)
        st.bytes_skipped += sc.cut - int(sc.length.sum())
        if sc.pos.size and int(sc.pos[-1] + sc.length[-1]) == sc.cut:
            self._prev_len = int(sc.length[-1])
        elif sc.cut:
            self._prev_len = 0
        block = self._samples(b, sc)
        self._buf = self._buf[sc.cut:]
        self._base += sc.cut
        return block

    def _samples(self, b: NDArray[np.uint8], sc: ws.Scan) -> SampleBlock:
        pos, kind = sc.pos, sc.kind
        is_reply = (kind == _REPLY_KINDS[0]) | (kind == _REPLY_KINDS[1])
        self._collect_replies(b, pos[is_reply], kind[is_reply])
        anchor_idx = np.flatnonzero((kind == 0x51) | (kind == 0x61))
        anchors = pos[anchor_idx]
        akind = kind[anchor_idx]
        k51 = np.flatnonzero(akind == 0x51)
        if k51.size:
            raw_t = ws.int16_fields(b, anchors[k51[-1:]], 8, 1)[0, 0]
            self.last_temperature_c = float(raw_t) * TEMP_SCALE_C
        # The gyro frame must be the very next frame, intact (it may lie beyond the cut:
        # the scan margin guarantees it was already visible and checked).  Frames do not
        # overlap, so it is the next accepted one; a sentinel stands past the last.
        nxt = anchor_idx + 1
        kind_p = np.append(kind, np.uint8(0))
        pos_p = np.append(pos, np.int64(-1))
        paired = (akind == 0x61) | ((kind_p[nxt] == 0x52) & (pos_p[nxt] == anchors
                                                              + ws.SHORT_LEN))
        tail_gyro = self._tail_gyro(b, sc)
        if tail_gyro:
            paired[-1] = True
        n52 = int(np.count_nonzero(kind == 0x52))
        n_reply = int(np.count_nonzero(is_reply))
        self.stats.frames_other += int(kind.size) - anchors.size - n_reply - n52
        if self.gyro is None and anchors.size:
            self.gyro = bool(n52 or tail_gyro or (akind == 0x61).any())
        want_gyro = bool(self.gyro)
        # Effective positions: reply frames are interleaved, not part of the cycle.
        rpos = pos[is_reply]
        rlen = sc.length[is_reply]
        before = np.concatenate(([0], np.cumsum(rlen)))[np.searchsorted(rpos, anchors)]
        eff = self._base + anchors - (self._reply_bytes + before)
        self._reply_bytes += int(rlen.sum())
        slots = self._slots(eff, self._base + anchors)
        ok = paired if want_gyro else np.ones(anchors.size, dtype=bool)
        n_slots = int(slots[-1] - self._last_slot_before) if slots.size else 0
        self.stats.samples_dropped += n_slots - int(ok.sum())
        self.stats.samples_ok += int(ok.sum())
        t = self.clock.times(slots)[ok]
        a_sel, k_sel = anchors[ok], akind[ok]
        s51 = k_sel == 0x51
        n51 = int(s51.sum())
        if n51 == a_sel.size:  # one framing only (the usual case): no masked copies
            acc = _scaled(ws.int16_fields(b, a_sel, 2, 3), ACC_SCALE_G)
            gyr = (_scaled(ws.int16_fields(b, a_sel + ws.SHORT_LEN, 2, 3), GYRO_SCALE_DPS)
                   if want_gyro else None)
            return SampleBlock(t, acc, gyr)
        if n51 == 0:
            raw = ws.int16_fields(b, a_sel, 2, 6)
            return SampleBlock(t, _scaled(raw[:, :3], ACC_SCALE_G),
                               _scaled(raw[:, 3:], GYRO_SCALE_DPS) if want_gyro else None)
        acc = np.empty((a_sel.size, 3))
        gyr = np.empty((a_sel.size, 3)) if want_gyro else None
        acc[s51] = ws.int16_fields(b, a_sel[s51], 2, 3) * ACC_SCALE_G
        raw61 = ws.int16_fields(b, a_sel[~s51], 2, 6).astype(np.float64)
        acc[~s51] = raw61[:, :3] * ACC_SCALE_G
        if gyr is not None:
            gyr[s51] = ws.int16_fields(b, a_sel[s51] + ws.SHORT_LEN, 2, 3) * GYRO_SCALE_DPS
            gyr[~s51] = raw61[:, 3:] * GYRO_SCALE_DPS
        return SampleBlock(t, acc, gyr)

    def _tail_gyro(self, b: NDArray[np.uint8], sc: ws.Scan) -> bool:
        """Whether the last accepted frame is a ``0x51`` followed by an intact ``0x52``
        just past the cut (re-checked here; it is decided by the next call)."""
        if not (sc.pos.size and sc.kind[-1] == 0x51 and self._short):
            return False
        tail = int(sc.pos[-1]) + ws.SHORT_LEN
        if tail + ws.SHORT_LEN > b.size:
            return False
        t = np.array([tail], dtype=np.int64)
        return bool(b[tail] == 0x55 and b[tail + 1] == 0x52 and ws.checksum_ok(b, t)[0])

    def _slots(self, eff: NDArray[np.int64], at: NDArray[np.int64]) -> NDArray[np.int64]:
        self._last_slot_before = self._last_slot
        if eff.size == 0:
            return np.empty(0, dtype=np.int64)
        prev = self._last_anchor
        full = eff if prev is None else np.concatenate(([prev], eff))
        d = np.diff(full)
        # Only whole-frame distances can be a cycle (k x 11 bytes, or one 20-byte packet);
        # distances stretched by noise or shortened by lost bytes are not counted.
        whole = (d > 0) & (d < _MAX_CYCLE) & ((d % ws.SHORT_LEN == 0) | (d == ws.LONG_LEN))
        self._hist += np.bincount(d[whole], minlength=_MAX_CYCLE)
        cycle = int(np.argmax(self._hist)) if self._hist.any() else 0
        steps = np.maximum(1, np.rint(d / cycle).astype(np.int64)) if cycle else np.ones_like(d)
        cap = 1 + max(1, round(MAX_BYTE_HOLE_S * self.clock.rate_hz))
        self.stats.bytes_untimed += int(np.maximum(steps - cap, 0).sum()) * max(cycle, 1)
        steps = np.minimum(steps, cap)
        if prev is None:  # the first anchor ever takes the clock's next slot
            steps = np.concatenate(([1], steps))
        pending = []
        for where, n in self._holes:
            i = int(np.searchsorted(at, where))
            if i < at.size:
                steps[i] += n
            else:
                pending.append((where, n))
        self._holes = pending
        slots = self._last_slot + np.cumsum(steps)
        self._last_anchor = int(eff[-1])
        self._last_slot = int(slots[-1])
        return slots.astype(np.int64)

    def _collect_replies(self, b: NDArray[np.uint8], rpos: NDArray[np.int64],
                         rkind: NDArray[np.uint8]) -> None:
        for p, k in zip(rpos.tolist(), rkind.tolist(), strict=True):
            if k == 0x71:
                reg = int(b[p + 2]) | int(b[p + 3]) << 8
                vals = ws.int16_fields(b, np.array([p]), 4, 8)[0]
            else:
                reg, vals = -1, ws.int16_fields(b, np.array([p]), 2, 4)[0]
            self.registers.append((reg, tuple(int(v) for v in vals)))


def _scaled(raw: NDArray[np.int16], scale: float) -> FloatArray:
    """int16 wire values x ``scale`` as float64 (one pass, no intermediate copy)."""
    out: FloatArray = np.multiply(raw, scale, dtype=np.float64)
    return out


class WitMotionSerialDecoder(_WitDecoder):
    """WIT standard protocol over serial: 11-byte ``55 5x`` frames with checksum, and
    also the 20-byte ``55 61`` packets some BLE models send on USB (*unconfirmed per
    model*).  ``gyro=None`` decides from the first data whether samples carry gyro
    (acc-only when the device outputs no ``0x52`` frames)."""

    _short = True
    _margin = 41


class WitMotionBleDecoder(_WitDecoder):
    """WitMotion BLE 5.0 notifications: ``55 61`` + nine int16 (acc, gyro, angles) and
    ``55 71`` register replies, 20 bytes each, no checksum; split and joined
    notifications are reassembled by resynchronising on the header."""

    _short = False
    _margin = 41

    def __init__(self, rate_hz: float) -> None:
        super().__init__(rate_hz, gyro=True)
