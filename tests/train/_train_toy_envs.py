"""Small torch batch environments with the ``echelon.VecEnv`` API, for training tests.

``CueMemoryEnv``: a cue (+1/-1) is shown only in the first observation; the action at the
last step of the episode is rewarded by ``cue * action[0]``. A policy without memory can
score at best 0 on average; a recurrent one can reach +1.

``ZoneWalkEnv``: two teams walk on a square toward a capture zone. Reward = zone tick
while inside + potential-based approach shaping (gamma * phi(s') - phi(s), phi = -distance),
like the first real env version. Random per-agent "hazard" deaths exercise the padding
rule; the time limit truncates; a team reaching the zone-score threshold wins
(termination). Both envs expose ``state_dict``/``load_state_dict`` so resume tests can be
exact.
"""

from __future__ import annotations

import torch
from torch import Tensor


class CueMemoryEnv:
    def __init__(self, num_worlds: int, seed: int = 0, episode_length: int = 4) -> None:
        self.num_worlds, self.num_agents = num_worlds, 1
        self.obs_dim, self.action_dim = 3, 1
        self.episode_length = episode_length
        self.obs_layout = {"self": (slice(0, 3), (3,))}
        self.team_slices = {"blue": slice(0, 1)}
        self.gen = torch.Generator().manual_seed(seed)
        self.t = torch.zeros(num_worlds, dtype=torch.long)
        self.cue = torch.zeros(num_worlds)

    def _new_cues(self, mask: Tensor) -> None:
        draw = torch.randint(0, 2, (self.num_worlds,), generator=self.gen).float() * 2 - 1
        self.cue = torch.where(mask, draw, self.cue)

    def _obs(self) -> Tensor:
        first = (self.t == 0).float()
        last = (self.t == self.episode_length - 1).float()
        frac = self.t.float() / (self.episode_length - 1)
        return torch.stack([self.cue * first, frac, last], dim=-1).unsqueeze(1)

    def reset(self) -> Tensor:
        self.t.zero_()
        self._new_cues(torch.ones(self.num_worlds, dtype=torch.bool))
        return self._obs()

    def step(self, actions: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Tensor]]:
        last = self.t == self.episode_length - 1
        reward = torch.where(last, self.cue * actions[:, 0, 0], 0.0).unsqueeze(1)
        final_obs = self._obs()
        self.t = torch.where(last, 0, self.t + 1)
        self._new_cues(last)
        terminated = last.unsqueeze(1).clone()
        info = {
            "alive": torch.ones(self.num_worlds, 1, dtype=torch.bool),
            "final_obs": final_obs,
            "episode_end": last.clone(),
        }
        return self._obs(), reward, terminated, torch.zeros_like(terminated), info

    def state_dict(self) -> dict[str, Tensor]:
        return {"t": self.t.clone(), "cue": self.cue.clone(), "gen": self.gen.get_state()}

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        self.t, self.cue = state["t"].clone(), state["cue"].clone()
        self.gen.set_state(state["gen"].clone())


class ZoneWalkEnv:
    def __init__(
        self,
        num_worlds: int,
        seed: int = 0,
        per_team: int = 2,
        max_steps: int = 32,
        hazard: float = 0.01,
        win_score: float = 12.0,
        gamma: float = 0.99,
    ) -> None:
        self.num_worlds, self.num_agents = num_worlds, 2 * per_team
        self.obs_dim, self.action_dim = 7, 2
        self.obs_layout = {"self": (slice(0, 3), (3,)), "zone": (slice(3, 7), (4,))}
        self.team_slices = {"blue": slice(0, per_team), "red": slice(per_team, 2 * per_team)}
        self.per_team, self.max_steps, self.hazard = per_team, max_steps, hazard
        self.win_score, self.gamma, self.radius = win_score, gamma, 0.25
        self.gen = torch.Generator().manual_seed(seed)
        self.pos = torch.zeros(num_worlds, self.num_agents, 2)
        self.zone = torch.zeros(num_worlds, 2)
        self.alive = torch.ones(num_worlds, self.num_agents, dtype=torch.bool)
        self.t = torch.zeros(num_worlds, dtype=torch.long)
        self.score = torch.zeros(num_worlds, 2)

    def _respawn(self, mask: Tensor) -> None:
        w, a = self.num_worlds, self.num_agents
        pos = torch.rand(w, a, 2, generator=self.gen) * 0.4 - 1.0  # blue near (-1,-1)
        pos[:, self.per_team :] *= -1.0  # red near (+1,+1)
        zone = (torch.rand(w, 2, generator=self.gen) - 0.5) * 0.6
        m = mask.view(-1, 1, 1)
        self.pos = torch.where(m, pos, self.pos)
        self.zone = torch.where(mask.view(-1, 1), zone, self.zone)
        self.alive = torch.where(mask.view(-1, 1), True, self.alive)
        self.t = torch.where(mask, 0, self.t)
        self.score = torch.where(mask.view(-1, 1), 0.0, self.score)

    def _dist(self) -> Tensor:
        return (self.pos - self.zone.unsqueeze(1)).norm(dim=-1)

    def _obs(self) -> Tensor:
        rel = self.zone.unsqueeze(1) - self.pos
        dist = rel.norm(dim=-1, keepdim=True)
        inside = (dist < self.radius).float()
        alive = self.alive.float().unsqueeze(-1)
        obs = torch.cat([self.pos, alive, rel, dist, inside], dim=-1)
        return obs * alive

    def reset(self) -> Tensor:
        self._respawn(torch.ones(self.num_worlds, dtype=torch.bool))
        return self._obs()

    def step(self, actions: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Tensor]]:
        acting = self.alive.clone()
        before = self._dist()
        move = actions.clamp(-1, 1) * 0.15 * acting.unsqueeze(-1)
        self.pos = (self.pos + move).clamp(-1.2, 1.2)
        after = self._dist()
        inside = (after < self.radius) & acting
        shaping = self.gamma * (-after) - (-before)
        reward = torch.where(acting, shaping + 0.1 * inside.float(), 0.0)
        ticks = inside.float()
        self.score[:, 0] += ticks[:, : self.per_team].sum(1)
        self.score[:, 1] += ticks[:, self.per_team :].sum(1)
        self.t += 1
        died = acting & (torch.rand(self.alive.shape, generator=self.gen) < self.hazard)
        self.alive = acting & ~died
        blue_win = self.score[:, 0] >= self.win_score
        red_win = (self.score[:, 1] >= self.win_score) & ~blue_win
        wiped = ~self.alive.any(dim=1)
        won = blue_win | red_win | wiped
        timeout = (self.t >= self.max_steps) & ~won
        end = won | timeout
        winner = torch.full((self.num_worlds,), -1, dtype=torch.int8)
        winner = torch.where(blue_win, 0, winner).to(torch.int8)
        winner = torch.where(red_win, 1, winner).to(torch.int8)
        by_score = torch.where(self.score[:, 0] > self.score[:, 1], 0, 1).to(torch.int8)
        tie = self.score[:, 0] == self.score[:, 1]
        winner = torch.where(timeout & ~tie, by_score, winner).to(torch.int8)
        terminated = died | (won.view(-1, 1) & self.alive)
        truncated = timeout.view(-1, 1) & self.alive
        final_obs = self._obs()
        self._respawn(end)
        info = {
            "alive": self.alive.clone(),
            "final_obs": final_obs,
            "episode_end": end,
            "winner": winner,
        }
        return self._obs(), reward, terminated, truncated, info

    def state_dict(self) -> dict[str, Tensor]:
        return {
            "pos": self.pos.clone(),
            "zone": self.zone.clone(),
            "alive": self.alive.clone(),
            "t": self.t.clone(),
            "score": self.score.clone(),
            "gen": self.gen.get_state(),
        }

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        self.pos, self.zone = state["pos"].clone(), state["zone"].clone()
        self.alive, self.t = state["alive"].clone(), state["t"].clone()
        self.score = state["score"].clone()
        self.gen.set_state(state["gen"].clone())


def make_zone_walk(num_worlds: int, seed: int, **kwargs: float) -> ZoneWalkEnv:
    """``--env-factory _train_toy_envs:make_zone_walk`` (CLI tests)."""
    return ZoneWalkEnv(num_worlds, seed, **kwargs)  # type: ignore[arg-type]
