"""Small real checkpoints for the simulator's env, for tests of commands that load policies."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import torch

from echelon import EnvConfig, VecEnv
from echelon.rl import ActorCriticLSTM
from echelon.train.checkpoint import save_checkpoint


@cache
def _interface(config_json: str) -> tuple[int, int, dict[str, Any]]:
    import json

    env = VecEnv(EnvConfig.from_dict(json.loads(config_json)), num_worlds=1, num_threads=1)
    return env.obs_dim, env.action_dim, dict(env.obs_layout)


def save_tiny_policy(path: Path, seed: int = 0, env: dict[str, Any] | None = None) -> Path:
    """A checkpoint folder holding an 8-unit LSTM policy for ``EnvConfig(**env)``: loadable by
    ``load_policy``, distinct weights (and hash) per ``seed``."""
    import json

    env = env or {}
    obs_dim, action_dim, layout = _interface(json.dumps(env, sort_keys=True))
    torch.manual_seed(seed)
    model = ActorCriticLSTM(obs_dim, action_dim, obs_layout=layout, hidden=8, lstm_hidden=8)
    config = {"env": env, "opponent": "heuristic:0", "num_worlds": 1}
    return save_checkpoint(path, model, {"config": config})
