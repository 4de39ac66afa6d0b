"""Nordic Thingy:52 raw motion characteristic ``EF680406-9B35-4933-9B10-52FFA9740042``.

18 bytes per notification: accel 3 x int16 (Q6.10: /1024 g), gyro 3 x int16 (Q11.5:
/32 deg/s), compass 3 x int16 (Q12.4: /16 uT, not used here).  Source:
NordicSemiconductor/Nordic-Thingy52-FW ``ble_tms.c``/``m_motion.c``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from firmware_interface.codecs._records import FixedRecordDecoder
from firmware_interface.samples import FloatArray

RECORD_LEN = 18
ACC_SCALE_G = 1.0 / 1024.0
GYRO_SCALE_DPS = 1.0 / 32.0


class Thingy52Decoder(FixedRecordDecoder):
    """Thingy:52 raw motion notifications -> acc in g, gyro in deg/s."""

    record_len = RECORD_LEN
    has_gyro = True

    def _convert(self, raw: NDArray[np.float64]) -> tuple[FloatArray, FloatArray | None]:
        return raw[:, 0:3] * ACC_SCALE_G, raw[:, 3:6] * GYRO_SCALE_DPS
