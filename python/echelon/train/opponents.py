"""Policies for the red rows of an ``external`` opponent team.

* ``IdleOpponent``: zero actions (stand still), a fixed baseline.
* ``SelfPlayOpponent``: a frozen snapshot of the learner's weights, refreshed every
  ``opponent_refresh`` updates, acting stochastically with its own LSTM state, reset
  per world when that world starts a new episode.

The core's scripted ``heuristic:N`` opponent needs no Python policy: the env writes those
rows itself.
"""

from __future__ import annotations

import copy

import torch
from torch import Tensor

from echelon.distributed import RowShard
from echelon.rl.lstm_state import LSTMState
from echelon.rl.model import RecurrentActorCritic


class IdleOpponent:
    def __init__(self, action_dim: int) -> None:
        self.action_dim = action_dim

    def reset(self, columns: int, device: torch.device) -> None:
        pass

    def act(self, obs: Tensor, episode_start: Tensor) -> Tensor:
        return obs.new_zeros(obs.shape[0], self.action_dim)


class SelfPlayOpponent:
    def __init__(
        self,
        learner: RecurrentActorCritic,
        generator: torch.Generator,
        rows: RowShard | None = None,
    ) -> None:
        self.model = copy.deepcopy(learner).eval()
        self.model.requires_grad_(False)
        self.generator = generator
        # A distributed run's block of the job's red rows: the noise is that block of the job's
        # draw (None: all rows are this process's).
        self.rows = rows
        self.state: LSTMState | None = None

    def sync(self, learner: RecurrentActorCritic) -> None:
        self.model.load_state_dict(learner.state_dict())

    def reset(self, columns: int, device: torch.device) -> None:
        self.state = self.model.initial_state(columns, device)

    @torch.no_grad()
    def act(self, obs: Tensor, episode_start: Tensor) -> Tensor:
        if self.state is None:
            self.reset(obs.shape[0], obs.device)
        assert self.state is not None
        out, self.state = self.model(obs, self.state, episode_start)
        rows = self.rows or RowShard.whole(obs.shape[0])
        noise = rows.noise(self.generator, out.mean.shape[-1], out.mean.device, out.mean.dtype)
        return self.model.distribution(out).sample(noise=noise)
