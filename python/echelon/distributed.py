"""One job over several processes with ``torch.distributed``: ranks, collectives, world split.

``torchrun`` (``torch.distributed.run``) starts one process per rank and tells each who it is in
environment variables (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR``/``MASTER_PORT`` or a rendezvous). :func:`init_from_env` reads them and joins the
process group; a process started without torchrun (or with one rank) gets :data:`SINGLE`, on which
every collective is the identity, so callers have one code path.

Backends: one process group with gloo for CPU tensors and, on a machine with CUDA, NCCL for CUDA
tensors (``"cpu:gloo,cuda:nccl"``): a rank that trains on a GPU (``cuda:LOCAL_RANK``, one GPU per
local rank) all-reduces its gradients with NCCL, CPU ranks use gloo, and Python objects (episode
lists, checkpoint parts, match schedules) always travel over gloo in CPU memory. The group is
joined before the job's config is known (rank 0 reads it and sends it to the others), which is
why both backends are registered up front.

:class:`WorldShard` splits a job's worlds over the ranks in contiguous blocks: with W worlds over N
ranks, rank r owns worlds ``offset .. offset + count - 1`` of the job's world numbering (the first
``W % N`` ranks take one more). With ``VecEnv(world_offset=offset)`` those are the very games the
worlds with those numbers play in a single process with all W worlds and the same seed, so no two
ranks play the same games and the split does not change what is played.

:func:`launch_torchrun` is what ``--nproc N`` flags use: it runs the same command through
``torch.distributed.run`` with N processes on this machine.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
from torch import Tensor

T = TypeVar("T")

# Rank 0 alone evaluates and writes checkpoints while the others wait in the next collective;
# NCCL's default timeout (10 minutes) could cut a long evaluation short.
COLLECTIVE_TIMEOUT = datetime.timedelta(minutes=30)
# How long torchrun waits for the workers to stop after forwarding Ctrl-C or SIGTERM before it
# kills them: enough to finish the update in progress and save a checkpoint.
SHUTDOWN_TIMEOUT_S = 300
TORCHRUN_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


def launched_by_torchrun() -> bool:
    """True inside a process that ``torchrun`` started (it sets RANK, WORLD_SIZE, LOCAL_RANK)."""
    return all(name in os.environ for name in TORCHRUN_VARS)


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"environment variable {name}={text!r} is not an integer") from None


@dataclass(frozen=True)
class WorldShard:
    """The worlds of rank ``rank`` in a job of ``sum(counts)`` worlds (contiguous blocks)."""

    counts: tuple[int, ...]
    rank: int = 0

    @classmethod
    def split(cls, num_worlds: int, world_size: int, rank: int = 0) -> WorldShard:
        if world_size < 1 or not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is not in a job of {world_size} processes")
        if num_worlds < world_size:
            raise ValueError(
                f"{num_worlds} world(s) cannot be split over {world_size} processes: give at "
                f"least one world per process (num_worlds >= {world_size})"
            )
        base, extra = divmod(num_worlds, world_size)
        return cls(tuple(base + (r < extra) for r in range(world_size)), rank)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def count(self) -> int:
        return self.counts[self.rank]

    @property
    def offset(self) -> int:
        return sum(self.counts[: self.rank])

    def offset_of(self, rank: int) -> int:
        return sum(self.counts[:rank])

    def owns(self, world: int) -> bool:
        """Whether job world ``world`` is one of this rank's."""
        return self.offset <= world < self.offset + self.count


@dataclass(frozen=True)
class RowShard:
    """Rows ``offset .. offset + count - 1`` of a job with ``total`` rows (learner columns or
    opponent rows, world-major, so a world block maps to a row block)."""

    offset: int
    count: int
    total: int

    @classmethod
    def whole(cls, count: int) -> RowShard:
        return cls(0, count, count)

    @classmethod
    def of_worlds(cls, shard: WorldShard, per_world: int) -> RowShard:
        return cls(shard.offset * per_world, shard.count * per_world, shard.total * per_world)

    def noise(
        self, generator: torch.Generator, width: int, device: torch.device, dtype: torch.dtype
    ) -> Tensor:
        """Standard normal noise ``[count, width]``: this block of the job's ``[total, width]``
        draw (with one rank, exactly ``torch.randn((count, width), generator=...)``)."""
        full = torch.randn((self.total, width), generator=generator, device=device, dtype=dtype)
        return full[self.offset : self.offset + self.count]

    def local_sequences(self, seqs: Tensor, chunks_first: bool = True) -> Tensor:
        """Job sequence ids (``chunk * total + column``) -> this rank's ids (``chunk * count +
        local column``) of the ones whose column is in this block, in the given order."""
        if self.count == self.total:
            return seqs
        chunk = torch.div(seqs, self.total, rounding_mode="floor")
        column = seqs % self.total - self.offset
        keep = (column >= 0) & (column < self.count)
        return chunk[keep] * self.count + column[keep]


def cores_available() -> int:
    return len(os.sched_getaffinity(0))


def thread_share(local_world_size: int, cores: int | None = None) -> int:
    """CPU threads for one of ``local_world_size`` processes on this machine: an even share of
    the cores, so the processes do not oversubscribe them (at least one)."""
    cores = cores_available() if cores is None else cores
    return max(1, cores // max(1, local_world_size))


class MainRankFailed(Exception):
    """Rank 0 failed at a step whose result the other ranks wait for; it reports the error, the
    others stop without repeating it (``Comm.share_from_main``)."""


class Comm:
    """Collectives of one job. ``Comm()`` (= :data:`SINGLE`) is a job of one process: every
    method returns its input, so single-process code runs the same calls.

    ``sum_`` reduces tensors in place on their own device (NCCL for CUDA tensors when the job
    runs on GPUs, gloo otherwise); the ``*_object(s)`` methods move pickled Python objects over
    the gloo group (processes of one job trust each other; nothing read from disk is unpickled).
    """

    def __init__(
        self,
        rank: int = 0,
        world_size: int = 1,
        local_rank: int = 0,
        local_world_size: int = 1,
        backend: str | None = None,
    ) -> None:
        self.rank, self.world_size = rank, world_size
        self.local_rank, self.local_world_size = local_rank, local_world_size
        self.backend = backend

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def nodes(self) -> int:
        """Machines in the job (ranks are spread evenly by torchrun)."""
        return max(1, self.world_size // max(1, self.local_world_size))

    def describe(self) -> str:
        if not self.distributed:
            return "1 process"
        return (
            f"{self.world_size} processes ({self.backend}) on {self.nodes} machine(s); "
            f"this is rank {self.rank}"
        )

    # -- tensors ------------------------------------------------------------------------
    def sum_(self, tensor: Tensor) -> Tensor:
        """All-reduce ``tensor`` in place (sum over ranks) and return it."""
        if self.distributed:
            import torch.distributed as dist

            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)  # gloo or NCCL by the tensor's device
        return tensor

    def any(self, flag: bool) -> bool:
        """True on every rank when ``flag`` is true on some rank."""
        if not self.distributed:
            return flag
        return bool(self.sum_(torch.tensor(int(flag), dtype=torch.int64)) > 0)

    # -- Python objects -----------------------------------------------------------------
    def all_gather_object(self, obj: T) -> list[T]:
        """Every rank's ``obj``, in rank order, on every rank."""
        if not self.distributed:
            return [obj]
        import torch.distributed as dist

        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, obj)
        return out

    def gather_object(self, obj: T) -> list[T] | None:
        """Every rank's ``obj`` in rank order on rank 0; None elsewhere."""
        if not self.distributed:
            return [obj]
        import torch.distributed as dist

        out: list[Any] | None = [None] * self.world_size if self.is_main else None
        dist.gather_object(obj, out, dst=0)
        return out

    def broadcast_object(self, obj: T | None) -> T:
        """Rank 0's ``obj`` on every rank (the others pass anything, e.g. None)."""
        if not self.distributed:
            return obj  # type: ignore[return-value]
        import torch.distributed as dist

        box = [obj if self.is_main else None]
        dist.broadcast_object_list(box, src=0)
        return box[0]  # type: ignore[return-value]

    def scatter_object(self, objs: Sequence[T] | None) -> T:
        """Rank r receives ``objs[r]`` of rank 0's list."""
        if not self.distributed:
            assert objs is not None
            return objs[0]
        import torch.distributed as dist

        out: list[Any] = [None]
        dist.scatter_object_list(
            out,
            list(objs) if self.is_main and objs is not None else None,
            src=0,
        )
        return out[0]  # type: ignore[no-any-return]

    def share_from_main(self, make: Callable[[], T]) -> T:
        """Rank 0 runs ``make()`` (reading files, planning, scheduling) and every rank gets its
        result. When it raises on rank 0, the error goes on there and the other ranks raise
        :class:`MainRankFailed` (so a bad command line is reported once)."""
        if not self.distributed:
            return make()
        done: tuple[bool, Any] = (False, None)
        try:
            if self.is_main:
                done = (True, make())
        finally:
            shared: tuple[bool, Any] = self.broadcast_object(done)
        if not shared[0]:
            raise MainRankFailed
        return shared[1]  # type: ignore[no-any-return]

    def barrier(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            dist.barrier()

    def close(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()


SINGLE = Comm()


def rank_device(device: str, comm: Comm) -> str:
    """The device of this rank for a config's ``device`` (``auto``, ``cpu``, ``cuda``,
    ``cuda:N``): with several processes on a machine each takes its own GPU,
    ``cuda:LOCAL_RANK``."""
    wants_cuda = device.startswith("cuda") or (device == "auto" and torch.cuda.is_available())
    if not comm.distributed or not wants_cuda:
        return device
    if device.startswith("cuda:") and comm.local_world_size > 1:
        raise ValueError(
            f"device {device!r} names one GPU, but {comm.local_world_size} processes run on this "
            "machine and each takes its own: use --device cuda (rank r uses cuda:LOCAL_RANK)"
        )
    visible = torch.cuda.device_count()
    if visible < comm.local_world_size:
        raise ValueError(
            f"{comm.local_world_size} processes on this machine need one GPU each, but torch sees "
            f"{visible}: start fewer processes (--nproc / --nproc_per_node) or use --device cpu"
        )
    return f"cuda:{comm.local_rank}"


def init_from_env() -> Comm:
    """Join the job torchrun started (gloo, plus NCCL for CUDA tensors on a machine with GPUs);
    :data:`SINGLE` outside torchrun or with one process."""
    if not launched_by_torchrun():
        return SINGLE
    world_size = _env_int("WORLD_SIZE", 1)
    if world_size <= 1:
        return SINGLE
    rank, local_rank = _env_int("RANK", 0), _env_int("LOCAL_RANK", 0)
    local_world_size = _env_int("LOCAL_WORLD_SIZE", world_size)
    import torch.distributed as dist

    backend = "gloo"
    if torch.cuda.is_available():
        backend = "cpu:gloo,cuda:nccl"
        if local_rank < torch.cuda.device_count():  # NCCL talks from the current device
            torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, timeout=COLLECTIVE_TIMEOUT)
    return Comm(rank, world_size, local_rank, local_world_size, backend)


# -- launching ---------------------------------------------------------------------------
def torchrun_argv(nproc: int, module_args: Sequence[str], module: str = "echelon") -> list[str]:
    """``torch.distributed.run`` arguments that start ``python -m <module> <module_args>`` in
    ``nproc`` processes on this machine (a private rendezvous, ``--standalone``)."""
    return [
        "--standalone",
        f"--nproc-per-node={nproc}",
        f"--shutdown-timeout={SHUTDOWN_TIMEOUT_S}",
        "--module",
        module,
        *module_args,
    ]


def launch_torchrun(nproc: int, module_args: Sequence[str], module: str = "echelon") -> int:
    """Run ``python -m <module> <module_args>`` (default: the ``echelon`` command) in ``nproc``
    processes through ``torch.distributed.run``; returns the exit code (the first failing
    rank's, else 0). The ranks print their own errors."""
    if launched_by_torchrun():
        raise ValueError(
            "--nproc starts torchrun itself; this process already runs under torchrun "
            "(leave out --nproc, or start it without torchrun)"
        )
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import get_args_parser, run

    args = get_args_parser().parse_args(torchrun_argv(nproc, module_args, module))
    try:
        run(args)
    except SignalException as stop:
        # Ctrl-C or SIGTERM here: torchrun forwarded it to the ranks and waited for them to stop
        # (``echelon train`` saves a checkpoint first); exit as a process stopped by it would.
        return 128 + int(stop.sigval)
    except ChildFailedError as failure:
        _, first = failure.get_first_failure()
        code = first.exitcode
        # A rank killed by a signal reports minus its number; the shell convention is 128 + n.
        return 128 - code if code < 0 else code or 1
    return 0


def strip_nproc(argv: Sequence[str]) -> list[str]:
    """``argv`` without ``--nproc N`` / ``--nproc=N`` (what the launched ranks run)."""
    out: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
            continue
        if item == "--nproc":
            skip = True
            continue
        if item.startswith("--nproc="):
            continue
        out.append(item)
    return out


__all__ = [
    "SINGLE",
    "Comm",
    "MainRankFailed",
    "RowShard",
    "WorldShard",
    "cores_available",
    "init_from_env",
    "launch_torchrun",
    "launched_by_torchrun",
    "rank_device",
    "strip_nproc",
    "thread_share",
    "torchrun_argv",
]
