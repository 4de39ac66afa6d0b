"""Ingestion: bytes and app payloads from real sensors -> samples in g and deg/s."""
