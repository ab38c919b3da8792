"""File helpers shared by everything that writes durable files (checkpoints, the league) and
everything that reads files it did not write itself.

Atomic writes elsewhere follow one pattern: write a temporary file in the target folder, fsync
it, ``os.replace`` it over the target, fsync the folder. These are the pieces they share.

Reads of untrusted files (docs/security.md) go through :func:`open_regular`: the last path
component must not be a symbolic link (``O_NOFOLLOW``), the file must be a plain file (a FIFO,
a device such as ``/dev/zero`` or a directory is refused, and ``O_NONBLOCK`` keeps the open of a
FIFO from waiting for a writer), and its size is checked against a limit before anything is read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path


class UnsafeFileError(ValueError):
    """A file that must be a plain, bounded, non-linked file is not."""


def open_regular(path: str | Path, max_bytes: int | None = None, what: str = "file") -> int:
    """An O_RDONLY descriptor of ``path`` after the checks above; the caller closes it."""
    try:
        fd = os.open(
            path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        )
    except OSError as err:
        if Path(path).is_symlink():
            raise UnsafeFileError(
                f"{what} {path} is a symbolic link; links are refused in checkpoints and leagues "
                "(copy the file in instead)"
            ) from None
        if isinstance(err, FileNotFoundError):
            raise FileNotFoundError(f"{what} {path} does not exist") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(f"{what} {path} is not a regular file (a device, FIFO or folder)")
        if max_bytes is not None and info.st_size > max_bytes:
            raise UnsafeFileError(
                f"{what} {path} is {info.st_size} bytes, more than the limit of {max_bytes}"
            )
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | Path, max_bytes: int, what: str = "file") -> bytes:
    """The whole content of a plain file of at most ``max_bytes`` (see :func:`open_regular`)."""
    fd = open_regular(path, max_bytes, what)
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fd).st_size  # checked against max_bytes by open_regular
        data = fh.read(size)
        if fh.read(1):  # grew after the size check
            raise UnsafeFileError(f"{what} {path} changed size while it was read")
    return data


def sha256_file(path: str | Path, max_bytes: int | None = None) -> str:
    """Hex SHA-256 of a plain file's bytes, read in 1 MiB blocks (see :func:`open_regular`)."""
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path, max_bytes), "rb") as fh:
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
    folder fsynced. The folder must exist. The temp file is ``.<name>.<pid>-<random>.tmp``, so
    the one of a writer killed mid-write can be recognised and removed (:func:`remove_orphans`)."""
    path = require_parent_dir(path)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp"
    )
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


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_orphans(folder: str | Path, pattern: re.Pattern[str]) -> list[Path]:
    """Delete entries of ``folder`` whose name matches ``pattern`` (with a ``pid`` group: the
    writer that created them) when that writer is gone: the temporary files and folders of
    writers that were killed mid-write. Entries of this process and of live ones are kept.
    Process ids are those of this machine: folders shared between machines are not supported."""
    removed: list[Path] = []
    root = Path(folder)
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        match = pattern.match(entry.name)
        if match is None:
            continue
        pid = int(match.group("pid"))
        if pid == os.getpid() or process_alive(pid):
            continue
        if entry.is_dir() and not entry.is_symlink():
            for child in [entry, *entry.rglob("*")]:  # stored copies are read-only
                if not child.is_symlink():
                    child.chmod(child.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def write_atomic_temp_pattern(path: str | Path) -> re.Pattern[str]:
    """The names :func:`write_atomic` gives its temp files for ``path``, for
    :func:`remove_orphans`."""
    return re.compile(rf"^\.{re.escape(Path(path).name)}\.(?P<pid>\d+)-.*\.tmp$")
