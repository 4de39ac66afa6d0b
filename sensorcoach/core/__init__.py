"""Pure numpy signal core: orientation, calibration, activity, slumps, holds, stability.

Imports numpy and scipy only: no I/O, no asyncio, no web or BLE libraries.
"""
