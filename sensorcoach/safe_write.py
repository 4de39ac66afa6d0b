"""Writing output files without replacing what is not ours to replace.

An output path (``convert -o``, ``simulate -o``) may only name a regular file, new or
existing, in a folder that exists.  A folder, a device node (``/dev/full``), a FIFO, a
socket, or a symbolic link to any of those is refused: the data are written to a
uniquely named temporary file next to the target and renamed over it only after the
target has been checked again, so nothing but a regular file is ever replaced and a
refused or failed write leaves nothing behind.  A symbolic link to a regular file is
followed (the file it names is replaced, the link stays).
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from pathlib import Path

from sensorcoach.errors import SensorcoachError

log = logging.getLogger(__name__)


class OutputError(SensorcoachError):
    """An output path that cannot or must not be written."""


def check_target(path: str | Path) -> Path:
    """The regular file ``path`` names (a symbolic link resolved), after checking that
    it may be written; raises :class:`OutputError` naming the reason."""
    p = Path(path)
    if str(path) == "" or p.name in ("", ".", ".."):
        raise OutputError(f"{path}: not a file name")
    target = p.resolve() if p.is_symlink() else p
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if p.is_symlink():
            raise OutputError(f"{path}: a symbolic link to a missing file; not "
                              "followed") from None
        st = None
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise OutputError(f"{path}: is {what}; only a regular file is written or replaced")
    parent = target.parent
    if not parent.is_dir():
        raise OutputError(f"{path}: folder {parent} does not exist")
    return target


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (see the module doc): the old content stays until the
    new one is complete; nothing is left behind on failure."""
    target = check_target(path)
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                               suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        check_target(target)  # again: it may have changed while we wrote
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None
        raise
    log.debug("wrote %d bytes to %s", len(data), target)


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
