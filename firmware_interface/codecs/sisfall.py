"""SisFall trial files (Sucerquia, López, Vargas-Bonilla, Sensors 2017): text, no header.

Each line holds nine integers in raw ADC counts, comma separated, sometimes ending in
``;``: ADXL345 acceleration x, y, z (13 bit, +-16 g), ITG3200 angular rate x, y, z (16 bit,
+-2000 deg/s), MMA8451Q acceleration x, y, z (14 bit, +-8 g). Samples are at 200 Hz; the
files carry no time column. The data set's Readme gives the conversion
``[(2 * range) / 2**resolution] * counts``; we use it as documented (the ITG3200 datasheet's
14.375 LSB/(deg/s) would read about 14% more; the analysis' gyro check measures the scale
against the accelerometer instead of trusting either).

The device sat on the waist (a belt unit worn one way), so its nominal mounting is known
and written as ``mounting_up`` / ``mounting_forward`` for automatic calibration: standing
reads about (0, -1, 0) g (the data set's paper), so the body's up is sensor -y; forward is
sensor +z, measured on the development subjects (SA01-SA15, SE01-SE08): in all 113 trials of
bending (D15, D16) that tilted the unit more than 50 deg, gravity's reading moved to -z,
the body's back, and backward falls (F02) moved it to +z.

A file cut mid-line (a truncated download) is read up to the last whole line and the cut
is counted in ``stats.records_bad`` and named in ``meta["truncated"]``. Any other bad line
is an error naming it.
"""

from __future__ import annotations

import re

import numpy as np

from firmware_interface.errors import DecodeError
from firmware_interface.samples import DecodedStream, DecodeStats

RATE_HZ = 200.0
#: g per count, ADXL345 (+-16 g, 13 bit), as the SisFall Readme gives it.
ADXL345_G = 2 * 16 / 2**13
#: deg/s per count, ITG3200 (+-2000 deg/s, 16 bit), as the SisFall Readme gives it.
ITG3200_DPS = 2 * 2000 / 2**16
COLUMNS = 9
#: The belt unit's nominal body axes in sensor coordinates (see the module docstring).
MOUNTING_UP = "0,-1,0"
MOUNTING_FORWARD = "0,0,1"
#: A SisFall trial's file name: activity code, subject, trial.
NAME_RE = re.compile(r"^(?P<code>[DF]\d\d)_(?P<subject>S[AE]\d\d)_R(?P<trial>\d\d)\.txt$")
_LINE_RE = re.compile(rb"^\s*-?\d+(\s*,\s*-?\d+){8}\s*;?\s*$")


def looks_like(head: bytes) -> bool:
    """Whether the first lines of a file read as SisFall rows (nine integers)."""
    lines = [ln for ln in head.split(b"\n")[:6] if ln.strip()]
    # the last line of a sniffing window may be cut
    whole = lines[:-1] if len(lines) > 1 else lines
    return bool(whole) and all(_LINE_RE.match(ln) for ln in whole)


def decode(data: bytes, name: str | None = None) -> DecodedStream:
    """Decode a whole trial file's bytes; ``name`` (the file name) adds its labels."""
    text = data.decode("ascii", "replace").replace(";", "").replace("\r", "")
    lines = text.split("\n")
    stats = DecodeStats()
    meta: dict[str, str] = {"device": "sisfall-adxl345-itg3200", "placement": "waist",
                            "rate_source": "SisFall 200 Hz", "mounting_up": MOUNTING_UP,
                            "mounting_forward": MOUNTING_FORWARD}
    # a last line without its newline and with too few fields is a cut, not a bad row
    if lines and lines[-1].strip() and len(lines[-1].split(",")) < COLUMNS:
        stats.records_bad += 1
        meta["truncated"] = f"last line ({len(lines)}) cut short: read up to line {len(lines) - 1}"
        lines = lines[:-1]
    body = [ln for ln in lines if ln.strip()]
    if not body:
        raise DecodeError("no SisFall rows (nine comma-separated integers per line)")
    flat = ",".join(body).split(",")
    try:
        if len(flat) != COLUMNS * len(body):
            raise ValueError
        arr = np.array(flat, dtype=np.int64).reshape(len(body), COLUMNS).astype(np.float64)
    except ValueError:
        bad = next((i for i, ln in enumerate(lines, 1)
                    if ln.strip() and not _LINE_RE.match(ln.encode())), None)
        raise DecodeError(f"not a SisFall row ({COLUMNS} comma-separated integers)",
                          line=bad) from None
    n = arr.shape[0]
    stats.frames_ok = n
    stats.samples_ok = n
    t = np.arange(n, dtype=np.float64) / RATE_HZ
    acc = arr[:, 0:3] * ADXL345_G
    gyro = arr[:, 3:6] * ITG3200_DPS
    if name is not None:
        m = NAME_RE.match(name)
        if m:
            meta["sisfall_activity"] = m["code"]
            meta["sisfall_subject"] = m["subject"]
            meta["sisfall_trial"] = m["trial"]
    return DecodedStream(t, acc, gyro, RATE_HZ, "sisfall", stats, meta)
