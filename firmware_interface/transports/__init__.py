"""Transports (BLE, serial, phone, replay): the only I/O of the ingestion layer."""
