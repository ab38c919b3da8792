"""What the league's file lock needs from the filesystem, and refusing where it is missing.

The league (``league.py``) changes under ``filelock.FileLock``, which on Linux takes ``flock(2)``
on ``league.json.lock``. That is only a lock if every process that shares the league sees the
same lock:

* **one machine**: any local filesystem (ext4, xfs, btrfs, tmpfs, zfs ...); the kernel keeps the
  lock and drops it when its holder dies.
* **several machines**: a network filesystem that sends ``flock`` to the server: NFSv4 (locks are
  part of the protocol, held under a lease), NFSv3 with the lock daemon (``lockd``/NLM; Linux
  turns ``flock`` on NFS into a whole-file POSIX lock, since 2.6.12), Lustre mounted with
  ``-o flock``, CephFS, GPFS/Spectrum Scale. Not: NFS mounted with ``nolock`` or
  ``local_lock=flock|all``, Lustre with ``localflock`` or ``noflock``, SMB/CIFS with ``nobrl``,
  and FUSE filesystems (sshfs, s3fs, gcsfuse, ...), whose locks stay on the machine that took
  them, so two machines could both "hold" the lock and one rating period would overwrite another.

Two checks, both with a one-line error that names the filesystem and the fix:

* :func:`probe_lock` (every league, on first use): ``flock`` itself fails (ENOLCK: NFSv3 without
  ``lockd``; ENOSYS: Lustre without ``flock``; EOPNOTSUPP) - ``filelock`` would otherwise quietly
  fall back to a lock *file* that a crashed holder leaves behind;
* :func:`require_shared_locks` (jobs that span machines: ``torchrun --nnodes`` > 1 with a league):
  the mount table says the locks are local to one machine.

Neither can prove that locks work across machines (a filesystem can accept ``flock`` and keep it
local without saying so in its options); the list above is what the league needs.
"""

from __future__ import annotations

import errno
import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")
# flock errors that mean "this filesystem has no (working) locks", not "someone holds it".
NO_LOCK_ERRNOS = frozenset(
    {errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}
)
DOC = "docs/arena.md, 'Sharing a league'"


@dataclass(frozen=True)
class Mount:
    """One line of ``/proc/self/mountinfo``: where a filesystem is mounted, its type, source and
    (mount + superblock) options."""

    mount_point: str
    fstype: str
    source: str
    options: frozenset[str]

    def describe(self) -> str:
        return f"{self.fstype} ({self.source} on {self.mount_point})"


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal ``\\040`` etc."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and len(field) >= i + 4 and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def parse_mountinfo(text: str) -> list[Mount]:
    mounts = []
    for line in text.splitlines():
        head, sep, tail = line.partition(" - ")
        fields, rest = head.split(), tail.split()
        if not sep or len(fields) < 6 or len(rest) < 2:
            continue
        options = set(fields[5].split(","))
        if len(rest) > 2:
            options |= set(rest[2].split(","))
        mounts.append(Mount(_unescape(fields[4]), rest[0], _unescape(rest[1]), frozenset(options)))
    return mounts


def mount_of(path: str | os.PathLike[str], mountinfo: str | None = None) -> Mount | None:
    """The mount that holds ``path`` (the longest mount point above it), None if unknown."""
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text()
        except OSError:
            return None
    target = Path(os.path.realpath(path))
    best: Mount | None = None
    for mount in parse_mountinfo(mountinfo):
        point = Path(mount.mount_point)
        if (target == point or point in target.parents) and (
            best is None or len(mount.mount_point) >= len(best.mount_point)
        ):
            best = mount  # later lines of an equal mount point are mounted over earlier ones
    return best


def local_only_reason(mount: Mount) -> str | None:
    """Why locks on ``mount`` stay on one machine (None: nothing in its type or options says so)."""
    fstype, opts = mount.fstype, mount.options
    if fstype == "fuse" or fstype.startswith(("fuse.", "fuseblk")):
        return "FUSE filesystems keep file locks on the machine that takes them"
    if fstype in ("nfs", "nfs4"):
        local = sorted(o for o in opts if o in ("nolock", "local_lock=flock", "local_lock=all"))
        if local:
            return f"it is mounted with {','.join(local)}: flock locks stay on this machine"
    if fstype == "lustre":
        local = sorted(o for o in opts if o in ("localflock", "noflock"))
        if local:
            return f"it is mounted with {','.join(local)} (mount it with -o flock)"
    if fstype in ("cifs", "smb3") and "nobrl" in opts:
        return "it is mounted with nobrl: byte-range locks are not sent to the server"
    return None


class LockUnsupportedError(ValueError):
    """The league's filesystem cannot provide the lock the league needs."""


def probe_lock(lock_path: str | os.PathLike[str]) -> None:
    """Take and drop ``flock`` on ``lock_path`` once; raise :class:`LockUnsupportedError` when the
    filesystem has no locks (a lock someone else holds is fine: that is what locks are for)."""
    lock_path = Path(lock_path)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)  # filelock's own default mode
    except OSError:
        return  # unwritable folder etc.: FileLock reports it in its own words
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError as err:
        if err.errno in NO_LOCK_ERRNOS:
            mount = mount_of(lock_path)
            where = f" on {mount.describe()}" if mount else ""
            raise LockUnsupportedError(
                f"the league's lock file {lock_path}{where} cannot be locked "
                f"({os.strerror(err.errno or 0)}): keep the league on a local disk or on a "
                f"filesystem with working locks (NFSv4, NFSv3 with lockd, Lustre -o flock; {DOC})",
            ) from None
    finally:
        os.close(fd)


def require_shared_locks(league_path: str | os.PathLike[str], machines: int) -> None:
    """For a job on ``machines`` > 1 machines sharing the league: refuse a filesystem whose
    locks the mount table shows to be local to one machine."""
    if machines <= 1:
        return
    mount = mount_of(Path(league_path).parent)
    reason = None if mount is None else local_only_reason(mount)
    if mount is not None and reason is not None:
        raise LockUnsupportedError(
            f"the league {league_path} is on {mount.describe()}, and {reason}; this job runs on "
            f"{machines} machines that would each take their own lock: put the league on a "
            f"filesystem whose locks reach the server (NFSv4, NFSv3 with lockd, Lustre -o flock, "
            f"CephFS; {DOC})",
        )


__all__ = [
    "LockUnsupportedError",
    "Mount",
    "local_only_reason",
    "mount_of",
    "parse_mountinfo",
    "probe_lock",
    "require_shared_locks",
]
