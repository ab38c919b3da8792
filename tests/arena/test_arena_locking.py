"""What the league's lock needs from the filesystem: mount table parsing, filesystems whose locks
stay on one machine (refused for a job on several machines), and filesystems without locks
(refused always, instead of filelock's quiet fallback to a lock file)."""

from __future__ import annotations

import errno
import fcntl
from pathlib import Path

import pytest

from echelon.arena import locking
from echelon.arena.league import LeagueConfig, LeagueStore
from echelon.arena.locking import (
    LockUnsupportedError,
    local_only_reason,
    mount_of,
    parse_mountinfo,
    probe_lock,
    require_shared_locks,
)

MOUNTINFO = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
40 22 0:50 / /shared rw,relatime shared:20 - nfs4 srv:/export rw,vers=4.2,hard,proto=tcp
41 22 0:51 / /scratch rw,relatime - nfs srv:/scratch rw,vers=3,nolock,proto=tcp
42 22 0:52 / /lustre rw - lustre mds@tcp:/fs rw,localflock
43 22 0:53 / /home/me/remote rw,nosuid,nodev - fuse.sshfs me@host:/data rw,user_id=0
44 22 0:54 / /mnt/with\\040space rw - ext4 /dev/sdb1 rw
45 40 0:55 / /shared/local rw - tmpfs tmpfs rw
46 22 0:56 / /lustre2 rw - lustre mds@tcp:/fs2 rw,flock
"""


def test_mountinfo_is_parsed_and_the_longest_mount_point_wins() -> None:
    mounts = {m.mount_point: m for m in parse_mountinfo(MOUNTINFO)}
    assert mounts["/shared"].fstype == "nfs4" and mounts["/shared"].source == "srv:/export"
    assert "vers=4.2" in mounts["/shared"].options and "relatime" in mounts["/shared"].options
    assert "/mnt/with space" in mounts  # octal escapes decoded
    assert mount_of("/shared/a/league.json", MOUNTINFO).fstype == "nfs4"  # type: ignore[union-attr]
    assert mount_of("/shared/local/l.json", MOUNTINFO).fstype == "tmpfs"  # type: ignore[union-attr]
    assert mount_of("/sharedx/l.json", MOUNTINFO).fstype == "ext4"  # type: ignore[union-attr]


def test_filesystems_whose_locks_stay_on_one_machine() -> None:
    mounts = {m.mount_point: m for m in parse_mountinfo(MOUNTINFO)}
    assert local_only_reason(mounts["/shared"]) is None  # NFSv4: locks go to the server
    assert local_only_reason(mounts["/"]) is None  # a local disk: fine on its own machine
    assert local_only_reason(mounts["/lustre2"]) is None
    assert "nolock" in (local_only_reason(mounts["/scratch"]) or "")
    assert "localflock" in (local_only_reason(mounts["/lustre"]) or "")
    assert "FUSE" in (local_only_reason(mounts["/home/me/remote"]) or "")


def test_a_job_on_several_machines_refuses_local_only_locks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "mountinfo"
    root = "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
    fake.write_text(f"{root}60 22 0:60 / {tmp_path} rw - nfs srv:/x rw,vers=3,local_lock=flock\n")
    monkeypatch.setattr(locking, "MOUNTINFO", fake)
    league = tmp_path / "league.json"
    require_shared_locks(league, machines=1)  # one machine: its own locks are enough
    with pytest.raises(LockUnsupportedError, match=r"local_lock=flock.*2 machines"):
        require_shared_locks(league, machines=2)
    fake.write_text(f"{root}60 22 0:60 / {tmp_path} rw - nfs4 srv:/x rw\n")
    require_shared_locks(league, machines=2)


def test_a_filesystem_without_locks_is_refused_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    LeagueStore.create(tmp_path / "league.json", LeagueConfig())
    real_flock = fcntl.flock

    def no_locks(fd: int, op: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.raises(
        LockUnsupportedError, match=r"cannot be locked \(No locks available\).*NFSv4"
    ):
        probe_lock(tmp_path / "league.json.lock")
    with pytest.raises(LockUnsupportedError, match="cannot be locked"):
        LeagueStore(tmp_path / "league.json").load()

    # Contention is not a missing lock: someone else holds it, the league waits for it.
    def busy(fd: int, op: int) -> None:
        raise OSError(errno.EWOULDBLOCK, "Resource temporarily unavailable")

    monkeypatch.setattr(fcntl, "flock", busy)
    probe_lock(tmp_path / "league.json.lock")
    monkeypatch.setattr(fcntl, "flock", real_flock)
    assert LeagueStore(tmp_path / "league.json").load().period == 0
