"""Generic CSV with a column mapping (pure: header names + numeric table in, arrays out).

A mapping names the file's columns for our ``t, ax, ay, az[, gx, gy, gz]`` and the
units: time in s/ms/us/ns, acceleration in g or m/s^2 (specific force, i.e. +1 g up at
rest), angular rate in deg/s or rad/s.  ``guess_mapping`` recognises common names
(``t``/``time``/``timestamp``, ``ax``/``acc_x``/``accX``/``x``, ``gx``/``gyro_x``...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from firmware_interface.errors import DecodeError
from firmware_interface.samples import G0, RAD2DEG, FloatArray

TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
ACC_UNITS = {"g": 1.0, "m/s2": 1.0 / G0, "m/s^2": 1.0 / G0, "mg": 1e-3}
GYRO_UNITS = {"deg/s": 1.0, "dps": 1.0, "rad/s": RAD2DEG}
KEYS = ("t", "ax", "ay", "az", "gx", "gy", "gz")

_GUESS = {
    "t": r"t|time|timestamp|time_s|seconds|seconds_elapsed",
    "ax": r"ax|acc_?x|accel_?x|accelerometer_?x|a_?x|x",
    "ay": r"ay|acc_?y|accel_?y|accelerometer_?y|a_?y|y",
    "az": r"az|acc_?z|accel_?z|accelerometer_?z|a_?z|z",
    "gx": r"gx|gyr_?x|gyro_?x|gyroscope_?x|w_?x",
    "gy": r"gy|gyr_?y|gyro_?y|gyroscope_?y|w_?y",
    "gz": r"gz|gyr_?z|gyro_?z|gyroscope_?z|w_?z",
}


@dataclass(frozen=True)
class ColumnMap:
    """Our column -> the file's column name, and unit scales to s, g and deg/s."""

    columns: dict[str, str]
    time_scale: float = 1.0
    acc_scale: float = 1.0
    gyro_scale: float = 1.0


def _bare(name: str) -> str:
    """Header name without a unit suffix, lower case: 'Acc X (g)' -> 'acc x'."""
    return re.sub(r"\s*[\(\[].*$", "", name).strip().lower()


def guess_mapping(names: list[str]) -> ColumnMap:
    """Recognise t/ax/ay/az (and gx/gy/gz when all three are present) by name."""
    bare = [_bare(n).replace(" ", "_").replace("-", "_") for n in names]
    cols: dict[str, str] = {}
    for key, pat in _GUESS.items():
        for n, b in zip(names, bare, strict=True):
            if re.fullmatch(pat, b) and n not in cols.values():
                cols[key] = n
                break
    missing = [k for k in KEYS[:4] if k not in cols]
    if missing:
        raise DecodeError(f"cannot tell which columns are {','.join(missing)} among "
                          f"{','.join(names)}; pass --columns t=...,ax=...,ay=...,az=...",
                          line=1)
    if not all(k in cols for k in KEYS[4:]):
        for k in KEYS[4:]:
            cols.pop(k, None)
    return ColumnMap(cols)


def parse_mapping(spec: str) -> ColumnMap:
    """``"t=time,ax=accX,...,time_unit=ms,acc_unit=m/s2,gyro_unit=rad/s"``."""
    cols: dict[str, str] = {}
    scales = {"time_unit": 1.0, "acc_unit": 1.0, "gyro_unit": 1.0}
    tables = {"time_unit": TIME_UNITS, "acc_unit": ACC_UNITS, "gyro_unit": GYRO_UNITS}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or not value.strip():
            raise DecodeError(f"column mapping item {part!r} is not key=value")
        if key in tables:
            if value.strip() not in tables[key]:
                raise DecodeError(f"{key} must be one of {', '.join(tables[key])}")
            scales[key] = tables[key][value.strip()]
        elif key in KEYS:
            cols[key] = value.strip()
        else:
            raise DecodeError(f"unknown mapping key {key!r} (use {', '.join(KEYS)}, "
                              "time_unit, acc_unit, gyro_unit)")
    missing = [k for k in KEYS[:4] if k not in cols]
    if missing:
        raise DecodeError(f"column mapping lacks {','.join(missing)}")
    gy = [k for k in KEYS[4:] if k in cols]
    if gy and len(gy) != 3:
        raise DecodeError("column mapping needs all of gx,gy,gz or none")
    return ColumnMap(cols, scales["time_unit"], scales["acc_unit"], scales["gyro_unit"])


def apply(names: list[str], table: FloatArray, cmap: ColumnMap, *,
          path: str | None = None,
          rebase: bool = True) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """(t s from the first row, or the file's own t when ``rebase`` is False; acc g, gyro
    deg/s or None); every cell must be finite and time strictly increasing (else a
    DecodeError naming the data row's line)."""
    idx = {n: i for i, n in enumerate(names)}
    for key, col in cmap.columns.items():
        if col not in idx:
            raise DecodeError(f"column {col!r} (for {key}) not found; have "
                              f"{','.join(names)}", path=path, line=1)
    c = cmap.columns
    t = table[:, idx[c["t"]]] * cmap.time_scale
    acc = table[:, [idx[c[k]] for k in ("ax", "ay", "az")]] * cmap.acc_scale
    gyro = None
    if "gx" in c:
        gyro = table[:, [idx[c[k]] for k in ("gx", "gy", "gz")]] * cmap.gyro_scale
    used = np.column_stack([t, acc] + ([gyro] if gyro is not None else []))
    bad = ~np.isfinite(used).all(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DecodeError("empty, NaN or infinite value", path=path, line=row + 2)
    back = np.flatnonzero(np.diff(t) <= 0)
    if back.size:
        raise DecodeError("time does not increase", path=path, line=int(back[0]) + 3)
    if t.size == 0:
        raise DecodeError("no samples", path=path, line=2)
    return (t - t[0] if rebase else t), acc, gyro
