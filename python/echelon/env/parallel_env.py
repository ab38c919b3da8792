"""One Echelon world as a PettingZoo ``ParallelEnv`` (dicts of numpy arrays), for standard tools.

Agents leave ``env.agents`` when they die; when the episode ends ``agents`` becomes empty and the
returned observations are the episode's final ones. A team the core heuristic drives
(``red="heuristic:N"``) is not among the agents: only ``"external"`` teams take actions here.
For throughput use ``VecEnv`` instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import torch
from gymnasium import spaces
from pettingzoo import ParallelEnv

from echelon.config import EnvConfig
from echelon.env.vec_env import VecEnv


class EchelonParallelEnv(ParallelEnv):  # type: ignore[misc]
    metadata: ClassVar[dict[str, Any]] = {
        "name": "echelon_v0",
        "render_modes": [],
        "is_parallelizable": True,
    }

    def __init__(self, config: EnvConfig | None = None, seed: int = 0) -> None:
        self.config = config if config is not None else EnvConfig()
        self._seed = seed
        self._env = VecEnv(self.config, num_worlds=1, seed=seed, num_threads=1)
        external = [
            team
            for team, controller in (("blue", self.config.blue), ("red", self.config.red))
            if controller == "external"
        ]
        if not external:
            raise ValueError(
                "both teams are driven by the core heuristic (blue="
                f"{self.config.blue!r}, red={self.config.red!r}): no agent is left to act"
            )
        self.possible_agents = [a for a in self._env.agent_ids if a.split("_", 1)[0] in external]
        self.agents: list[str] = []
        self._index = {a: self._env.agent_ids.index(a) for a in self.possible_agents}
        self._actions = torch.zeros(
            (1, self._env.num_agents, self._env.action_dim), dtype=torch.float32
        )

    def observation_space(self, agent: str) -> spaces.Box:
        return self._env.observation_space

    def action_space(self, agent: str) -> spaces.Box:
        return self._env.action_space

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._seed = seed
        obs = self._env.reset(seed=seed)[0].numpy()
        self.agents = list(self.possible_agents)
        return {a: obs[self._index[a]].copy() for a in self.agents}, {a: {} for a in self.agents}

    def step(
        self, actions: dict[str, np.ndarray]
    ) -> tuple[
        dict[str, np.ndarray],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        self._actions.zero_()
        for agent, act in actions.items():
            if agent not in self._index:
                raise ValueError(f"unknown agent {agent!r}; expected one of {self.possible_agents}")
            arr = np.asarray(act, dtype=np.float32)
            if arr.shape != (self._env.action_dim,):
                raise ValueError(
                    f"action for {agent} must have shape ({self._env.action_dim},), got {arr.shape}"
                )
            self._actions[0, self._index[agent]] = torch.from_numpy(arr)
        obs_t, rew_t, term_t, trunc_t, info = self._env.step(self._actions)
        ended = bool(info["episode_end"][0])
        source = info["final_obs"][0] if ended else obs_t[0]
        obs, rew, term, trunc = (
            source.numpy(),
            rew_t[0].numpy(),
            term_t[0].numpy(),
            trunc_t[0].numpy(),
        )
        live = self.agents
        observations = {a: obs[self._index[a]].copy() for a in live}
        rewards = {a: float(rew[self._index[a]]) for a in live}
        terminations = {a: bool(term[self._index[a]]) for a in live}
        truncations = {a: bool(trunc[self._index[a]]) for a in live}
        infos: dict[str, dict[str, Any]] = {a: {} for a in live}
        if ended:
            winner = int(info["winner"][0])
            for a in live:
                infos[a]["winner"] = {0: "blue", 1: "red"}.get(winner, "draw")
            self.agents = []
        else:
            self.agents = [a for a in live if not (terminations[a] or truncations[a])]
        return observations, rewards, terminations, truncations, infos

    def close(self) -> None:
        self._env.close()


def parallel_env(config: EnvConfig | None = None, seed: int = 0) -> EchelonParallelEnv:
    """One world of Echelon as a PettingZoo ParallelEnv."""
    return EchelonParallelEnv(config, seed)
