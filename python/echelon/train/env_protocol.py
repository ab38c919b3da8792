"""The slice of the ``echelon.VecEnv`` contract the trainer relies on.

Written as a ``Protocol`` so the trainer is tested against small torch environments (in
``tests/``) with exactly the same API before and independently of the simulator core.
"""

from __future__ import annotations

from typing import Any, Protocol

from torch import Tensor


class BatchEnv(Protocol):
    num_worlds: int
    num_agents: int
    obs_dim: int
    action_dim: int
    obs_layout: Any
    team_slices: dict[str, slice]

    def reset(self) -> Tensor: ...

    def step(self, actions: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Tensor]]: ...


def learner_slice(env: BatchEnv) -> slice:
    """Rows the learner controls: the blue team, or every agent if the env has no teams."""
    slices = getattr(env, "team_slices", None) or {}
    return slices.get("blue", slice(0, env.num_agents))


def opponent_slice(env: BatchEnv) -> slice | None:
    slices = getattr(env, "team_slices", None) or {}
    return slices.get("red")


def slice_len(sl: slice, total: int) -> int:
    return len(range(*sl.indices(total)))
