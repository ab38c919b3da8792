"""One learning team of a ``VecEnv`` as a ``gymnasium.vector.VectorEnv``: each learning mech of
each world is one sub-environment, so single-agent libraries train a shared policy over all of
them (parameter sharing) without knowing the game is multi-agent.

``gymnasium.make_vec("echelon/Echelon-v0", num_envs=40)`` builds 8 worlds of one pack per team
(5 learning mechs each); the other team is the core heuristic (``opponent``, default the walker,
``heuristic:0``). Conventions:

* a sub-environment's episode is its world's episode. A mech that dies keeps getting all-zero
  observations and zero rewards until its world's episode ends (the "black death" convention of
  PettingZoo/SuperSuit vectorisation), then ends with ``terminated``; the win/loss reward of a mech
  that died before the end (``info["late_terminal"]`` of ``VecEnv``) is paid at that final step;
* mechs alive at the end get the world's flags: ``terminated`` for a zone win or an elimination,
  ``truncated`` for the time limit;
* autoreset is ``SAME_STEP`` (as ``VecEnv`` resets ended worlds inside ``step``): the returned
  observation of an ended sub-environment is the first of its next episode, and the last one is in
  ``infos["final_obs"]`` (mask ``infos["_final_obs"]``); ``infos["final_info"]["winner"]`` says
  who won ("blue", "red" or "draw");
* ``array_backend="numpy"`` (default) returns NumPy arrays (copies); ``"torch"`` returns torch
  tensors on the env's device (copies; the spaces stay NumPy Boxes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from echelon.config import EnvConfig
from echelon.env.vec_env import VecEnv

TEAMS = ("blue", "red")
WINNER_NAMES = np.array(["draw", "blue", "red"])  # index: winner + 1


class EchelonVectorEnv(VectorEnv):  # type: ignore[misc]
    """``num_envs`` learning mechs (a multiple of the team size) in ``num_envs / team size``
    worlds of ``config``; see the module docstring."""

    metadata: dict[str, Any] = {  # noqa: RUF012 (gymnasium's own declaration is not a ClassVar)
        "autoreset_mode": AutoresetMode.SAME_STEP,
        "render_modes": [],
    }

    def __init__(
        self,
        num_envs: int,
        config: EnvConfig | dict[str, Any] | None = None,
        team: str = "blue",
        opponent: str = "heuristic:0",
        device: str = "cpu",
        seed: int = 0,
        num_threads: int | None = None,
        array_backend: str = "numpy",
    ) -> None:
        if team not in TEAMS:
            raise ValueError(f"team must be 'blue' or 'red', got {team!r}")
        if array_backend not in ("numpy", "torch"):
            raise ValueError(f"array_backend must be 'numpy' or 'torch', got {array_backend!r}")
        if isinstance(config, dict):
            config = EnvConfig.from_dict(config)
        config = config if config is not None else EnvConfig()
        other = TEAMS[1 - TEAMS.index(team)]
        changes = {team: "external"}
        if getattr(config, other) == "external":
            changes[other] = opponent  # the other team's rows would otherwise stay zero
        config = config.replace(**changes)
        per_world = config.agents_per_team
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
        if num_envs % per_world:
            raise ValueError(
                f"num_envs must be a multiple of the team size {per_world} (5 x packs_per_team): "
                f"each world adds {per_world} learning mechs, got {num_envs}"
            )
        self.env = VecEnv(
            config,
            num_worlds=num_envs // per_world,
            device=device,
            seed=seed,
            num_threads=num_threads,
        )
        self.config = config
        self.team = team
        self.array_backend = array_backend
        self.num_envs = num_envs
        self.agents_per_world = per_world
        self._rows = self.env.team_slices[team]
        self.single_observation_space = self.env.observation_space
        self.single_action_space = self.env.action_space
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._actions = torch.zeros(
            (self.env.num_worlds, self.env.num_agents, self.env.action_dim),
            dtype=torch.float32,
            device=self.env.device,
        )

    # -- helpers ---------------------------------------------------------------------------
    def _team(self, x: torch.Tensor) -> torch.Tensor:
        """``[W, A, ...]`` -> the learning team's rows, ``[W * n, ...]``."""
        rows = x[:, self._rows]
        return rows.reshape(self.num_envs, *rows.shape[2:])

    def _out(self, x: torch.Tensor) -> Any:
        x = x.detach().clone()
        return x if self.array_backend == "torch" else x.cpu().numpy()

    # -- VectorEnv API -----------------------------------------------------------------------
    def reset(
        self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        if isinstance(seed, list):  # one seed for the batch: the worlds derive their own streams
            seed = seed[0] if seed else None
        obs = self.env.reset(seed=seed)
        return self._out(self._team(obs)), {}

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        acts = torch.as_tensor(np.asarray(actions) if not torch.is_tensor(actions) else actions)
        expected = (self.num_envs, self.env.action_dim)
        if tuple(acts.shape) != expected:
            raise ValueError(f"actions must have shape {expected}, got {tuple(acts.shape)}")
        self._actions.zero_()
        self._actions[:, self._rows] = acts.to(self._actions.device, torch.float32).reshape(
            self.env.num_worlds, self.agents_per_world, -1
        )
        obs, reward, _terminated, truncated, info = self.env.step(self._actions)
        ended_world = info["episode_end"]
        ended = ended_world.repeat_interleave(self.agents_per_world)
        reward = self._team(reward + info["late_terminal"])
        # Only a world's end ends its sub-environments. There, mechs alive at the end carry the
        # world's flag (terminated: a win; truncated: the time limit) and mechs that died earlier
        # carry none: they are terminated too. So: truncated where VecEnv says so, else terminated.
        trunc = ended & self._team(truncated)
        term = ended & ~trunc
        infos: dict[str, Any] = {}
        if bool(ended.any()):
            final = self._team(info["final_obs"])
            mask = ended.cpu().numpy()
            final_obs = np.empty(self.num_envs, dtype=object)
            for i in np.flatnonzero(mask):
                final_obs[i] = self._out(final[i])
            winners = info["winner"].to(torch.int64).repeat_interleave(self.agents_per_world)
            names = np.where(mask, WINNER_NAMES[winners.cpu().numpy() + 1], None)
            infos = {
                "final_obs": final_obs,
                "_final_obs": mask,
                "final_info": {"winner": names, "_winner": mask},
                "_final_info": mask,
            }
        return (
            self._out(self._team(obs)),
            self._out(reward),
            self._out(term),
            self._out(trunc),
            infos,
        )

    def close_extras(self, **kwargs: Any) -> None:
        self.env.close()
