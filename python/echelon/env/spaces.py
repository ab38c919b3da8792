"""Per-agent Gymnasium spaces for Echelon observations and actions."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces


def observation_space(obs_dim: int) -> spaces.Box:
    """Observations are finite float32 features; most lie in [-1, 1] but none is clipped."""
    return spaces.Box(low=-np.inf, high=np.inf, shape=(obs_dim,), dtype=np.float32)


def action_space(action_dim: int) -> spaces.Box:
    """Every action slot is a float in [-1, 1]; triggers fire when their slot is > 0."""
    return spaces.Box(low=-1.0, high=1.0, shape=(action_dim,), dtype=np.float32)
