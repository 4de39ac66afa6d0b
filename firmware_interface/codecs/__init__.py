"""Pure wire-format decoders: bytes in, arrays out, no I/O."""
