"""Output buffers for a bare ``echelon._core.BatchSim`` as numpy arrays (tools and tests that
drive the core without ``VecEnv`` or torch)."""

from __future__ import annotations

from typing import Any

import numpy as np

from echelon import _core


def bind_numpy_buffers(sim: Any) -> tuple[np.ndarray, ...]:
    """Allocates and binds obs, final_obs, reward, terminated, truncated, alive, episode_end,
    winner and episode_stats (the order of ``BatchSim.bind``); returns them in that order."""
    w, a, d = sim.num_worlds, sim.num_agents, sim.obs_dim
    bufs = (
        np.zeros((w, a, d), np.float32),
        np.zeros((w, a, d), np.float32),
        np.zeros((w, a), np.float32),
        np.zeros((w, a), bool),
        np.zeros((w, a), bool),
        np.zeros((w, a), bool),
        np.zeros(w, bool),
        np.zeros(w, np.int8),
        np.zeros((w, len(_core.episode_stat_names)), np.float32),
    )
    sim.bind(*bufs)
    return bufs
