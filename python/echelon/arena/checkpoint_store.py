"""Content-addressed checkpoint copies for the league.

A league entry never points at a file the user may overwrite (the reference project's
entries pointed at ``run_dir/arena_candidate.pt``, which every later submission replaced).
Submitting a checkpoint copies it into ``<league_dir>/checkpoints/<sha256>/<name>``, where
``<sha256>`` is the hash of the copy's bytes, made read-only. The entry stores that
relative path and the hash; every later access re-hashes and refuses a mismatch.

A checkpoint may be a single file (hash = sha256 of its bytes) or a directory such as
``model.safetensors`` + ``meta.json`` (hash = sha256 over the sorted list of
``relative/path NUL sha256-of-file LF`` lines, so renaming or editing any file changes it).
From a training checkpoint directory only :data:`POLICY_FILES` are copied.

Untrusted input (docs/security.md): a checkpoint given to ``arena add`` may hold symbolic links
(to ``/etc/passwd``, to ``/dev/zero``); nothing inside it is followed. Every file copied must be a
plain file, read through ``echelon.fileio.open_regular`` (no links, no devices or FIFOs) and
within :data:`MAX_COPY_BYTES` in total. The path given on the command line itself may be a link:
the user named it. Stored copies are read the same way, and their paths must stay inside the
league's checkpoint folder (no link among their components).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

from echelon.fileio import (
    UnsafeFileError,
    dir_mode,
    fsync_path,
    open_regular,
    remove_orphans,
    sha256_file,
)

CHECKPOINT_DIR = "checkpoints"
# What playing needs from a training checkpoint directory (echelon.train.checkpoint): the
# weights and the metadata that rebuilds the model. The optimiser state (trainer.safetensors,
# about twice the weights) is left behind.
POLICY_FILES = ("model.safetensors", "meta.json")
MAX_COPY_BYTES = 4 << 30  # a checkpoint copied into a league, all files together
_INCOMING = re.compile(r"^\.incoming-(?P<pid>\d+)-")


class CheckpointHashMismatch(RuntimeError):
    """A stored checkpoint's bytes no longer match the hash recorded in the league."""


def _dir_files(root: Path) -> list[Path]:
    """Every plain file under ``root``, sorted; a link or any other kind of entry is refused."""
    files = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise UnsafeFileError(f"checkpoint directory {root} contains a symlink: {path}")
        if path.is_file():
            files.append(path)
        elif not path.is_dir():
            raise UnsafeFileError(f"checkpoint directory {root} contains a special file: {path}")
    if not files:
        raise ValueError(f"checkpoint directory {root} contains no files")
    return files


def _copy_plain(src: Path, dst: Path, budget: list[int]) -> None:
    """Copy one plain file (no link, no device) charging its size to ``budget[0]``."""
    fd = open_regular(src, budget[0], "checkpoint file")
    with os.fdopen(fd, "rb") as fin:
        budget[0] -= os.fstat(fd).st_size
        with open(dst, "xb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)


def content_hash(path: str | os.PathLike[str]) -> str:
    """sha256 of a checkpoint file's bytes, or of a directory's (path, file hash) list."""
    path = Path(path)
    if path.is_file():
        return sha256_file(path)
    if path.is_dir():
        digest = hashlib.sha256()
        for file in _dir_files(path):
            rel = file.relative_to(path).as_posix()
            digest.update(rel.encode() + b"\0" + sha256_file(file).encode() + b"\n")
        return digest.hexdigest()
    raise FileNotFoundError(f"checkpoint not found: {path}")


def _make_read_only(path: Path) -> None:
    targets = [path] if path.is_file() else _dir_files(path)
    for file in targets:
        mode = file.stat().st_mode
        file.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        fsync_path(file)


def store_checkpoint(source: str | os.PathLike[str], league_dir: Path) -> tuple[str, str]:
    """Copy ``source`` into the content-addressed folder; return (relative path, sha256).

    Safe to call concurrently: the copy is made in a private temp folder, hashed, then
    renamed into place; if the same content is already stored, the existing copy is kept.
    """
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"checkpoint not found: {source}")
    source = source.resolve()  # the path the user named may be a link; nothing inside it may
    root = league_dir / CHECKPOINT_DIR
    root.mkdir(parents=True, exist_ok=True)
    name = source.name
    budget = [MAX_COPY_BYTES]
    remove_orphans(root, _INCOMING)  # copies of writers killed mid-copy
    tmp = Path(tempfile.mkdtemp(prefix=f".incoming-{os.getpid()}-", dir=root))
    try:
        tmp.chmod(dir_mode())  # becomes checkpoints/<sha256>: readable as the umask allows
        copy = tmp / name
        if source.is_dir() and all((source / f).is_file() for f in POLICY_FILES):
            copy.mkdir()
            for policy_file in POLICY_FILES:
                _copy_plain(source / policy_file, copy / policy_file, budget)
        elif source.is_dir():
            files = _dir_files(source)
            for file in files:
                target = copy / file.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                _copy_plain(file, target, budget)
        else:
            _copy_plain(source, copy, budget)
        _make_read_only(copy)
        # Hash the copy, not the source: the copy is what the league will load, and the
        # source may change while we read it.
        sha = content_hash(copy)
        final = root / sha
        try:
            tmp.rename(final)
            tmp = final  # renamed: nothing left to clean up
        except OSError:
            if not final.is_dir():
                raise
            _adopt_into_existing(copy, final / name, sha)
        fsync_path(root)
        return f"{CHECKPOINT_DIR}/{sha}/{name}", sha
    finally:
        if tmp.exists() and tmp.name.startswith(".incoming-"):
            _force_rmtree(tmp)


def _adopt_into_existing(copy: Path, target: Path, sha: str) -> None:
    """The same content is already stored: keep the old copy, or add this name beside it."""
    if not target.exists():
        try:
            copy.rename(target)
            return
        except OSError:
            if not target.exists():  # not a lost race with an identical writer
                raise
    if content_hash(target) != sha:
        raise CheckpointHashMismatch(f"stored checkpoint {target} does not match its hash {sha}")


def _force_rmtree(path: Path) -> None:
    # Stored copies are read-only; make them writable again so rmtree can remove them.
    for child in [path, *path.rglob("*")]:
        if not child.is_symlink():
            child.chmod(child.stat().st_mode | stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
    shutil.rmtree(path)


def _stored_path(league_dir: Path, rel_path: str) -> Path:
    """``league_dir / rel_path`` after checking that it stays inside ``league_dir/checkpoints``
    with no symbolic link among its components (a league file is untrusted input)."""
    path = league_dir / rel_path
    parts = Path(rel_path).parts
    if Path(rel_path).is_absolute() or ".." in parts or not parts or parts[0] != CHECKPOINT_DIR:
        raise UnsafeFileError(f"league checkpoint path {rel_path!r} leaves {league_dir}")
    for depth in range(1, len(parts) + 1):
        if (league_dir.joinpath(*parts[:depth])).is_symlink():
            raise UnsafeFileError(f"league checkpoint path {path} goes through a symlink")
    return path


def verify_checkpoint(league_dir: Path, rel_path: str, sha256: str) -> Path:
    """Absolute path of a stored checkpoint after checking its hash; raises on mismatch.
    The path must lie inside ``league_dir/checkpoints`` with no link on the way."""
    path = _stored_path(league_dir, rel_path)
    if not path.exists():
        raise FileNotFoundError(f"league checkpoint is missing: {path}")
    actual = content_hash(path)
    if actual != sha256:
        raise CheckpointHashMismatch(
            f"league checkpoint {path} was modified: recorded sha256 {sha256}, now {actual}"
        )
    return path


def remove_stored_checkpoint(league_dir: Path, rel_path: str) -> None:
    """Delete a stored copy (``checkpoints/<sha256>/<name>``) and its hash folder once empty.
    Paths that do not lead into the league's checkpoint folder, or lead through a link, are left
    alone."""
    try:
        path = _stored_path(league_dir, rel_path)
    except UnsafeFileError:
        return
    if len(Path(rel_path).parts) < 3:  # not checkpoints/<sha256>/<name>
        return
    if path.is_dir():
        _force_rmtree(path)
    elif path.exists():
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
        path.unlink()
    folder = path.parent
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
