"""Pure wire-format decoders: bytes in, arrays out, no I/O.

Stream decoders (WitMotion serial and BLE, micro:bit, Thingy:52) share one shape,
:class:`StreamDecoder`; :func:`stream_decoder` builds one by format name.
"""

from __future__ import annotations

from typing import Protocol

from firmware_interface.samples import DecodeStats, SampleBlock

#: Formats whose bytes carry no timestamps and are timed by sample count.
STREAM_FORMATS = ("witmotion-serial", "witmotion-ble", "microbit", "thingy52")
#: Formats that carry sequence numbers and device time (timed by the device clock).
TIMED_STREAM_FORMATS = ("sensorcoach-v1",)


class StreamDecoder(Protocol):
    """A stateful decoder of a byte stream (serial reads or BLE notifications)."""

    stats: DecodeStats

    @property
    def has_gyro(self) -> bool:
        """Whether the samples carry gyro columns."""
        ...

    def feed(self, data: bytes) -> SampleBlock:
        """Contiguous stream bytes, any chunking."""
        ...

    def feed_packet(self, data: bytes) -> SampleBlock:
        """One BLE notification."""
        ...

    def finish(self) -> SampleBlock:
        """End of stream."""
        ...

    def skip_seconds(self, seconds: float) -> int:
        """Leave a time hole of an outage measured by the host; returns slots skipped."""
        ...


def stream_decoder(fmt: str, rate_hz: float) -> StreamDecoder:
    """A fresh decoder for ``fmt`` (:data:`STREAM_FORMATS`, :data:`TIMED_STREAM_FORMATS`)
    at ``rate_hz`` Hz (for a timed format: the nominal rate, until the device says)."""
    from firmware_interface.codecs.microbit import MicrobitDecoder
    from firmware_interface.codecs.thingy52 import Thingy52Decoder
    from firmware_interface.codecs.witmotion import WitMotionBleDecoder, WitMotionSerialDecoder

    if fmt == "witmotion-serial":
        return WitMotionSerialDecoder(rate_hz)
    if fmt == "witmotion-ble":
        return WitMotionBleDecoder(rate_hz)
    if fmt == "microbit":
        return MicrobitDecoder(rate_hz)
    if fmt == "thingy52":
        return Thingy52Decoder(rate_hz)
    if fmt == "sensorcoach-v1":
        from firmware_interface.codecs.sensorcoach_v1 import SensorcoachV1Decoder

        return SensorcoachV1Decoder(rate_hz)
    raise ValueError(f"{fmt!r} is not a stream format ({', '.join(STREAM_FORMATS)})")


def stream_has_gyro(fmt: str) -> bool:
    """Whether samples of a stream format carry gyro (WitMotion serial: usually)."""
    return fmt != "microbit"
