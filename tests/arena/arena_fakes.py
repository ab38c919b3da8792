"""A torch-only batch env that follows the VecEnv contract, and instrumented policies.

FakeDuelEnv: each world plays episodes whose length varies by world and episode; the
winner is the team whose mean action[0] over the episode (all its agents, all steps) is
larger (draw within 1e-6). Observation per agent: [steps since episode start, team
(0 blue / 1 red), world index, episode index of that world].
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from echelon.rl.lstm_state import LSTMState


class FakeDuelEnv:
    obs_dim = 4

    def __init__(
        self,
        num_worlds: int,
        agents_per_team: int = 2,
        action_dim: int = 2,
        base_len: int = 3,
    ) -> None:
        self.num_worlds = num_worlds
        self.num_agents = 2 * agents_per_team
        self.action_dim = action_dim
        self.agent_ids = [f"blue_{i}" for i in range(agents_per_team)] + [
            f"red_{i}" for i in range(agents_per_team)
        ]
        self.team_slices = {"blue": slice(0, agents_per_team), "red": slice(agents_per_team, None)}
        self.obs_layout = {"self": (slice(0, 4), (4,))}
        self.base_len = base_len
        self.steps_taken = 0
        w, a = num_worlds, self.num_agents
        self._obs = torch.zeros(w, a, self.obs_dim)
        self._final_obs = torch.zeros(w, a, self.obs_dim)
        self._reward = torch.zeros(w, a)
        self._terminated = torch.zeros(w, a, dtype=torch.bool)
        self._truncated = torch.zeros(w, a, dtype=torch.bool)
        self._alive = torch.ones(w, a, dtype=torch.bool)
        self._episode_end = torch.zeros(w, dtype=torch.bool)
        self._winner = torch.full((w,), -1, dtype=torch.int8)
        self._t = torch.zeros(w, dtype=torch.long)
        self._episode = torch.zeros(w, dtype=torch.long)
        self._sum = torch.zeros(w, 2)

    def episode_length(self, world: int, episode: int) -> int:
        return self.base_len + (world + 2 * episode) % 4

    def _write_obs(self) -> None:
        half = self.num_agents // 2
        self._obs[:, :, 0] = self._t.unsqueeze(1).float()
        self._obs[:, :half, 1] = 0.0
        self._obs[:, half:, 1] = 1.0
        self._obs[:, :, 2] = torch.arange(self.num_worlds).unsqueeze(1).float()
        self._obs[:, :, 3] = self._episode.unsqueeze(1).float()

    def reset(self) -> Tensor:
        self._t.zero_()
        self._episode.zero_()
        self._sum.zero_()
        self._write_obs()
        return self._obs

    def step(self, actions: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Any]]:
        expected = (self.num_worlds, self.num_agents, self.action_dim)
        if tuple(actions.shape) != expected or actions.dtype != torch.float32:
            raise ValueError(
                f"actions must be float32 {expected}, got {actions.dtype} {actions.shape}"
            )
        if bool((actions.abs() > 1.0).any()):
            raise ValueError("actions out of [-1, 1]")
        self.steps_taken += 1
        half = self.num_agents // 2
        self._sum[:, 0] += actions[:, :half, 0].mean(dim=1)
        self._sum[:, 1] += actions[:, half:, 0].mean(dim=1)
        self._t += 1
        self._episode_end.zero_()
        self._terminated.zero_()
        self._truncated.zero_()
        self._winner.fill_(-1)
        for world in range(self.num_worlds):
            if int(self._t[world]) < self.episode_length(world, int(self._episode[world])):
                continue
            blue, red = float(self._sum[world, 0]), float(self._sum[world, 1])
            winner = 0 if blue > red + 1e-6 else 1 if red > blue + 1e-6 else -1
            self._episode_end[world] = True
            self._winner[world] = winner
            if winner == -1:
                self._truncated[world] = True
            else:
                self._terminated[world] = True
            self._write_obs()
            self._final_obs[world] = self._obs[world]
            self._t[world] = 0
            self._episode[world] += 1
            self._sum[world] = 0.0
        self._write_obs()
        info = {
            "alive": self._alive,
            "final_obs": self._final_obs,
            "episode_end": self._episode_end,
            "winner": self._winner,
        }
        return self._obs, self._reward, self._terminated, self._truncated, info


class StrengthPolicy:
    """Outputs action[0] = strength. Its recurrent state counts steps since the episode
    started and is checked against obs[:, 0] every call, so any state that was not reset at
    an episode end / pairing change, or rows routed to the wrong slot, shows up in
    ``errors``. Also records what it saw for batching and routing checks."""

    def __init__(
        self, strength: float, env: FakeDuelEnv | None = None, honour_episode_start: bool = True
    ) -> None:
        self.strength = strength
        # False: rely on the caller alone to reset state (tests the runner's own reset).
        self.honour_episode_start = honour_episode_start
        self.env = env
        self.errors: list[str] = []
        self.calls: list[int] = []  # env step count at each call
        self.batch_sizes: list[int] = []
        self.seen: set[tuple[int, int, int]] = set()  # (world, episode, team)
        self.inference_mode: list[bool] = []

    def initial_state(self, batch_size: int, device: torch.device) -> LSTMState:
        # Non-zero initial state on purpose: the runner must use it, not zeros.
        return LSTMState(
            torch.full((1, batch_size, 1), -1.0, device=device),
            torch.zeros(1, batch_size, 1, device=device),
        )

    def act(
        self, obs: Tensor, state: LSTMState, episode_start: Tensor, deterministic: bool = False
    ) -> tuple[Tensor, LSTMState]:
        self.inference_mode.append(torch.is_inference_mode_enabled())
        self.calls.append(self.env.steps_taken if self.env is not None else -1)
        self.batch_sizes.append(obs.shape[0])
        h = state.h
        if self.honour_episode_start:
            h = torch.where(episode_start.view(1, -1, 1), torch.full_like(h, -1.0), h)
        expected = obs[:, 0].view(1, -1, 1) - 1.0  # -1 at t = 0, then t - 1
        if not torch.equal(h, expected):
            self.errors.append(f"state {h.flatten().tolist()} != t-1 {expected.flatten().tolist()}")
        for w, e, team in obs[:, 1:4][:, [1, 2, 0]].long().tolist():
            self.seen.add((w, e, team))
        actions = torch.zeros(obs.shape[0], 2, device=obs.device)
        actions[:, 0] = self.strength
        return actions, LSTMState(h + 1.0, state.c)
