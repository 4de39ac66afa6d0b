"""Input limits of every file reader, in one place (README: "Input limits").

Limits are enforced on what a reader *produces* (bytes inflated from gzip or zip, rows,
columns, line length, JSON nesting), not only on what it receives, so a small hostile
file (a decompression bomb, a JSON nested a million deep) is refused with one line
instead of taking the machine's memory.  They are sized so that reading and analysing
the largest accepted input stays under 600 MB: 1.5 million samples (an 8-hour day at
50 Hz, 4 hours at 100 Hz; about 82 MB of recording CSV with gyro).

The readers look these up at call time (``limits.MAX_...``), so a program embedding
sensorcoach may change them for its own needs.
"""

from __future__ import annotations

from firmware_interface.errors import DecodeError

MiB = 1 << 20

#: Largest file read from disk as it is (a raw capture, a CSV, a zip or a .gz), bytes.
MAX_INPUT_BYTES = 160 * MiB
#: Most bytes a reader may produce from one input: inflated gzip, or all members of a
#: zip together (bytes).
MAX_DECOMPRESSED_BYTES = 160 * MiB
#: Highest compression ratio accepted (bytes produced / compressed bytes consumed), checked
#: once more than :data:`RATIO_FLOOR_BYTES` have been produced.  Sensor CSVs compress
#: 3-10x; a bomb compresses about 1000x.
MAX_COMPRESSION_RATIO = 100
#: Output below this size is never refused for its ratio (tiny files compress oddly).
RATIO_FLOOR_BYTES = 4 * MiB
#: Most members of a zip export (a Sensor Logger export has about a dozen).
MAX_ZIP_MEMBERS = 1000
#: Deepest nesting of JSON arrays and objects (a Sensor Logger message is 4 deep).
MAX_JSON_DEPTH = 32
#: Most rows of a table, and most samples decoded from one input: 4 hours at 100 Hz,
#: 8 at 50 Hz.  Sized so that ``analyze`` of the largest input stays under 600 MB
#: (the analysis holds about 250 bytes per sample).
MAX_ROWS = 1_500_000
#: Most columns of a table.
MAX_COLUMNS = 256
#: Longest line of a text table or header (bytes).
MAX_LINE_BYTES = 64 * 1024
#: Longest line of a JSON-lines file: one push message (bytes).
MAX_JSON_LINE_BYTES = 16 * MiB
#: Largest JSON file (Sensor Logger push messages) decoded at once: its Python objects
#: take several times its size (bytes).
MAX_JSON_BYTES = 48 * MiB
#: Longest error message shown to a user (characters); longer ones are cut.
MAX_MESSAGE_CHARS = 400


class LimitError(DecodeError):
    """An input larger or deeper than a documented limit (see :mod:`.limits`)."""

