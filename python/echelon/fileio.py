"""File helpers shared by everything that writes durable files (checkpoints, the league).

Atomic writes elsewhere follow one pattern: write a temporary file in the target folder, fsync
it, ``os.replace`` it over the target, fsync the folder. These are the pieces they share.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
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


def current_umask() -> int:
    """The process umask (read without changing it where /proc allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode a plain ``open()`` would give a new file. ``tempfile.mkstemp`` creates 0600 files,
    and a temp file renamed into place would keep that: outputs are chmod-ed to this instead."""
    return 0o666 & ~current_umask()


def dir_mode() -> int:
    """Mode a plain ``mkdir()`` would give (``tempfile.mkdtemp`` makes 0700 folders)."""
    return 0o777 & ~current_umask()


def require_parent_dir(path: str | Path, what: str = "output file") -> Path:
    """``path`` as a Path whose folder exists; commands do not create folders they were not told
    to create, so a typo in a folder name is an error instead of a new tree."""
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(
            f"{what} {path}: folder {parent} does not exist (create it first, or choose "
            "another path)"
        )
    if path.is_dir():
        raise IsADirectoryError(f"{what} {path} is a folder; give a file name")
    return path


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write a whole file so that readers see the old or the new content, never half of it:
    a temp file in the same folder, fsynced, given the umask's mode, renamed over ``path``, the
    folder fsynced. The folder must exist."""
    path = require_parent_dir(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_path(path.parent)
    return path
