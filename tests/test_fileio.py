"""Output files follow the umask (a temp file renamed into place would keep mkstemp's 0600) and
writers never create the folder they write into."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from echelon.fileio import require_parent_dir, write_atomic
from policy_files import save_tiny_policy


@pytest.fixture
def umask_022() -> object:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_written_files_and_checkpoints_get_the_umask_mode(
    tmp_path: Path, umask_022: object
) -> None:
    path = write_atomic(tmp_path / "out.json", "{}\n")
    assert path.read_text() == "{}\n" and path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temp file left
    ckpt = save_tiny_policy(tmp_path / "ckpt")
    assert ckpt.stat().st_mode & 0o777 == 0o755
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in ckpt.iterdir())
    os.umask(0o077)
    assert write_atomic(tmp_path / "private.json", "{}").stat().st_mode & 0o777 == 0o600


def test_a_missing_folder_is_an_error_not_created(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"folder .*nodir does not exist"):
        write_atomic(tmp_path / "nodir" / "x.json", "{}")
    with pytest.raises(IsADirectoryError):
        require_parent_dir(tmp_path)
    assert list(tmp_path.iterdir()) == []
