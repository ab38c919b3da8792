"""Train one Echelon team with Stable-Baselines3 PPO through the Gymnasium vector env.

    pip install stable-baselines3   # with torch already installed it adds no other torch
    python examples/train_sb3.py --timesteps 20000

``gymnasium.make_vec("echelon/Echelon-v0", num_envs=N)`` is a ``gymnasium.vector.VectorEnv`` with
one sub-environment per learning mech (N / 5 worlds of one pack per team; red is the core's
heuristic). Stable-Baselines3 steps its own ``VecEnv`` interface, so ``GymnasiumVecEnv`` below
adapts one to the other: the two agree on resetting an ended sub-environment inside ``step``
(Gymnasium's SAME_STEP autoreset, SB3's ``terminal_observation``). The policy is SB3's MLP over
the flat observation, shared by every mech (parameter sharing); it has no memory, unlike
``echelon train``'s LSTM. This shows the interface, not a recipe for a strong policy.
"""

from __future__ import annotations

import argparse
from typing import Any

import gymnasium
import numpy as np
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import VecEnv, VecMonitor

import echelon  # noqa: F401  (registers the echelon/... Gymnasium ids)
from echelon import EnvConfig


class GymnasiumVecEnv(VecEnv):
    """SB3's ``VecEnv`` over a ``gymnasium.vector.VectorEnv`` with SAME_STEP autoreset."""

    def __init__(self, env: gymnasium.vector.VectorEnv) -> None:
        super().__init__(env.num_envs, env.single_observation_space, env.single_action_space)
        self.env = env
        self._actions: np.ndarray | None = None

    def reset(self) -> np.ndarray:
        obs, _ = self.env.reset(seed=self._seeds[0] if self._seeds[0] is not None else None)
        self._reset_seeds()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        obs, reward, terminated, truncated, info = self.env.step(self._actions)
        done = terminated | truncated
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        for i in np.flatnonzero(done):
            infos[i]["terminal_observation"] = info["final_obs"][i]
            infos[i]["TimeLimit.truncated"] = bool(truncated[i])
        return obs, reward.astype(np.float32), done, infos

    def close(self) -> None:
        self.env.close()

    def get_attr(self, attr_name: str, indices: Any = None) -> list[Any]:
        return [getattr(self.env, attr_name)] * len(self._get_indices(indices))

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        setattr(self.env, attr_name, value)

    def env_method(self, method_name: str, *args: Any, indices: Any = None, **kw: Any) -> list[Any]:
        return [getattr(self.env, method_name)(*args, **kw)] * len(self._get_indices(indices))

    def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> list[bool]:
        return [False] * len(self._get_indices(indices))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timesteps", type=int, default=20_000, help="agent-steps to train")
    parser.add_argument("--worlds", type=int, default=4)
    parser.add_argument("--n-steps", type=int, default=128, help="PPO rollout length per mech")
    args = parser.parse_args()
    config = EnvConfig(map_size=(48, 48, 12), max_episode_seconds=30.0)  # the default preset's
    env = gymnasium.make_vec("echelon/Echelon-v0", num_envs=5 * args.worlds, config=config)
    model = PPO("MlpPolicy", VecMonitor(GymnasiumVecEnv(env)), n_steps=args.n_steps, verbose=1)
    model.learn(total_timesteps=args.timesteps)
    env.close()


if __name__ == "__main__":
    main()
