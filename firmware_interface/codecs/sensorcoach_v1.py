"""sensorcoach wire format v1: the reference firmware's samples (``firmware/PROTOCOL.md``).

One 20-byte payload per BLE notification; over serial the same payloads are framed as
``A5 5A len payload crc16`` (CRC-16/CCITT-FALSE over len + payload, MSB first).  A sample
payload carries a sequence number (u16, one per sample slot), the device clock (u32 us)
and acc / gyro as int16 at a fixed scale (+-8 g, +-1000 deg/s full scale).

The decoder is pure and stateful across chunks.  Gaps come from sequence numbers, so
dropped notifications are counted exactly (``samples_dropped``) and reordered ones are
put back in order inside a small window (``reordered``; too late: ``late_dropped``).
Timestamps are the device clock, unrolled across its 2^32 us wrap (the sequence
number's 2^16 wrap is unrolled with the device time, so long outages are counted right).
The device clock is compared with the nominal rate: :attr:`SensorcoachV1Decoder.drift_ppm`.

Counters (PROTOCOLS.md names): ``frames_ok``, ``frames_bad_checksum`` (bad CRC),
``bytes_skipped``, ``samples_dropped`` (samples lost from sequence gaps).
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass

import numpy as np

from firmware_interface.codecs._timing import SlotClock
from firmware_interface.samples import DecodedStream, DecodeStats, SampleBlock

FORMAT = "sensorcoach-v1"
#: Random vendor UUID base (uuid4); bytes 2-3 (``c75d``) are replaced by a role number.
UUID_BASE = "8fd1c75d-b897-4a33-8be8-d3e00f302b07"
SERVICE_UUID = "8fd10001-b897-4a33-8be8-d3e00f302b07"
DATA_UUID = "8fd10002-b897-4a33-8be8-d3e00f302b07"
"""Notify: sample and device-info payloads, one per notification."""
CONTROL_UUID = "8fd10003-b897-4a33-8be8-d3e00f302b07"
"""Write / write without response: command payloads."""
INFO_UUID = "8fd10004-b897-4a33-8be8-d3e00f302b07"
"""Read: the device-info payload."""

PAYLOAD_LEN = 20
SYNC = b"\xa5\x5a"
MAX_PAYLOAD = 64
OVERHEAD = 5
TYPE_SAMPLE, TYPE_INFO = 0x01, 0x02
CMD_START, CMD_STOP, CMD_SET_RATE, CMD_IDENTIFY = 0x10, 0x11, 0x12, 0x13
CMD_BUZZ = 0x14
#: Longest buzz one command asks for (ms); 0 stops a buzz under way.
BUZZ_MAX_MS = 5000
#: Device-info status bits.
STATUS_STREAMING, STATUS_CALIBRATED, STATUS_BUZZER = 0x01, 0x02, 0x04
FLAG_ACC_SAT, FLAG_GYRO_SAT, FLAG_CALIBRATED = 0x01, 0x02, 0x04
FLAG_RESTART, FLAG_BOOT, FLAG_OVERRUN = 0x08, 0x10, 0x20
ACC_FS_G, GYRO_FS_DPS = 8, 1000
ACC_SCALE_G = ACC_FS_G / 32768.0
GYRO_SCALE_DPS = GYRO_FS_DPS / 32768.0
RATE_MIN_HZ, RATE_MAX_HZ = 1, 1000
IMU_MODELS = {0: "unknown", 1: "MPU-6050", 2: "LSM6DS3", 3: "LSM6DS3TR-C", 4: "BMI270"}
BOARDS = {0: "unknown", 1: "ESP32", 2: "Arduino Nano 33 BLE Rev2", 3: "XIAO nRF52840 Sense"}

_SAMPLE = struct.Struct("<BBHI6h")
_INFO = struct.Struct("<8BHHHIH")
_SEQ_MOD, _T_MOD = 1 << 16, 1 << 32


# ---------------------------------------------------------------------- encoding
def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF); ``b"123456789"`` -> 0x29B1."""
    return binascii.crc_hqx(data, 0xFFFF)


def frame(payload: bytes) -> bytes:
    """Serial framing of one payload: ``A5 5A len payload crc_hi crc_lo``."""
    if not 0 < len(payload) <= MAX_PAYLOAD:
        raise ValueError(f"payload length {len(payload)} not in 1..{MAX_PAYLOAD}")
    body = bytes([len(payload)]) + payload
    return SYNC + body + crc16(body).to_bytes(2, "big")


def encode_sample(seq: int, t_us: int, acc: tuple[int, int, int] | list[int],
                  gyro: tuple[int, int, int] | list[int], flags: int = 0) -> bytes:
    """A 20-byte sample payload; ``seq`` and ``t_us`` are taken modulo their wrap."""
    return _SAMPLE.pack(TYPE_SAMPLE, flags, seq % _SEQ_MOD, t_us % _T_MOD, *acc, *gyro)


@dataclass(frozen=True)
class DeviceInfo:
    """The device-info payload: firmware, IMU, wire ranges and nominal rate."""

    fw_version: tuple[int, int, int]
    imu: int
    board: int
    status: int
    acc_fs_g: int
    gyro_fs_dps: int
    rate_hz: int
    t_us: int
    next_seq: int
    protocol: int = 1

    @property
    def has_buzzer(self) -> bool:
        """Built with a buzzer or vibration motor (``SC_BUZZ_PIN``): buzz commands work."""
        return bool(self.status & STATUS_BUZZER)

    def encode(self) -> bytes:
        return _INFO.pack(TYPE_INFO, self.protocol, *self.fw_version, self.imu, self.board,
                          self.status, self.acc_fs_g, self.gyro_fs_dps, self.rate_hz,
                          self.t_us % _T_MOD, self.next_seq % _SEQ_MOD)

    @staticmethod
    def decode(payload: bytes) -> DeviceInfo:
        v = _INFO.unpack(payload)
        return DeviceInfo((v[2], v[3], v[4]), v[5], v[6], v[7], v[8], v[9], v[10], v[11],
                          v[12], v[1])

    def meta(self) -> dict[str, str]:
        return {"firmware": ".".join(map(str, self.fw_version)),
                "imu": IMU_MODELS.get(self.imu, f"code {self.imu}"),
                "board": BOARDS.get(self.board, f"code {self.board}"),
                "device_rate_hz": str(self.rate_hz)}


def command(kind: int, rate_hz: int = 0) -> bytes:
    """A command payload (a BLE write to :data:`CONTROL_UUID`; :func:`frame` for serial)."""
    if kind == CMD_SET_RATE:
        if not RATE_MIN_HZ <= rate_hz <= RATE_MAX_HZ:
            raise ValueError(f"rate {rate_hz} Hz not in {RATE_MIN_HZ}..{RATE_MAX_HZ}")
        return bytes([kind]) + rate_hz.to_bytes(2, "little")
    if kind not in (CMD_START, CMD_STOP, CMD_IDENTIFY):
        raise ValueError(f"unknown command 0x{kind:02x}")
    return bytes([kind])


def buzz_command(duration_ms: int) -> bytes:
    """The buzz command payload: ``14 lo hi``, ``duration_ms`` 0..:data:`BUZZ_MAX_MS`
    (0 stops); a device built without a buzzer answers it and does nothing."""
    if not 0 <= duration_ms <= BUZZ_MAX_MS:
        raise ValueError(f"buzz {duration_ms} ms not in 0..{BUZZ_MAX_MS}")
    return bytes([CMD_BUZZ]) + duration_ms.to_bytes(2, "little")


def quantize(value: float, lsb_per_unit: float) -> tuple[int, bool]:
    """Physical value -> wire int16 as the firmware does it (``sc_acc_from_g``): round
    half away from zero, clip; True when at the int16 limit (the saturation flag)."""
    x = value * lsb_per_unit
    if x >= 32767:
        return 32767, True
    if x <= -32768:
        return -32768, True
    return (int(x + 0.5) if x >= 0 else -int(-x + 0.5)), False


# ---------------------------------------------------------------------- decoding
@dataclass
class _Frame:
    key: int     # unrolled sequence number (sample slot)
    u_us: int    # unrolled device clock, us
    t_s: float   # stream time, s
    flags: int
    raw: tuple[int, ...]


class SensorcoachV1Decoder:
    """Serial bytes (:meth:`feed`) or BLE notifications (:meth:`feed_packet`) -> samples.

    ``rate_hz``: nominal rate until a device-info payload says otherwise (used for the
    drift figure, and to unroll the sequence number until the rate is measured).
    ``reorder_window``: frames held back while a gap is open, waiting for a late one.
    """

    has_gyro = True

    def __init__(self, rate_hz: float = 50.0, *, reorder_window: int = 8) -> None:
        self.clock = SlotClock(rate_hz)
        """``next_slot / rate_hz`` is the stream time of the next sample (transports)."""
        self.nominal_rate_hz = float(rate_hz)
        self.stats = DecodeStats()
        self.device_info: DeviceInfo | None = None
        self.flag_counts = {"acc_saturated": 0, "gyro_saturated": 0, "overrun": 0,
                            "restart": 0, "boot": 0}
        self.calibrated: bool | None = None
        self.window = int(reorder_window)
        self._buf = b""
        self._pending: dict[int, _Frame] = {}
        self._next_key: int | None = None   # key of the next sample to emit
        self._ref: tuple[int, int] | None = None  # (key, unrolled us) of the newest frame
        self._seg = (0, 0.0)                # (unrolled us, stream s) of the segment origin
        self._seq_off = 0                   # key - seq of the current segment (mod 2^16)
        self._lost: set[int] = set()        # recently declared lost (to spot late ones)
        self._last: _Frame | None = None    # last emitted
        self._pair_ok = False               # last emitted -> next one may measure drift
        self._drift = [0, 0]                # slots, device us over contiguous pairs
        self._hint_s: float | None = None
        self._out: list[_Frame] = []

    # ------------------------------------------------------------------ public
    @property
    def frames_bad_crc(self) -> int:
        return self.stats.frames_bad_checksum

    @property
    def samples_lost(self) -> int:
        return self.stats.samples_dropped

    @property
    def measured_rate_hz(self) -> float | None:
        """Sample rate by the device clock (slots per device second), once measurable."""
        slots, us = self._drift
        return slots / (us * 1e-6) if slots >= 10 and us > 0 else None

    @property
    def drift_ppm(self) -> float | None:
        """Measured rate vs nominal, ppm (> 0: the device samples faster than nominal)."""
        r = self.measured_rate_hz
        return (r / self.nominal_rate_hz - 1.0) * 1e6 if r is not None else None

    def feed(self, data: bytes) -> SampleBlock:
        """Serial stream bytes, any chunking: resync on ``A5 5A``, CRC-checked."""
        self._buf += bytes(data)
        self._scan(final=False)
        return self._block()

    def _scan(self, final: bool) -> None:
        """Frames in the pending bytes; ``final``: a frame cut short by the end of the
        stream is noise (its sync bytes may be, and a real frame may start inside)."""
        buf, i, n = self._buf, 0, len(self._buf)
        st = self.stats
        while True:
            j = buf.find(SYNC, i)
            if j < 0:
                keep = n - 1 if n and buf[-1] == SYNC[0] and not final else n
                st.bytes_skipped += keep - i
                i = keep
                break
            st.bytes_skipped += j - i
            i = j
            if n - i < 3 and not final:
                break
            length = buf[i + 2] if n - i >= 3 else 0
            end = i + OVERHEAD + length
            if not 0 < length <= MAX_PAYLOAD or (final and end > n):
                st.bytes_skipped += 1
                i += 1
            elif end > n:
                break
            elif crc16(buf[i + 2: end]) != 0:  # residue of a correct frame is zero
                st.frames_bad_checksum += 1
                st.bytes_skipped += 1
                i += 1
            else:
                self._payload(buf[i + 3: end - 2])
                i = end
        self._buf = buf[i:]

    def feed_packet(self, data: bytes) -> SampleBlock:
        """One BLE notification = one payload (no framing: the link layer has a CRC)."""
        if data:
            self._payload(bytes(data))
        else:
            self.stats.records_bad += 1
        return self._block()

    def finish(self) -> SampleBlock:
        """End of stream: held-back frames are released, a partial frame is skipped."""
        self._scan(final=True)
        self._drain(force=True)
        return self._block()

    def skip_seconds(self, seconds: float) -> int:
        """An outage measured by the host: it resolves the device clock's 71-minute wrap
        for the next frame.  Lost samples are counted from sequence numbers when frames
        resume; the return value is only the estimate ``seconds x rate``."""
        self._hint_s = max(0.0, float(seconds))
        return max(0, round(seconds * self.nominal_rate_hz))

    # ------------------------------------------------------------------ internals
    def _payload(self, p: bytes) -> None:
        kind, st = p[0], self.stats
        if kind in (TYPE_SAMPLE, TYPE_INFO) and len(p) != PAYLOAD_LEN:
            st.records_bad += 1
            st.bytes_skipped += len(p)
            return
        st.frames_ok += 1
        if kind == TYPE_SAMPLE:
            _, flags, seq, t_us, *raw = _SAMPLE.unpack(p)
            self._sample(seq, t_us, flags, tuple(raw))
            return
        st.frames_other += 1  # device info; or a later version's type, an echoed command
        if kind == TYPE_INFO:
            info = DeviceInfo.decode(p)
            if info.rate_hz and info.rate_hz != self.nominal_rate_hz:
                self.nominal_rate_hz = float(info.rate_hz)
                self._drift = [0, 0]
            self.device_info = info

    def _period_us(self) -> float:
        return 1e6 / (self.measured_rate_hz or self.nominal_rate_hz)

    def _count_flags(self, flags: int) -> None:
        for bit, name in ((FLAG_ACC_SAT, "acc_saturated"), (FLAG_GYRO_SAT, "gyro_saturated"),
                          (FLAG_OVERRUN, "overrun"), (FLAG_RESTART, "restart"),
                          (FLAG_BOOT, "boot")):
            if flags & bit:
                self.flag_counts[name] += 1
        self.calibrated = bool(flags & FLAG_CALIBRATED)

    def _sample(self, seq: int, t_us: int, flags: int, raw: tuple[int, ...]) -> None:
        self._count_flags(flags)
        hint, self._hint_s = self._hint_s, None
        if self._ref is None:
            self._ref, self._seg = (seq, t_us), (t_us, 0.0)
        ref_key, ref_us = self._ref
        dt = (t_us - ref_us + (1 << 31)) % _T_MOD - (1 << 31)
        if hint is not None:  # the clock wrap that best matches the host-measured outage
            dt += _T_MOD * round((hint * 1e6 - dt) / _T_MOD)
        ds = (seq + self._seq_off - ref_key) % _SEQ_MOD
        expect = dt / self._period_us()
        if flags & FLAG_RESTART:  # a pause or a new rate: seq continues, the clock jumped
            key = ref_key + (ds if ds < _SEQ_MOD // 2 else ds - _SEQ_MOD)
        else:
            key = ref_key + ds + _SEQ_MOD * round((expect - ds) / _SEQ_MOD)
        rebooted = bool(flags & FLAG_BOOT) and (ds, dt) != (0, 0)
        # A frame from well before the newest whose seq disagrees with its clock: the
        # device rebooted and its BOOT frame was lost (a merely late frame agrees).
        stale = dt < -(self.window + 2) * self._period_us() and abs(key - ref_key - expect) > 2
        if (rebooted or stale) and self._next_key is not None:
            key, u_us, t_s = self._new_segment(seq, t_us, hint)
        else:
            u_us = ref_us + dt
            t_s = self._seg[1] + (u_us - self._seg[0]) * 1e-6
        self._insert(_Frame(key, u_us, t_s, flags, raw))

    def _new_segment(self, seq: int, t_us: int, hint: float | None) -> tuple[int, int, float]:
        """The device rebooted: its seq restarted at 0 and its clock is a new one."""
        self._drain(force=True)
        assert self._next_key is not None and self._last is not None
        key = self._next_key + seq  # slots 0..seq-1 of the new boot were lost
        gap = hint if hint is not None else (1 + seq) / self.nominal_rate_hz
        t_s = self._last.t_s + gap
        self._ref, self._seg, self._seq_off = (key, t_us), (t_us, t_s), key - seq
        self._pair_ok = False
        return key, t_us, t_s

    def _insert(self, f: _Frame) -> None:
        st = self.stats
        if self._next_key is not None and f.key < self._next_key:
            if f.key in self._lost:
                self._lost.discard(f.key)
                st.samples_dropped -= 1
                st.late_dropped += 1
            else:
                st.duplicates += 1
            return
        if f.key in self._pending:
            st.duplicates += 1
            return
        assert self._ref is not None
        if f.key < self._ref[0]:
            st.reordered += 1
        else:
            self._ref = (f.key, f.u_us)
        self._pending[f.key] = f
        if self._next_key is None:
            self._next_key = f.key
        self._drain(force=False)

    def _drain(self, force: bool) -> None:
        """Emit pending frames in order; a gap is declared lost once ``window`` later
        frames wait behind it (or at ``force``)."""
        while self._pending:
            assert self._next_key is not None
            f = self._pending.pop(self._next_key, None)
            if f is None:
                if not force and len(self._pending) <= self.window:
                    return
                first = min(self._pending)
                self._declare_lost(self._next_key, first)
                self._next_key = first
                continue
            self._emit(f)
            self._next_key = f.key + 1

    def _declare_lost(self, a: int, b: int) -> None:
        self.stats.samples_dropped += b - a
        self._lost.update(range(max(a, b - 4 * self.window - 64), b))
        if len(self._lost) > 4096:
            self._lost = {k for k in self._lost if k >= b - 1024}

    def _emit(self, f: _Frame) -> None:
        prev = self._last
        if prev is not None and not f.t_s > prev.t_s:  # never let time run backwards
            self.stats.records_bad += 1
            return
        if prev is not None and self._pair_ok and not f.flags & (FLAG_RESTART | FLAG_BOOT):
            dk, du = f.key - prev.key, f.u_us - prev.u_us
            # A pause whose RESTART frame was lost shows as a clock jump: not drift.
            if (dk == 1 and self.measured_rate_hz is None) or \
                    abs(du - dk * self._period_us()) <= 0.25 * du:
                self._drift[0] += dk
                self._drift[1] += du
        self._pair_ok = True
        self._last = f
        self._out.append(f)

    def _block(self) -> SampleBlock:
        out, self._out = self._out, []
        if not out:
            return SampleBlock.empty(True)
        raw = np.array([f.raw for f in out], dtype=np.float64)
        t = np.array([f.t_s for f in out])
        self.stats.samples_ok += len(out)
        self.clock.next_slot = round(float(t[-1]) * self.clock.rate_hz) + 1
        return SampleBlock(t, raw[:, :3] * ACC_SCALE_G, raw[:, 3:] * GYRO_SCALE_DPS)


def looks_framed(data: bytes, *, min_frames: int = 1) -> bool:
    """Whether a capture holds serial frames (else: concatenated 20-byte notifications)."""
    dec = SensorcoachV1Decoder()
    dec.feed(data[:4096])
    return dec.stats.frames_ok >= min_frames


def decode_bytes(data: bytes, rate_hz: float | None = None) -> DecodedStream:
    """A whole capture: serial frames, or BLE notifications concatenated (20 bytes each)."""
    dec = SensorcoachV1Decoder(rate_hz or 50.0)
    blocks = []
    if looks_framed(data):
        blocks.append(dec.feed(data))
        framing = "serial"
    else:
        for i in range(0, len(data) - PAYLOAD_LEN + 1, PAYLOAD_LEN):
            blocks.append(dec.feed_packet(data[i: i + PAYLOAD_LEN]))
        tail = len(data) % PAYLOAD_LEN
        dec.stats.bytes_skipped += tail
        dec.stats.records_bad += 1 if tail else 0
        framing = "ble notifications"
    blocks.append(dec.finish())
    block = SampleBlock.concat(blocks, gyro=True)
    meta = {"device": "sensorcoach", "framing": framing, "rate_source": "device clock"}
    if dec.device_info is not None:
        meta.update(dec.device_info.meta())
    rate = dec.measured_rate_hz
    if dec.drift_ppm is not None:
        meta["clock_drift_ppm"] = f"{dec.drift_ppm:.1f}"
    if rate is None:
        rate, meta["rate_source"] = dec.nominal_rate_hz, "nominal"
    return DecodedStream(block.t, block.acc, block.gyro, round(rate, 3), FORMAT, dec.stats,
                         meta)
