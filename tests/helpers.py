"""Small builders for hand-made test scenarios."""

from __future__ import annotations

import numpy as np
import torch

from echelon import EnvConfig, VecEnv

SCOUT, LIGHT, MEDIUM, HEAVY = 0, 1, 2, 3
HALF = {
    SCOUT: (0.6, 0.6, 0.9),
    LIGHT: (0.75, 0.75, 1.0),
    MEDIUM: (1.25, 1.25, 1.5),
    HEAVY: (1.75, 1.75, 2.0),
}
MAX_SPEED = {SCOUT: 7.0, LIGHT: 6.8, MEDIUM: 5.5, HEAVY: 2.5}
YAW_RATE = {SCOUT: 1.8, LIGHT: 1.5, MEDIUM: 1.0, HEAVY: 0.6}
JET = {SCOUT: 18.0, LIGHT: 16.0, MEDIUM: 0.0, HEAVY: 0.0}


def empty_env(size: tuple[int, int, int] = (40, 40, 12), worlds: int = 1, **kw: object) -> VecEnv:
    cfg = EnvConfig(map_size=size, map_type="empty", **kw)  # type: ignore[arg-type]
    env = VecEnv(cfg, num_worlds=worlds, seed=0, num_threads=1)
    env.reset()
    return env


def clear_world(env: VecEnv, w: int = 0) -> None:
    sz, sy, sx = env.sim.voxels(w).shape
    env.sim.set_voxels(w, np.zeros((sz, sy, sx), np.uint8))


def park_all(env: VecEnv, w: int = 0) -> None:
    """Moves every mech into a far row along y = 2 so a test can use one or two of them alone."""
    pos = env.sim.mech_pos()
    vel = env.sim.mech_vel()
    cls = env.sim.mech_cls()
    for a in range(env.num_agents):
        hz = HALF[int(cls[w, a])][2]
        pos[w, a] = (2.0 + 3.7 * a, 2.0, hz)
        vel[w, a] = 0.0


def zero_actions(env: VecEnv) -> torch.Tensor:
    return torch.zeros((env.num_worlds, env.num_agents, env.action_dim))
