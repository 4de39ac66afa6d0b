"""WitMotion decoders: golden vectors, fault injection, chunking, timing holes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_interface.codecs import encode
from firmware_interface.codecs.witmotion import WitMotionBleDecoder, WitMotionSerialDecoder
from firmware_interface.samples import SampleBlock

RATE = 10.0


def decode_serial(data: bytes, chunks: list[int] | None = None, **kw: object) -> tuple[
        SampleBlock, WitMotionSerialDecoder]:
    dec = WitMotionSerialDecoder(RATE, **kw)  # type: ignore[arg-type]
    out = []
    if chunks is None:
        out.append(dec.feed(data))
    else:
        pos = 0
        for c in chunks:
            out.append(dec.feed(data[pos:pos + c]))
            pos += c
        out.append(dec.feed(data[pos:]))
    out.append(dec.finish())
    return SampleBlock.concat(out, gyro=dec.has_gyro), dec


def truth(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    acc = np.rint(rng.normal(0, 0.3, (n, 3)) / (16 / 32768)) * (16 / 32768)
    gyr = np.rint(rng.normal(0, 50, (n, 3)) / (2000 / 32768)) * (2000 / 32768)
    return acc, gyr


def test_protocols_worked_vector_decodes_exactly() -> None:
    block, dec = decode_serial(bytes.fromhex("55 51 10 00 20 00 00 08 2C 0B 15"))
    np.testing.assert_array_equal(block.t, [0.0])
    np.testing.assert_array_equal(block.acc, [[16 * 16 / 32768, 32 * 16 / 32768, 1.0]])
    assert round(block.acc[0, 0], 4) == 0.0078 and round(block.acc[0, 1], 4) == 0.0156
    assert block.gyro is None  # the stream has no 0x52 frames: accelerometer only
    assert dec.last_temperature_c == pytest.approx(28.60)
    assert dec.stats.as_dict() == {**dec.stats.as_dict(), "frames_ok": 1, "samples_ok": 1,
                                   "frames_bad_checksum": 0, "bytes_skipped": 0}


def test_golden_acc_gyro_pair_whole_result() -> None:
    data = (bytes.fromhex("55 51 10 00 20 00 00 08 2C 0B 15")
            + bytes.fromhex("55 52 00 01 00 ff 10 00 2C 0B") + bytes([0]))
    data = data[:-1] + bytes([sum(data[11:21]) & 0xFF])
    block, dec = decode_serial(data)
    np.testing.assert_allclose(block.gyro, [[256 * 2000 / 32768, -256 * 2000 / 32768,
                                             16 * 2000 / 32768]])
    assert (dec.stats.frames_ok, dec.stats.samples_ok, dec.stats.samples_dropped) == (2, 1, 0)


def test_round_trip_and_timing_by_sample_count() -> None:
    acc, gyr = truth(50)
    block, dec = decode_serial(encode.witmotion_serial(acc, gyr, extra_kinds=(0x53, 0x54)))
    np.testing.assert_allclose(block.acc, acc, atol=1e-12)
    np.testing.assert_allclose(block.gyro, gyr, atol=1e-12)
    np.testing.assert_allclose(block.t, np.arange(50) / RATE)
    assert dec.stats.frames_other == 100 and dec.stats.bytes_skipped == 0


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(st.integers(1, 40), max_size=30))
def test_any_chunking_gives_the_same_result(chunks: list[int]) -> None:
    acc, gyr = truth(30, seed=1)
    data = encode.witmotion_serial(acc, gyr)
    whole, _ = decode_serial(data)
    parts, _ = decode_serial(data, chunks)
    np.testing.assert_array_equal(parts.t, whole.t)
    np.testing.assert_array_equal(parts.acc, whole.acc)
    np.testing.assert_array_equal(parts.gyro, whole.gyro)


def test_split_at_every_offset() -> None:
    acc, gyr = truth(6, seed=2)
    data = encode.witmotion_serial(acc, gyr)
    for cut in range(1, len(data)):
        block, _ = decode_serial(data, [cut])
        np.testing.assert_array_equal(block.acc, acc)
        np.testing.assert_allclose(block.t, np.arange(6) / RATE)


def test_bit_flip_is_rejected_and_leaves_a_time_hole() -> None:
    acc, gyr = truth(20, seed=3)
    data = bytearray(encode.witmotion_serial(acc, gyr))
    per = 33
    data[5 * per + 4] ^= 0x08       # sample 5: acc frame payload
    data[9 * per + 11 + 7] ^= 0x01  # sample 9: gyro frame payload
    data[14 * per + 10] ^= 0x80     # sample 14: acc checksum byte
    block, dec = decode_serial(bytes(data))
    kept = [i for i in range(20) if i not in (5, 9, 14)]
    np.testing.assert_array_equal(block.acc, acc[kept])
    np.testing.assert_array_equal(block.gyro, gyr[kept])
    np.testing.assert_allclose(block.t, np.array(kept) / RATE)
    assert dec.stats.frames_bad_checksum == 3
    assert dec.stats.samples_dropped == 3 and dec.stats.samples_ok == 17


def test_truncated_frames_drop_only_their_samples() -> None:
    acc, gyr = truth(10, seed=4)
    data = encode.witmotion_serial(acc, gyr)
    per = 33
    # Sample 3 loses 4 bytes of its gyro frame (UART overrun); sample 7 ends the file cut.
    damaged = data[:3 * per + 15] + data[3 * per + 19:9 * per + 5]
    block, dec = decode_serial(damaged)
    kept = [0, 1, 2, 4, 5, 6, 7, 8]
    np.testing.assert_array_equal(block.acc, acc[kept])
    np.testing.assert_allclose(block.t, np.array(kept) / RATE)
    assert dec.stats.samples_dropped >= 1 and dec.stats.bytes_skipped > 0


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.data())
def test_noise_with_false_headers_invents_nothing(data: st.DataObject) -> None:
    n = 25
    acc, gyr = truth(n, seed=5)
    frames = encode.witmotion_serial(acc, gyr)
    per = 33
    noise_byte = st.sampled_from([0x55, 0x51, 0x52, 0x61, 0x00, 0xFF, 0x13])
    where = data.draw(st.lists(st.integers(0, n), max_size=6, unique=True))
    out = bytearray()
    for i in range(n + 1):
        if i in where:
            out += bytes(data.draw(st.lists(noise_byte, min_size=1, max_size=15)))
        if i < n:
            out += frames[i * per:(i + 1) * per]
    chunks = data.draw(st.lists(st.integers(1, 50), max_size=8))
    block, _ = decode_serial(bytes(out), chunks)
    # Every decoded sample is a true one, in order; those not next to noise all survive.
    rows = {tuple(a) + tuple(g): i for i, (a, g) in enumerate(zip(acc, gyr, strict=True))}
    got = [rows[tuple(a) + tuple(g)] for a, g in zip(block.acc, block.gyro, strict=True)]
    assert got == sorted(got)
    assert set(range(n)) - set(got) <= {i for i in where} | {i - 1 for i in where}
    assert np.all(np.diff(block.t) > 0)


def test_ble_framing_on_serial_and_register_replies() -> None:
    acc, gyr = truth(8, seed=6)
    data = encode.witmotion_ble(acc, gyr)
    data = data[:60] + encode.witmotion_ble_register(0x03, [8, 0, 0, 0, 0, 0, 0, 0]) + data[60:]
    block, dec = decode_serial(data, [7, 33])
    np.testing.assert_array_equal(block.acc, acc)
    np.testing.assert_array_equal(block.gyro, gyr)
    np.testing.assert_allclose(block.t, np.arange(8) / RATE)  # the reply is not a sample
    assert dec.registers == [(3, (8, 0, 0, 0, 0, 0, 0, 0))]


def decode_ble(packets: list[bytes]) -> tuple[SampleBlock, WitMotionBleDecoder]:
    dec = WitMotionBleDecoder(50.0)
    out = [dec.feed_packet(p) for p in packets] + [dec.finish()]
    return SampleBlock.concat(out, gyro=True), dec


def test_ble_notifications_split_and_joined() -> None:
    acc, gyr = truth(12, seed=7)
    data = encode.witmotion_ble(acc, gyr)
    for cut in range(1, 40):
        pieces = [data[:cut], data[cut:cut + 45], data[cut + 45:]]
        block, dec = decode_ble(pieces)
        np.testing.assert_array_equal(block.acc, acc)
        np.testing.assert_array_equal(block.gyro, gyr)
        np.testing.assert_allclose(block.t, np.arange(12) / 50.0)
        assert dec.stats.bytes_skipped == 0


def test_ble_latency_is_two_packets() -> None:
    acc, gyr = truth(4, seed=8)
    data = encode.witmotion_ble(acc, gyr)
    dec = WitMotionBleDecoder(50.0)
    # A packet is decided once the headers of the next two are visible (no checksum).
    assert [len(dec.feed_packet(data[i:i + 20])) for i in range(0, 80, 20)] == [0, 0, 1, 1]
    assert len(dec.finish()) == 2


def test_ble_false_header_noise_and_lost_packet() -> None:
    acc, gyr = truth(10, seed=9)
    data = encode.witmotion_ble(acc, gyr)
    noisy = (data[:40] + bytes.fromhex("55 61 01 02 55 71 09") + data[40:100]
             + data[120:])  # packet 5 lost entirely
    block, dec = decode_ble([noisy[i:i + 20] for i in range(0, len(noisy), 20)])
    kept = [0, 1, 2, 3, 4, 6, 7, 8, 9]
    np.testing.assert_array_equal(block.acc, acc[kept])
    assert dec.stats.bytes_skipped == 7
    # 7 noise bytes are a third of a packet: no extra slot.  A packet lost whole leaves
    # no trace in a stream without timestamps (only an outage the host sees does).
    np.testing.assert_allclose(block.t, np.arange(9) / 50.0)
    assert dec.stats.samples_dropped == 0 and dec.stats.frames_unconfirmed == 1


def test_skip_seconds_leaves_a_hole() -> None:
    acc, gyr = truth(4, seed=10)
    data = encode.witmotion_ble(acc, gyr)
    dec = WitMotionBleDecoder(50.0)
    a = dec.feed(data[:40])
    assert dec.skip_seconds(1.0) == 50
    b = dec.feed(data[40:])
    c = dec.finish()
    t = SampleBlock.concat([a, b, c], gyro=True).t
    np.testing.assert_allclose(t, [0.0, 0.02, 1.04, 1.06])
