"""The protocol every policy the arena and evaluation code can drive implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch
from torch import Tensor

from echelon.rl.lstm_state import LSTMState


@runtime_checkable
class RecurrentPolicy(Protocol):
    """A batched recurrent policy.

    ``episode_start[b]`` is true when ``obs[b]`` is the first observation of a new episode:
    the policy resets that column's recurrent state before using it.
    """

    def initial_state(self, batch_size: int, device: torch.device) -> LSTMState: ...

    def act(
        self, obs: Tensor, state: LSTMState, episode_start: Tensor, deterministic: bool = False
    ) -> tuple[Tensor, LSTMState]: ...
