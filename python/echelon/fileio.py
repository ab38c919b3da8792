"""File helpers shared by everything that writes durable files (checkpoints, the league).

Atomic writes elsewhere follow one pattern: write a temporary file in the target folder, fsync
it, ``os.replace`` it over the target, fsync the folder. These are the pieces they share.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_path(path: str | Path) -> None:
    """Flush a file's or a folder's metadata to disk (a folder after a rename in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
