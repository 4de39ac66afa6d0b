"""Pure numpy signal core: orientation, calibration, activity, slumps, holds, stability.

Imports numpy only (scipy stays out: importing scipy.signal alone costs 1.5 s of
process start); no I/O, no asyncio, no web or BLE libraries.
"""
