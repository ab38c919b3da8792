"""Training over several processes: what each rank owns and what the ranks agree on.

One rank per process (``torchrun --nproc_per_node=N -m echelon train ...``, or ``echelon train
--nproc N``). The pieces the trainer hooks in (docs/training.md, "Several processes and
machines"):

* **Worlds** (:class:`echelon.distributed.WorldShard`): ``num_worlds`` is the job's total; rank r
  plays a contiguous block of them in its own ``VecEnv`` built with ``world_offset`` = the block's
  first world number, so its worlds play exactly the games those worlds play in a single process
  with all of them (:func:`make_rank_env`).
* **Sampling noise** (``echelon.distributed.RowShard``): the action-sampling generators are
  seeded alike on every rank and draw the noise for the job's rows; each rank uses its block. A
  rank's actions are therefore the actions its rows get in the single-process run, whatever the
  number of ranks.
* **Gradients**: the learner's sequence forward runs through ``DistributedDataParallel``
  (:func:`training_forward`), which broadcasts rank 0's weights when it is built and averages the
  gradients in backward. Every minibatch is a minibatch of the *job's* sequences: the shuffling
  generator is seeded alike everywhere, each rank keeps the sequences of its columns
  (``RowShard.local_sequences``), and loss terms are sums over the rank's rows divided by the
  job's count of rows in that minibatch (times the number of ranks, which DDP's averaging divides
  out again), so the averaged gradient is the gradient of the job's minibatch loss.
* **Statistics**: advantage and value normalisation, the logged losses, KL (so early stopping is
  the same on every rank) and explained variance are reduced over ranks (``Comm.sum_``); finished
  episodes are gathered in the single-process order (:func:`merge_rollout_stats`), so episode
  returns, win rates and the curriculum's decisions are the job's and the same on every rank.
* **Checkpoints** (:func:`rank_tensors`): rank 0 gathers every rank's environment state and
  rollout carry and writes one checkpoint; rank r's part is stored under ``rank<r>/``, rank 0's
  under the single-process names.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from echelon.distributed import Comm, WorldShard
from echelon.rl.lstm_state import LSTMState
from echelon.rl.model import PolicyOutput, RecurrentActorCritic
from echelon.train.env_protocol import BatchEnv
from echelon.train.rollout import RolloutStats

# Trainer tensors that belong to one rank (its envs, its rollout carry, its league opponents).
RANK_LOCAL_PREFIXES = ("carry/", "env/", "league_opponent/")


# -- environments --------------------------------------------------------------------------
def rank_seed(seed: int, rank: int) -> int:
    """A seed for rank ``rank`` of an env factory without ``world_offset`` (rank 0 keeps
    ``seed``)."""
    if rank == 0:
        return seed
    digest = hashlib.sha256(f"echelon-rank:{seed}:{rank}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def accepts_world_offset(factory: Callable[..., Any]) -> bool:
    """Whether ``factory`` names a ``world_offset`` parameter (a ``**kwargs`` catch-all does not
    count: such factories pass env fields on, e.g. to a constructor that has no world offset)."""
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False
    return "world_offset" in params


def make_rank_env(
    factory: Callable[..., BatchEnv], shard: WorldShard, seed: int
) -> tuple[BatchEnv, str | None]:
    """This rank's env: its block of worlds. Returns ``(env, note)``; the note says when the
    factory takes no ``world_offset`` and the rank's worlds get a seed of their own instead (no
    two ranks play the same games, but the games depend on the number of ranks)."""
    if len(shard.counts) == 1:
        return factory(shard.count, seed), None
    if accepts_world_offset(factory):
        return factory(shard.count, seed, world_offset=shard.offset), None
    note = (
        "the env factory takes no world_offset: each rank seeds its worlds on its own "
        "(rank_seed), so the games depend on the number of processes"
    )
    return factory(shard.count, rank_seed(seed, shard.rank)), note


# -- the learner's forward ------------------------------------------------------------------
class SequenceForward(nn.Module):
    """``forward`` = the policy's ``forward_sequence``: what DDP wraps (it hooks ``forward``)."""

    def __init__(self, model: RecurrentActorCritic) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, obs: Tensor, state: LSTMState, episode_start: Tensor
    ) -> tuple[PolicyOutput, LSTMState]:
        return self.model.forward_sequence(obs, state, episode_start)


SequenceFn = Callable[[Tensor, LSTMState, Tensor], tuple[PolicyOutput, LSTMState]]


def training_forward(model: RecurrentActorCritic, comm: Comm, device: torch.device) -> SequenceFn:
    """The sequence forward the learner trains through: the model's own with one process, a
    ``DistributedDataParallel`` wrapper with several. Building the wrapper broadcasts rank 0's
    parameters and buffers, so every rank starts from the same weights."""
    if not comm.distributed:
        return model.forward_sequence
    from torch.nn.parallel import DistributedDataParallel

    # No buffer broadcast before every forward: the weights and buffers only change through
    # the averaged gradients, identically on every rank (torch >= 2.13 renamed the option).
    no_forward_sync: dict[str, Any] = (
        {"forward_sync_buffers": False}
        if "forward_sync_buffers" in inspect.signature(DistributedDataParallel).parameters
        else {"broadcast_buffers": False}
    )
    wrapped = DistributedDataParallel(
        SequenceForward(model),
        device_ids=[device.index] if device.type == "cuda" else None,
        **no_forward_sync,
    )
    return wrapped  # type: ignore[return-value]


# -- statistics -----------------------------------------------------------------------------
def merge_rollout_stats(comm: Comm, stats: RolloutStats, world_offset: int) -> RolloutStats:
    """The job's rollout statistics on every rank: finished episodes of all ranks in the order a
    single process lists them (step, then world number) and summed row counts."""
    if not comm.distributed:
        return stats
    winners = stats.winners if len(stats.winners) == len(stats.episode_returns) else None
    episodes = [
        (t, world_offset + w, ret, length, None if winners is None else winners[i])
        for i, ((t, w), ret, length) in enumerate(
            zip(stats.episode_keys, stats.episode_returns, stats.episode_lengths, strict=True)
        )
    ]
    merged = sorted(
        (e for part in comm.all_gather_object(episodes) for e in part), key=lambda e: e[:2]
    )
    credited, missed = stats.late_terminal_counts or (0, 0)
    sums = torch.tensor(
        [stats.valid_rows, stats.rows, stats.reward_sum, credited, missed], dtype=torch.float64
    )
    valid_rows, rows, reward_sum, credited_all, missed_all = comm.sum_(sums).tolist()
    out = RolloutStats(
        episode_returns=[e[2] for e in merged],
        episode_lengths=[e[3] for e in merged],
        winners=[e[4] for e in merged if e[4] is not None],
        valid_fraction=valid_rows / rows if rows else 1.0,
        mean_reward=reward_sum / max(valid_rows, 1.0),
        env_seconds=stats.env_seconds,
        inference_seconds=stats.inference_seconds,
        seconds=stats.seconds,
        episode_keys=[(e[0], e[1]) for e in merged],
        valid_rows=int(valid_rows),
        rows=int(rows),
        reward_sum=reward_sum,
    )
    if stats.late_terminal_counts is not None:
        total = credited_all + missed_all
        out.late_terminal_counts = (int(credited_all), int(missed_all))
        out.late_terminal_missed_fraction = missed_all / total if total else 0.0
    return out


def sum_grids(comm: Comm, grids: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Heatmap counts of every rank's worlds, summed (in place)."""
    if not comm.distributed:
        return grids
    names = sorted(grids)
    stacked = torch.from_numpy(np.stack([grids[n] for n in names]).astype(np.float64))
    comm.sum_(stacked)
    for i, name in enumerate(names):
        grids[name][...] = stacked[i].numpy()
    return grids


# -- checkpoints ----------------------------------------------------------------------------
def is_rank_local(key: str) -> bool:
    return key.startswith(RANK_LOCAL_PREFIXES)


def rank_prefix(rank: int) -> str:
    """Where rank ``rank``'s tensors live in ``trainer.safetensors`` (rank 0: no prefix, the
    single-process names)."""
    return "" if rank == 0 else f"rank{rank}/"


def rank_tensors(parts: Iterable[dict[str, Tensor]]) -> dict[str, Tensor]:
    """Every rank's rank-local tensors under one namespace (rank order)."""
    out: dict[str, Tensor] = {}
    for rank, tensors in enumerate(parts):
        out.update({rank_prefix(rank) + k: v for k, v in tensors.items()})
    return out


def tensors_of_rank(tensors: dict[str, Tensor], rank: int) -> dict[str, Tensor]:
    """Rank ``rank``'s rank-local tensors, under the single-process names."""
    if rank == 0:
        return {k: v for k, v in tensors.items() if is_rank_local(k)}
    prefix = rank_prefix(rank)
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def shared_tensors(tensors: dict[str, Tensor]) -> dict[str, Tensor]:
    """Tensors every rank loads alike (optimiser, self-play opponent)."""
    return {k: v for k, v in tensors.items() if not is_rank_local(k) and not k.startswith("rank")}


def cpu_tensors(tensors: dict[str, Tensor]) -> dict[str, Tensor]:
    return {k: v.detach().to("cpu") for k, v in tensors.items()}


__all__ = [
    "RANK_LOCAL_PREFIXES",
    "SequenceForward",
    "accepts_world_offset",
    "make_rank_env",
    "merge_rollout_stats",
    "rank_seed",
    "rank_tensors",
    "shared_tensors",
    "sum_grids",
    "tensors_of_rank",
    "training_forward",
]
