"""Links, devices and oversized files in checkpoints and leagues (docs/security.md, 1-2).

Nothing inside a checkpoint or a league folder is followed out of it: a symbolic link is
refused, so is anything but a plain file, and sizes are checked before a byte is read. Each
test asserts the error names the problem, that the command ends in time (a read of /dev/zero
would never end), and that nothing outside the given directories was copied in."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hostile import deadline, files_containing, tiny_checkpoint

from echelon.arena.league import LeagueStore
from echelon.fileio import UnsafeFileError, read_regular
from echelon.train.checkpoint import CheckpointError, load_policy

SECRET = b"root:x:0:0:secret-line-from-outside-the-checkpoint"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A private file outside every checkpoint, which a link tries to reach."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def test_model_linked_to_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    (ckpt / "model.safetensors").unlink()
    (ckpt / "model.safetensors").symlink_to("/dev/zero")
    with deadline(30), pytest.raises(CheckpointError, match="symbolic link"):
        load_policy(ckpt)  # a read of /dev/zero would never end


def test_model_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    (ckpt / "model.safetensors").unlink()
    os.mkfifo(ckpt / "model.safetensors")  # an open() for reading waits for a writer
    with deadline(30), pytest.raises(CheckpointError, match="not a regular file"):
        load_policy(ckpt)


def test_meta_linked_outside_is_refused(tmp_path: Path, outside: Path) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    meta = (ckpt / "meta.json").read_text()
    real = tmp_path / "outside" / "meta.json"
    real.write_text(meta)
    (ckpt / "meta.json").unlink()
    (ckpt / "meta.json").symlink_to(real)
    with pytest.raises(CheckpointError, match="symbolic link"):
        load_policy(ckpt)


def test_sparse_huge_model_is_refused_by_size(tmp_path: Path) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    with open(ckpt / "model.safetensors", "r+b") as fh:
        fh.truncate(100 << 30)  # 100 GiB, sparse: costs nothing on disk, forever to hash
    with pytest.raises(CheckpointError, match="more than the limit"):
        load_policy(ckpt)


def test_read_regular_refuses_devices_and_links(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileError, match="not a regular file"):
        read_regular("/dev/zero", 1 << 20)
    (tmp_path / "link").symlink_to("/etc/hostname")
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        read_regular(tmp_path / "link", 1 << 20)


def _league(tmp_path: Path) -> LeagueStore:
    return LeagueStore.create(tmp_path / "league" / "league.json")


def test_arena_add_does_not_copy_a_linked_policy_file(tmp_path: Path, outside: Path) -> None:
    store = _league(tmp_path)
    ckpt = tiny_checkpoint(tmp_path / "c")
    (ckpt / "meta.json").unlink()
    (ckpt / "meta.json").symlink_to(outside)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        store.add_checkpoint(ckpt)
    assert files_containing(store.dir, SECRET) == []
    assert store.load().entries == {}


def test_arena_add_does_not_follow_links_in_any_folder(tmp_path: Path, outside: Path) -> None:
    store = _league(tmp_path)
    folder = tmp_path / "weights"
    folder.mkdir()
    (folder / "policy.bin").write_bytes(b"weights")
    (folder / "notes.txt").symlink_to(outside)  # copytree(symlinks=False) copied its target
    (folder / "sub").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(UnsafeFileError, match="symlink"):
        store.add_checkpoint(folder)
    assert files_containing(store.dir, SECRET) == []
    assert not [p for p in (store.dir / "checkpoints").rglob("*") if not p.name.startswith(".")]


def test_arena_add_of_a_device_is_refused(tmp_path: Path) -> None:
    store = _league(tmp_path)
    with deadline(30), pytest.raises(UnsafeFileError, match="not a regular file"):
        store.add_checkpoint("/dev/zero")
    assert store.load().entries == {}


def test_stored_checkpoint_behind_a_link_is_refused(tmp_path: Path, outside: Path) -> None:
    """A league folder edited to point a stored copy elsewhere: verify and load refuse it."""
    store = _league(tmp_path)
    entry = store.add_checkpoint(tiny_checkpoint(tmp_path / "c"))
    stored = store.dir / entry.checkpoint
    elsewhere = tmp_path / "outside" / "copy"
    shutil.copytree(stored, elsewhere)
    os.chmod(stored.parent, 0o755)
    shutil.rmtree(stored.parent, ignore_errors=False, onerror=_force)
    stored.parent.symlink_to(elsewhere.parent, target_is_directory=True)
    problems = store.verify()
    assert "symlink" in problems[entry.id]
    with pytest.raises(UnsafeFileError, match="symlink"):
        store.checkpoint_path(entry.id)


def _force(func: object, path: str, _exc: object) -> None:
    os.chmod(os.path.dirname(path), 0o755)
    os.chmod(path, 0o755)
    func(path)  # type: ignore[operator]
