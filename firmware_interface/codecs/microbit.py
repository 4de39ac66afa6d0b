"""BBC micro:bit accelerometer service (Lancaster micro:bit Bluetooth profile).

Data characteristic ``E95DCA4B-...``: x, y, z as int16 little-endian in milli-g, one
sample per notification (6 bytes); accelerometer only.  The board's own axes are used
as they come: *unconfirmed* whether every micro:bit revision reports +1000 mg "up" at
rest (the DAL reports specific force like a phone, which is what we assume).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from firmware_interface.codecs._records import FixedRecordDecoder
from firmware_interface.samples import FloatArray

RECORD_LEN = 6
MG_TO_G = 1e-3


class MicrobitDecoder(FixedRecordDecoder):
    """micro:bit accelerometer notifications (milli-g) -> g; no gyro."""

    record_len = RECORD_LEN
    has_gyro = False

    def _convert(self, raw: NDArray[np.float64]) -> tuple[FloatArray, FloatArray | None]:
        return raw * MG_TO_G, None
