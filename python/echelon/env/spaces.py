"""Per-agent Gymnasium spaces for Echelon observations and actions.

The observation ``Box`` carries the bounds the observation writer guarantees
(``cpp/echelon/obs_agent.hpp``): one-hots and flags in [0, 1], clamped fractions in [0, 1], heat
over its cap in [0, 2], sines and cosines and clipped rates in [-1, 1]. Features without a fixed
range by construction (positions and velocities, the zone vector, sound intensity, the damage
direction) keep an infinite bound on the open side. Dead agents' all-zero rows lie inside every
bound. docs/observation.md lists the features.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium import spaces

INF = float("inf")
UNIT = (0.0, 1.0)  # flags, one-hots, clamped fractions
SIGNED = (-1.0, 1.0)  # sines, cosines, clipped rates, messages
HEAT = (0.0, 2.0)  # heat / cap, clamped
FREE = (-INF, INF)
NON_NEGATIVE = (0.0, INF)

# Per-feature bounds of the blocks whose features differ (index order of docs/observation.md).
CONTACT_BOUNDS: tuple[tuple[float, float], ...] = (
    *[FREE] * 3,  # relative position / longest side
    *[FREE] * 3,  # relative velocity / 14 (jets and falls have no fixed limit)
    SIGNED,  # sin relative heading
    SIGNED,  # cos relative heading
    UNIT,  # hp fraction
    HEAT,
    UNIT,  # stability fraction
    *[UNIT] * 2,  # knocked down, legged
    *[UNIT] * 3,  # relation one-hot
    *[UNIT] * 4,  # class one-hot
    UNIT,  # painted
    UNIT,  # slot valid
    SIGNED,  # lead pitch, clipped
    SIGNED,  # closing rate, clipped
    UNIT,  # focus target
)
SELF_BOUNDS: tuple[tuple[float, float], ...] = (
    *[UNIT] * 6,  # targeted, hit, painted, shut down, critical heat, hp fraction
    HEAT,
    UNIT,  # heat headroom
    UNIT,  # stability risk
    *[FREE] * 3,  # direction of the last damage (a unit vector, but rounding may pass 1)
    UNIT,  # incoming missile
    UNIT,  # sensor quality / 1.5, clamped
    UNIT,  # jam level
    *[UNIT] * 2,  # ECM, ECCM
    *[UNIT] * 2,  # suppression, AMS cooldown
    *[FREE] * 6,  # velocities, world and own frame
    *[UNIT] * 4,  # weapon cooldowns
    *[UNIT] * 3,  # sort mode one-hot
    UNIT,  # hostile-only filter
    UNIT,  # time fraction
    UNIT,  # leg hp fraction
    *[UNIT] * 2,  # knocked down, legged
    SIGNED,  # cos yaw
    SIGNED,  # sin yaw
    *[FREE] * 3,  # position / map size
)
ZONE_BOUNDS: tuple[tuple[float, float], ...] = (
    *[FREE] * 5,  # vector to the zone centre, world and own frame
    NON_NEGATIVE,  # distance to the zone edge / diagonal
    UNIT,  # radius / longest side, clamped
    UNIT,  # in zone
    *[UNIT] * 2,  # own and enemy zone score / score to win, clamped
    FREE,  # tonnage margin
)
SQUAD_BOUNDS: tuple[tuple[float, float], ...] = (
    SIGNED,  # sin bearing
    SIGNED,  # cos bearing
    NON_NEGATIVE,  # distance / longest side
    UNIT,  # alive
    UNIT,  # hp fraction
    HEAT,
    UNIT,  # stability fraction
    UNIT,  # class / 3
)
FEATURE_BOUNDS: dict[str, tuple[tuple[float, float], ...]] = {
    "contacts": CONTACT_BOUNDS,
    "self": SELF_BOUNDS,
    "zone": ZONE_BOUNDS,
    "squad": SQUAD_BOUNDS,
    "suite": (UNIT,) * 8,
    "panel": (UNIT,) * 8,
}
BLOCK_BOUNDS: dict[str, tuple[float, float]] = {
    "contacts_mask": UNIT,
    "comm": SIGNED,  # pack messages: action slots, clipped to [-1, 1] by the core
    "local_map": UNIT,
    "telemetry": UNIT,
    "acoustic": NON_NEGATIVE,
    "hull": UNIT,
    "squad_mask": UNIT,
}


def observation_bounds(obs_dim: int, layout: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)`` float32 arrays of ``obs_dim`` from the layout's named blocks.

    A block this table does not know, or whose feature count differs from it, stays unbounded,
    so a new block can never be declared tighter than what the writer produces.
    """
    low = np.full(obs_dim, -np.inf, dtype=np.float32)
    high = np.full(obs_dim, np.inf, dtype=np.float32)
    for name, block in layout.items():
        region, shape = block.slice, tuple(block.shape)
        if name in BLOCK_BOUNDS:
            low[region], high[region] = BLOCK_BOUNDS[name]
        elif name in FEATURE_BOUNDS and shape and shape[-1] == len(FEATURE_BOUNDS[name]):
            features = np.array(FEATURE_BOUNDS[name], dtype=np.float32)  # [F, 2]
            rows = int(np.prod(shape[:-1], dtype=np.int64))
            low[region] = np.tile(features[:, 0], rows)
            high[region] = np.tile(features[:, 1], rows)
    return low, high


def observation_space(obs_dim: int, layout: Mapping[str, Any] | None = None) -> spaces.Box:
    """One agent's observation: float32 features with the bounds the writer guarantees."""
    if layout is None:
        return spaces.Box(low=-np.inf, high=np.inf, shape=(obs_dim,), dtype=np.float32)
    low, high = observation_bounds(obs_dim, layout)
    return spaces.Box(low=low, high=high, dtype=np.float32)


def action_space(action_dim: int) -> spaces.Box:
    """Every action slot is a float in [-1, 1]; triggers fire when their slot is > 0."""
    return spaces.Box(low=-1.0, high=1.0, shape=(action_dim,), dtype=np.float32)
