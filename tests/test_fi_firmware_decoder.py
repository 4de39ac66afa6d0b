"""sensorcoach-v1 decoder: exact gaps from sequence numbers (dropped, reordered, late,
duplicated notifications), CRC against bit flips, serial resync at every split, device
clock unrolling and drift, reboots and pauses, the device profile and the file format."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from firmware_interface import devices, formats
from firmware_interface.codecs import sensorcoach_v1 as v1
from firmware_interface.codecs import stream_decoder
from firmware_interface.errors import DeviceError
from firmware_interface.samples import SampleBlock

T32 = 1 << 32


def make_frames(n: int, *, rate: float = 100.0, seq0: int = 0, t0: int = 0,
                ppm: float = 0.0, jitter_us: float = 0.0, flags: int = 0x04,
                first_flags: int | None = None, seed: int = 0) -> list[bytes]:
    """Payloads of slot i = 0..n-1: acc x/y carry i so the output names its frames."""
    rng = np.random.default_rng(seed)
    period = 1e6 / (rate * (1 + ppm * 1e-6))
    t = t0 + np.arange(n) * period + rng.uniform(-jitter_us, jitter_us, n)
    out = []
    for i in range(n):
        f = flags if i or first_flags is None else first_flags
        out.append(v1.encode_sample(seq0 + i, round(float(t[i])), [i % 30000, i // 30000, 4096],
                                    [1, 2, 3], f))
    return out


def ids(block: SampleBlock) -> list[int]:
    raw = np.rint(block.acc * 4096).astype(int)
    return [int(x) for x in raw[:, 0] + 30000 * raw[:, 1]]


def decode_packets(packets: list[bytes], rate: float = 100.0,
                   **kw: int) -> tuple[SampleBlock, v1.SensorcoachV1Decoder]:
    dec = v1.SensorcoachV1Decoder(rate, **kw)
    blocks = [dec.feed_packet(p) for p in packets]
    return SampleBlock.concat([*blocks, dec.finish()], gyro=True), dec


# ---------------------------------------------------------------------- gaps
@pytest.mark.parametrize("seed", range(5))
def test_dropped_and_reordered_notifications_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 2500
    frames = make_frames(n, seq0=64000, t0=T32 - 3_000_000, jitter_us=300, seed=seed)
    keep = [i for i in range(n) if rng.random() > 0.05 or i in (0, n - 1)]
    dropped = n - len(keep)
    # Displace some notifications by up to 3 places (within the reorder window).
    order = list(keep)
    for j in rng.choice(len(order) - 4, size=120, replace=False):
        k = int(j) + int(rng.integers(1, 4))
        order[j], order[k] = order[k], order[j]
    block, dec = decode_packets([frames[i] for i in order])
    assert ids(block) == keep
    assert dec.stats.samples_dropped == dropped
    seen = -1
    expect_reordered = 0
    for i in order:
        expect_reordered += i < seen
        seen = max(seen, i)
    assert dec.stats.reordered == expect_reordered
    assert dec.stats.late_dropped == dec.stats.duplicates == 0
    np.testing.assert_allclose(block.t, np.array(keep) * 0.01, atol=0.61e-3)  # 2 x jitter
    assert np.all(np.diff(block.t) > 0)


def test_a_burst_of_lost_notifications_is_one_exact_gap() -> None:
    frames = make_frames(400, seq0=65500)  # seq wraps inside the burst
    keep = list(range(100)) + list(range(337, 400))
    block, dec = decode_packets([frames[i] for i in keep])
    assert ids(block) == keep
    assert dec.stats.samples_dropped == 237
    assert block.t[100] - block.t[99] == pytest.approx(2.38)


def test_too_late_and_duplicate_notifications() -> None:
    frames = make_frames(60)
    order = [i for i in range(60) if i != 10]
    order.insert(40, 10)                    # 30 places late: beyond the window of 8
    order.insert(20, 15)                    # a duplicate
    block, dec = decode_packets([frames[i] for i in order])
    assert ids(block) == [i for i in range(60) if i != 10]
    assert dec.stats.late_dropped == 1
    assert dec.stats.duplicates == 1
    assert dec.stats.samples_dropped == 0   # it did arrive: late, not lost


def test_live_latency_only_while_a_gap_is_open() -> None:
    frames = make_frames(30)
    dec = v1.SensorcoachV1Decoder(100)
    assert len(dec.feed_packet(frames[0])) == 1
    assert len(dec.feed_packet(frames[1])) == 1
    held = [len(dec.feed_packet(frames[i])) for i in range(3, 12)]  # 2 is missing
    assert held == [0] * 8 + [9]            # released once the window is full
    assert dec.stats.samples_dropped == 1


# ---------------------------------------------------------------------- serial framing
def serial_stream(n: int = 12) -> tuple[bytes, list[int]]:
    frames = make_frames(n, seq0=65530, t0=T32 - 50_000)
    info = v1.DeviceInfo((1, 0, 0), 1, 1, 1, 8, 1000, 100, 0, 0).encode()
    noise = [b"", b"\xa5", b"\x00\xa5\x5a", b"boot text\r\n", b"\xa5\x5a\x40", b"\xff" * 3]
    parts = []
    for i, f in enumerate(frames):
        parts.append(noise[i % len(noise)])
        parts.append(v1.frame(f))
        if i == 4:
            parts.append(v1.frame(info))
    return b"".join(parts), list(range(n))


def test_serial_split_at_every_offset_recovers_every_frame() -> None:
    data, want = serial_stream()
    whole = v1.SensorcoachV1Decoder(100)
    ref = SampleBlock.concat([whole.feed(data), whole.finish()], gyro=True)
    assert ids(ref) == want
    assert whole.device_info is not None and whole.stats.frames_other == 1
    for k in range(len(data) + 1):
        dec = v1.SensorcoachV1Decoder(100)
        b = SampleBlock.concat([dec.feed(data[:k]), dec.feed(data[k:]), dec.finish()], True)
        assert ids(b) == want, k
        np.testing.assert_array_equal(b.t, ref.t)
        assert dec.stats == whole.stats, k
    dec = v1.SensorcoachV1Decoder(100)
    b = SampleBlock.concat([*(dec.feed(data[i:i + 1]) for i in range(len(data))),
                            dec.finish()], gyro=True)
    assert ids(b) == want and dec.stats == whole.stats


def test_crc_catches_every_single_bit_flip() -> None:
    frames = [v1.frame(p) for p in make_frames(3)]
    for pos, bit in itertools.product(range(len(frames[1])), range(8)):
        bad = bytearray(frames[1])
        bad[pos] ^= 1 << bit
        dec = v1.SensorcoachV1Decoder(100)
        b = SampleBlock.concat([dec.feed(frames[0] + bytes(bad) + frames[2]), dec.finish()],
                               gyro=True)
        assert ids(b) == [0, 2], (pos, bit)
        assert dec.stats.samples_dropped == 1
        assert dec.stats.bytes_skipped == len(bad)


def test_crc_catches_every_double_bit_flip() -> None:
    body = v1.frame(make_frames(1)[0])[2:]          # length, payload, CRC: what it covers
    bits = len(body) * 8
    as_int = int.from_bytes(body, "big")
    for a in range(bits):
        for b in range(a + 1, bits):
            flipped = (as_int ^ (1 << a) ^ (1 << b)).to_bytes(len(body), "big")
            assert v1.crc16(flipped) != 0, (a, b)
    assert v1.crc16(body) == 0


def test_bad_crc_counted_and_resynced() -> None:
    frames = [v1.frame(p) for p in make_frames(5)]
    bad = bytearray(frames[2])
    bad[10] ^= 0xFF
    dec = v1.SensorcoachV1Decoder(100)
    b = SampleBlock.concat([dec.feed(b"".join([*frames[:2], bad, *frames[3:]])),
                            dec.finish()], gyro=True)
    assert ids(b) == [0, 1, 3, 4]
    assert dec.frames_bad_crc == 1 and dec.samples_lost == 1
    assert dec.stats.frames_ok == 4


# ---------------------------------------------------------------------- device clock
def test_drift_is_measured_and_timestamps_follow_the_device_clock() -> None:
    n = 6000  # one minute at 100 Hz
    frames = make_frames(n, ppm=-300, jitter_us=80, t0=T32 - 20_000_000)
    block, dec = decode_packets(frames)
    assert dec.drift_ppm == pytest.approx(-300, abs=5)
    assert dec.measured_rate_hz == pytest.approx(100 * (1 - 300e-6), rel=5e-6)
    # Stream time is the device's: 300 ppm over a minute is 18 ms, far above the jitter.
    assert block.t[-1] == pytest.approx((n - 1) * 0.01 / (1 - 300e-6), abs=2e-4)


def test_long_outage_resolved_with_the_host_measured_gap() -> None:
    """50 minutes lost: the device clock (2^32 us = 71.6 min) is ambiguous beyond +-35.8
    minutes; the transport's outage measurement picks the right wrap."""
    before = make_frames(200, seq0=100, t0=T32 - 1_000_000)
    lost = 300_000
    after = make_frames(200, seq0=100 + 200 + lost, t0=T32 - 1_000_000 + (200 + lost) * 10_000)
    dec = v1.SensorcoachV1Decoder(100)
    blocks = [dec.feed_packet(p) for p in before]
    assert dec.skip_seconds(3000.5) == 300050   # only an estimate, for the status line
    blocks += [dec.feed_packet(p) for p in after] + [dec.finish()]
    b = SampleBlock.concat(blocks, gyro=True)
    assert dec.stats.samples_dropped == lost
    assert b.t[200] == pytest.approx((200 + lost) * 0.01, abs=1e-6)


def test_pause_with_restart_flag_is_not_loss() -> None:
    a = make_frames(100, seq0=7)
    b = make_frames(100, seq0=107, t0=100 * 10_000 + 5_000_000, first_flags=0x0C)
    block, dec = decode_packets(a + b)
    assert dec.stats.samples_dropped == 0
    assert block.t[100] - block.t[99] == pytest.approx(5.01)
    assert dec.drift_ppm == pytest.approx(0, abs=1)


def test_reboot_starts_a_new_clock_segment() -> None:
    a = make_frames(300, seq0=0, t0=9_000_000, first_flags=0x18)
    b = make_frames(300, seq0=0, t0=1_500_000, first_flags=0x18)   # rebooted
    block, dec = decode_packets(a + b)
    assert len(block) == 600 and np.all(np.diff(block.t) > 0)
    assert dec.stats.samples_dropped == 0 and dec.flag_counts["boot"] == 2
    # The boot frame itself lost: seq and clock going back is still seen as a reboot.
    block, dec = decode_packets(a + b[1:])
    assert len(block) == 599 and np.all(np.diff(block.t) > 0)
    assert dec.stats.samples_dropped == 1


def test_device_info_sets_nominal_rate_and_meta() -> None:
    info = v1.DeviceInfo((1, 2, 3), 3, 3, 3, 8, 1000, 200, 0, 0)
    frames = make_frames(400, rate=200, ppm=50)
    _, dec = decode_packets([info.encode(), *frames, b"\x7f" + bytes(19), b"\x01\x02"])
    assert dec.device_info == info and dec.nominal_rate_hz == 200
    assert dec.drift_ppm == pytest.approx(50, abs=1)
    assert dec.stats.frames_other == 2 and dec.stats.records_bad == 1
    assert info.meta() == {"firmware": "1.2.3", "imu": "LSM6DS3TR-C",
                           "board": "XIAO nRF52840 Sense", "device_rate_hz": "200"}


# ---------------------------------------------------------------------- profile, format
def test_profile_and_sources_resolve() -> None:
    assert devices.parse_source("ble:sensorcoach-1A2B:sensorcoach") == devices.BleSource(
        "sensorcoach-1A2B", "sensorcoach")
    src = devices.parse_source("serial:/dev/ttyACM0@115200:sensorcoach")
    assert src == devices.SerialSource("/dev/ttyACM0", 115200, "sensorcoach")
    ble = devices.profile("sensorcoach", "ble")
    ser = devices.profile("sensorcoach", "serial")
    assert (ble.notify_uuid, ble.service_uuid) == (v1.DATA_UUID, v1.SERVICE_UUID)
    assert ser.transport == "serial" and ser.codec == ble.codec == "sensorcoach-v1"
    assert ble.setup(100) == [devices.Write(v1.CONTROL_UUID, b"\x12\x64\x00"),
                              devices.Write(v1.CONTROL_UUID, b"\x10")]
    assert [s.data for s in ser.setup(100) if isinstance(s, devices.Write)] == [
        bytes.fromhex("a55a03126400f5f1"), v1.frame(b"\x10")]
    with pytest.raises(DeviceError):
        ble.setup(12.5)
    assert devices.guess_ble_profile(None, [v1.SERVICE_UUID.upper()]) is ble
    assert devices.guess_ble_profile("sensorcoach-77", []) is ble
    assert isinstance(stream_decoder("sensorcoach-v1", 50), v1.SensorcoachV1Decoder)
    assert "-0000-1000-8000-00805f9b34fb" not in v1.UUID_BASE  # not the SIG base


def test_decode_file_serial_and_ble_captures(tmp_path: Path) -> None:
    info = v1.DeviceInfo((1, 0, 0), 1, 1, 1, 8, 1000, 100, 0, 0).encode()
    frames = [info, *make_frames(500, ppm=120, jitter_us=50)]
    ser = tmp_path / "serial.bin"
    ser.write_bytes(b"ets Jun  8 2016\r\n" + b"".join(v1.frame(p) for p in frames))
    ble = tmp_path / "ble.bin"
    ble.write_bytes(b"".join(frames[:200] + frames[201:]))
    assert formats.sniff(ser) == "sensorcoach-v1"
    for path, framing, lost in ((ser, "serial", 0), (ble, "ble notifications", 1)):
        ds = formats.decode_file(path, "sensorcoach-v1")
        assert ds.n_samples == 500 - lost and ds.format == "sensorcoach-v1"
        assert ds.stats.samples_dropped == lost
        assert ds.meta["framing"] == framing and ds.meta["imu"] == "MPU-6050"
        assert float(ds.meta["clock_drift_ppm"]) == pytest.approx(120, abs=15)
        assert ds.sample_rate_hz == pytest.approx(100.012, abs=2e-3)
    assert formats.decode_file(ser).n_samples == 500   # auto


def test_convert_command(tmp_path: Path) -> None:
    from sensorcoach.cli import main

    cap = tmp_path / "capture.bin"
    cap.write_bytes(b"".join(v1.frame(p) for p in make_frames(300, rate=50)))
    out = tmp_path / "out.csv"
    assert main(["convert", str(cap), "--from", "sensorcoach-v1", "-o", str(out)]) == 0
    text = out.read_text()
    assert "sample_rate_hz: 50" in text and text.count("\n") > 300
