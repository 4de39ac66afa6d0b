"""The honest peer of the WitMotion benchmark (a bytes.find + struct decoder) decodes the
same samples as our decoder from the same bytes, so the speed comparison is like with
like."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from witmotion_decode import decode_ours, find_struct_decode, make_stream

from firmware_interface.codecs import encode
from firmware_interface.codecs.witmotion import WitMotionSerialDecoder


def ours_arrays(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    dec = WitMotionSerialDecoder(100.0)
    blocks = [dec.feed(data), dec.finish()]
    acc = np.concatenate([b.acc for b in blocks])
    gyr = np.concatenate([b.gyro for b in blocks if b.gyro is not None])
    return acc, gyr


def test_peer_decodes_a_clean_stream_exactly_as_ours() -> None:
    data = make_stream(0.2, seed=3, flip_rate=0.0)
    acc, gyr = find_struct_decode(data)
    ref_acc, ref_gyr = ours_arrays(data)
    assert acc.shape == ref_acc.shape == (len(data) // 44, 3)
    np.testing.assert_array_equal(acc, ref_acc)
    np.testing.assert_array_equal(gyr, ref_gyr)


def test_peer_and_ours_agree_on_a_stream_with_bit_flips() -> None:
    data = make_stream(0.5, seed=1)
    acc, gyr = find_struct_decode(data)
    ref_acc, ref_gyr = ours_arrays(data)
    assert decode_ours(data).stats.samples_ok == ref_acc.shape[0]
    # corrupt frames are dropped by both; a false frame inside noise may be resolved
    # differently (ours prefers confirmed framing), so allow a handful in 10,000
    assert abs(acc.shape[0] - ref_acc.shape[0]) <= ref_acc.shape[0] * 5e-4
    ours = {tuple(r) for r in np.hstack([ref_acc, ref_gyr]).tolist()}
    peer = {tuple(r) for r in np.hstack([acc, gyr]).tolist()}
    assert len(ours ^ peer) <= ref_acc.shape[0] * 1e-3
    assert ref_acc.shape[0] < len(data) // 44  # the flips did cost samples


def test_peer_pairs_only_an_acc_frame_followed_at_once_by_a_gyro_frame() -> None:
    one = encode.witmotion_serial(np.array([[0.0, 0.0, 1.0]]), np.array([[10.0, 0.0, -5.0]]),
                                  extra_kinds=())
    acc_frame, gyro_frame = one[:11], one[11:]
    bad = bytearray(gyro_frame)
    bad[10] ^= 0xFF  # checksum broken
    data = (b"\x00\x55\x13" + one  # noise first, then a sample
            + acc_frame + b"\x00" + gyro_frame  # a byte between: no sample
            + acc_frame + bytes(bad)  # gyro frame corrupt: no sample
            + gyro_frame + acc_frame)  # gyro before acc, acc at the end: no sample
    acc, gyr = find_struct_decode(data)
    np.testing.assert_allclose(acc, [[0.0, 0.0, 1.0]], atol=16 / 32768)
    np.testing.assert_allclose(gyr, [[10.0, 0.0, -5.0]], atol=2000 / 32768)
    ref_acc, _ = ours_arrays(data)
    assert ref_acc.shape == (1, 3)


def test_peer_on_empty_and_garbage_input() -> None:
    assert find_struct_decode(b"")[0].shape == (0, 3)
    assert find_struct_decode(b"\x55" * 50)[1].shape == (0, 3)
