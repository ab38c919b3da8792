"""Collecting the next rollout while the learner trains on the last one (``pipeline: true``).

On a CPU the PPO epochs take most of an update and run on one core, while the simulator and
the acting policy wait; with ``TrainConfig.pipeline`` the rollout of update ``i + 1`` is
collected on a worker thread during the PPO epochs of update ``i``. The GIL is released
inside the simulator's step and inside torch's kernels, so both run at once on two cores.

The price is one update of policy lag: the rollout the learner trains on was collected by
the weights *before* the previous update (the worker acts with a frozen copy, the
``actor``, refreshed from the learner when each collection starts). PPO's ratio is taken
against the stored behaviour log-probabilities, so the objective stays correct; the
clipping bounds how far one update moves from them (the same argument as IMPALA-style
asynchronous PPO, with a lag of exactly one). Values stored with the rollout come from the
actor and the value normaliser as they were when that collection started.

Determinism does not depend on thread timing: the worker touches only the actor, the
collector (its own sampling generator, the environment, the carry) and the buffer it fills;
the learner touches only the learner model, its optimiser and the other buffer; everything
that crosses between them (weights, normaliser statistics, curriculum and opponent changes)
is exchanged while the worker is idle. The rollout collected but not yet learned from is
part of a checkpoint (``pending/*`` tensors, ``pending_stats`` metadata), so ``--resume``
continues exactly.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from echelon.rl.model import RecurrentActorCritic
from echelon.train.buffer import RolloutBuffer
from echelon.train.normalization import RunningMeanStd
from echelon.train.rollout import RolloutCollector, RolloutStats

# Buffer fields a pending rollout needs for the learner (advantages/returns are recomputed).
PENDING_FIELDS = (
    "obs",
    "actions",
    "logprobs",
    "values",
    "rewards",
    "bootstrap",
    "dones",
    "valid",
    "episode_start",
    "start_h",
    "start_c",
    "last_value",
)


def frozen_denormalizer(norm: RunningMeanStd) -> Callable[[Tensor], Tensor]:
    """``denormalize`` with the statistics as they are now (the learner replaces its
    statistics tensors on update, so holding these keeps them fixed for the worker)."""
    mean, std = norm.mean, norm.std
    return lambda x: (x * std + mean).to(x.dtype)


class RolloutPipeline:
    """Two rollout buffers: the learner reads one while a worker thread fills the other."""

    def __init__(
        self,
        collector: RolloutCollector,
        learner_model: RecurrentActorCritic,
        buffers: tuple[RolloutBuffer, RolloutBuffer],
    ) -> None:
        self.collector = collector
        self.learner_model = learner_model
        self.actor = collector.model
        if self.actor is learner_model:
            raise ValueError("the pipeline's collector must act with its own copy of the model")
        self.buffers = buffers
        self.pending: tuple[RolloutBuffer, RolloutStats] | None = None
        self._worker: threading.Thread | None = None
        self._result: RolloutStats | BaseException | None = None
        self._filling: RolloutBuffer | None = None

    @staticmethod
    def actor_copy(model: RecurrentActorCritic) -> RecurrentActorCritic:
        actor = copy.deepcopy(model).eval()
        actor.requires_grad_(False)
        return actor

    def _sync_actor(self) -> None:
        self.actor.load_state_dict(self.learner_model.state_dict())

    def take(
        self, denormalize: Callable[[Tensor], Tensor] | None
    ) -> tuple[RolloutBuffer, RolloutStats]:
        """The rollout to learn from now (collected at once if none is pending), and the
        next collection started on the worker with the current weights."""
        if self.pending is None:  # first update of a run, or a resume without one
            self._sync_actor()
            buf = self.buffers[0]
            self.pending = (buf, self.collector.collect(buf, denormalize))
        buf, stats = self.pending
        self.pending = None
        self._sync_actor()
        self._filling = self.buffers[1] if buf is self.buffers[0] else self.buffers[0]
        self._start(self._filling, denormalize)
        return buf, stats

    def _start(self, buf: RolloutBuffer, denormalize: Callable[[Tensor], Tensor] | None) -> None:
        # A new thread for every collection, not a pool: torch's CPU kernels keep per-thread
        # state that can change the last bits of a result (seen: one worker thread reused for
        # every update gave different actor outputs after a resume than in the straight run,
        # bit-identical again with a fresh thread). Thread start costs ~0.1 ms per update.
        def run() -> None:
            try:
                self._result = self.collector.collect(buf, denormalize)
            except BaseException as exc:  # re-raised on the learner's thread by join()
                self._result = exc

        self._result = None
        self._worker = threading.Thread(target=run, name="echelon-rollout", daemon=True)
        self._worker.start()

    def join(self) -> RolloutStats:
        """Wait for the collection started by ``take``; it becomes the pending rollout."""
        assert self._worker is not None and self._filling is not None
        self._worker.join()
        result, self._worker = self._result, None
        if isinstance(result, BaseException):
            raise result
        assert result is not None
        self.pending = (self._filling, result)
        self._filling = None
        return result

    def close(self) -> None:
        """Wait for a collection still running (its rollout stays pending)."""
        if self._worker is not None:
            self._worker.join()
            self._worker = None

    # -- checkpoints --------------------------------------------------------------------
    def state(self) -> tuple[dict[str, Tensor], dict[str, Any] | None]:
        """The pending rollout as ``pending/*`` tensors and its statistics (JSON)."""
        if self.pending is None:
            return {}, None
        buf, stats = self.pending
        tensors = {f"pending/{name}": getattr(buf, name) for name in PENDING_FIELDS}
        return tensors, dataclasses.asdict(stats)

    def load_state(self, tensors: dict[str, Tensor], stats: dict[str, Any] | None) -> bool:
        """Restore a pending rollout saved by ``state``; False when the checkpoint has none."""
        if stats is None or "pending/obs" not in tensors:
            self.pending = None
            return False
        buf = self.buffers[0]
        with torch.no_grad():
            for name in PENDING_FIELDS:
                target = getattr(buf, name)
                source = tensors[f"pending/{name}"]
                if tuple(source.shape) != tuple(target.shape):
                    raise ValueError(
                        f"checkpoint's pending rollout {name} has shape {tuple(source.shape)}, "
                        f"this run's buffer {tuple(target.shape)}"
                    )
                target.copy_(source)
        self.pending = (buf, RolloutStats(**stats))
        return True
