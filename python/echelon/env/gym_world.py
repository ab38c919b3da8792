"""One world as a ``gymnasium.Env``: the learning team's mechs act jointly.

``gymnasium.make`` builds only ``gymnasium.Env`` objects, and a PettingZoo ``ParallelEnv`` is not
one, so the id ``echelon/EchelonWorld-v0`` gives this view of a single world instead (the world
``echelon.pettingzoo.parallel_env`` shows one agent per mech): the observation is the team's rows
stacked, ``[n, obs_dim]`` (a dead mech's row is zero), the action ``[n, action_dim]``, the reward
the team's summed reward, and the episode is the world's (``terminated`` for a win or an
elimination, ``truncated`` for the time limit). It is the one-world case of
``echelon.env.gym_vector.EchelonVectorEnv`` with the mechs' sub-environments joined, so the
rewards are the same (the win/loss reward of mechs that died earlier arrives at the last step).
``info["rewards"]`` has the per-mech rewards, ``info["winner"]`` the winner at the end.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from echelon.config import EnvConfig
from echelon.env.gym_vector import EchelonVectorEnv


class EchelonWorldEnv(gymnasium.Env):  # type: ignore[misc]
    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012 (as gymnasium.Env declares it)

    def __init__(
        self,
        config: EnvConfig | dict[str, Any] | None = None,
        team: str = "blue",
        opponent: str = "heuristic:0",
        seed: int = 0,
    ) -> None:
        if isinstance(config, dict):
            config = EnvConfig.from_dict(config)
        config = config if config is not None else EnvConfig()
        n = config.agents_per_team
        self.team_env = EchelonVectorEnv(
            n, config, team=team, opponent=opponent, seed=seed, num_threads=1
        )
        single = self.team_env.env.observation_space  # the per-mech Box
        self.observation_space = spaces.Box(
            np.broadcast_to(single.low, (n, *single.shape)),
            np.broadcast_to(single.high, (n, *single.shape)),
            dtype=np.float32,
        )
        act = self.team_env.env.action_space
        self.action_space = spaces.Box(-1.0, 1.0, shape=(n, *act.shape), dtype=np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        obs, _ = self.team_env.reset(seed=seed)
        return obs, {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        obs, rewards, terms, truncs, infos = self.team_env.step(action)
        info: dict[str, Any] = {"rewards": rewards}
        if "final_obs" in infos:  # the world ended: its last observation, not the next episode's
            obs = np.stack(list(infos["final_obs"]))
            info["winner"] = infos["final_info"]["winner"][0]
        truncated = bool(truncs.any())  # the time limit (mechs dead before it are "terminated")
        terminated = bool(terms.any()) and not truncated
        return obs, float(rewards.sum()), terminated, truncated, info

    def close(self) -> None:
        self.team_env.close()
