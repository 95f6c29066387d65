"""Making a file's creation or rename durable, not only its contents."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """fsync a folder so an entry just created or renamed in it survives a crash.

    Best effort: some file systems refuse to open or sync a folder, and that is not an error.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
