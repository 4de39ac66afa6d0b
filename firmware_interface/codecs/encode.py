"""Encoders: samples -> the bytes a device would send (the inverse of the decoders).

For synthetic raw captures (fixtures, demos, benchmarks) and round-trip tests.  Values
are rounded to the wire's integer steps and clipped to int16.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from firmware_interface.codecs import microbit, thingy52, witmotion


def _i16(x: ArrayLike, scale: float) -> NDArray[np.int16]:
    v = np.rint(np.asarray(x, dtype=np.float64) / scale)
    return np.clip(v, -32768, 32767).astype("<i2")


def wit_frame(kind: int, values: ArrayLike) -> bytes:
    """One 11-byte WIT frame ``55 kind`` + four int16 + checksum."""
    body = bytes([0x55, kind]) + np.asarray(values, dtype="<i2").reshape(4).tobytes()
    return body + bytes([sum(body) & 0xFF])


def witmotion_serial(acc_g: ArrayLike, gyro_dps: ArrayLike, *, temp_c: float = 25.0,
                     extra_kinds: tuple[int, ...] = (0x53,)) -> bytes:
    """Per sample: 0x51 (acc, T), 0x52 (gyro, T), then ``extra_kinds`` frames (zeros)."""
    acc = _i16(acc_g, witmotion.ACC_SCALE_G).reshape(-1, 3)
    gyr = _i16(gyro_dps, witmotion.GYRO_SCALE_DPS).reshape(-1, 3)
    n = acc.shape[0]
    t = np.full((n, 1), round(temp_c / witmotion.TEMP_SCALE_C), dtype="<i2")
    frames = [np.hstack([acc, t]), np.hstack([gyr, t])]
    kinds = [0x51, 0x52, *extra_kinds]
    frames += [np.zeros((n, 4), dtype="<i2") for _ in extra_kinds]
    k = len(kinds)
    out = np.zeros((n, k, 11), dtype=np.uint8)
    out[:, :, 0] = 0x55
    out[:, :, 1] = kinds
    for j, f in enumerate(frames):
        out[:, j, 2:10] = np.ascontiguousarray(f.astype("<i2")).view(np.uint8).reshape(n, 8)
    out[:, :, 10] = (out[:, :, :10].sum(axis=2, dtype=np.int64) & 0xFF).astype(np.uint8)
    return out.tobytes()


def witmotion_ble(acc_g: ArrayLike, gyro_dps: ArrayLike,
                  angles_deg: ArrayLike | None = None) -> bytes:
    """20-byte ``55 61`` packets: acc, gyro, angles (zeros by default)."""
    acc = _i16(acc_g, witmotion.ACC_SCALE_G).reshape(-1, 3)
    gyr = _i16(gyro_dps, witmotion.GYRO_SCALE_DPS).reshape(-1, 3)
    n = acc.shape[0]
    ang = (np.zeros((n, 3), dtype="<i2") if angles_deg is None
           else _i16(angles_deg, witmotion.ANGLE_SCALE_DEG).reshape(-1, 3))
    out = np.zeros((n, 20), dtype=np.uint8)
    out[:, 0], out[:, 1] = 0x55, 0x61
    out[:, 2:] = np.ascontiguousarray(np.hstack([acc, gyr, ang]).astype("<i2")).view(
        np.uint8).reshape(n, 18)
    return out.tobytes()


def witmotion_ble_register(reg: int, values: ArrayLike) -> bytes:
    """A ``55 71`` register reply: register (u16 LE) + eight int16."""
    return (bytes([0x55, 0x71, reg & 0xFF, reg >> 8])
            + np.asarray(values, dtype="<i2").reshape(8).tobytes())


def microbit_records(acc_g: ArrayLike) -> bytes:
    """6-byte micro:bit notifications (milli-g), concatenated."""
    return _i16(acc_g, microbit.MG_TO_G).reshape(-1, 3).tobytes()


def thingy52_records(acc_g: ArrayLike, gyro_dps: ArrayLike) -> bytes:
    """18-byte Thingy:52 raw motion notifications (compass zero), concatenated."""
    acc = _i16(acc_g, thingy52.ACC_SCALE_G).reshape(-1, 3)
    gyr = _i16(gyro_dps, thingy52.GYRO_SCALE_DPS).reshape(-1, 3)
    return np.hstack([acc, gyr, np.zeros_like(acc)]).astype("<i2").tobytes()
