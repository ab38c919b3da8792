"""Environment configuration: frozen dataclasses, validated at construction.

Every error names the field and the allowed range, so a typo in a sweep fails at start-up and not
an hour into a run. ``EnvConfig.to_dict`` / ``from_dict`` round-trip through JSON (checkpoints and
league entries store the config they were trained with).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

MAP_TYPES = ("simple", "empty")
OBSERVATION_MODES = ("full", "partial")
CONTROLLERS = ("external",)


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number in [{lo}, {hi}], got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")


def _check_int(name: str, value: int, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")


def required_spawn_square(agents_per_team: int, min_side: int) -> int:
    """Side of a team's cleared spawn square; mirrors cpp/echelon/spawn.cpp (pitch 4, margin 2)."""
    room = 0.5 * min_side - 2.0 - 3.5 - 1.0
    cols = max(1, min(5, agents_per_team, math.floor(room / 4.0) + 1))
    rows = -(-agents_per_team // cols)
    need = max(2.0 + (cols - 1) * 4.0 + 3.5, 2.0 + (rows - 1) * 4.0 + 3.5)
    return math.ceil(need + 1.0)


@dataclass(frozen=True)
class RewardConfig:
    """Reward weights. Defaults follow the reference (zone tick 3.0, approach 1.5).

    ``gamma`` is the discount the approach shaping uses (gamma*Phi(s') - Phi(s)); set it to the
    learner's discount so the shaping leaves the optimal policy unchanged.
    """

    zone_tick: float = 3.0
    approach: float = 1.5
    gamma: float = 0.99

    def __post_init__(self) -> None:
        _check_range("rewards.zone_tick", self.zone_tick, -100.0, 100.0)
        _check_range("rewards.approach", self.approach, -100.0, 100.0)
        _check_range("rewards.gamma", self.gamma, 0.0, 1.0)


@dataclass(frozen=True)
class EnvConfig:
    """Everything that defines a batch of Echelon worlds.

    map_size: (x, y, z) voxels; x and y in [16, 512], z in [6, 64].
    packs_per_team: packs of five mechs (heavy, 2 medium, light, scout) per team, 1..8.
    observation: "full" or "partial". The current observation (self and zone blocks) is the same
        in both modes; partial sensing applies to the contact blocks of the observation issue.
    map_type: "simple" (flat ground, random blocks and hazard pads) or "empty" (flat ground).
    blue / red: team controllers; "external" means the caller supplies that team's action rows.
    """

    map_size: tuple[int, int, int] = (100, 100, 20)
    packs_per_team: int = 1
    observation: str = "full"
    map_type: str = "simple"
    obstacle_density: float = 0.08
    dt: float = 0.05
    decision_repeat: int = 5
    max_episode_seconds: float = 60.0
    comm_dim: int = 8
    gravity: float = 9.81
    blue: str = "external"
    red: str = "external"
    rewards: RewardConfig = field(default_factory=RewardConfig)

    def __post_init__(self) -> None:
        if not isinstance(self.map_size, (tuple, list)) or len(self.map_size) != 3:
            raise ValueError(f"map_size must be a tuple (x, y, z), got {self.map_size!r}")
        object.__setattr__(self, "map_size", tuple(self.map_size))
        x, y, z = self.map_size
        _check_int("map_size[0] (x)", x, 16, 512)
        _check_int("map_size[1] (y)", y, 16, 512)
        _check_int("map_size[2] (z)", z, 6, 64)
        _check_int("packs_per_team", self.packs_per_team, 1, 8)
        _check_choice("observation", self.observation, OBSERVATION_MODES)
        _check_choice("map_type", self.map_type, MAP_TYPES)
        _check_range("obstacle_density", self.obstacle_density, 0.0, 0.5)
        _check_range("dt", self.dt, 0.001, 0.5)
        _check_int("decision_repeat", self.decision_repeat, 1, 100)
        _check_range("max_episode_seconds", self.max_episode_seconds, self.dt * self.decision_repeat, 3600.0)
        _check_int("comm_dim", self.comm_dim, 0, 64)
        _check_range("gravity", self.gravity, 0.0, 100.0)
        for team in ("blue", "red"):
            value = getattr(self, team)
            if value not in CONTROLLERS:
                raise ValueError(
                    f"{team} must be one of {list(CONTROLLERS)}, got {value!r} "
                    "(the core heuristic opponent, 'heuristic:N', is not built yet)"
                )
        if isinstance(self.rewards, dict):
            object.__setattr__(self, "rewards", RewardConfig(**self.rewards))
        if not isinstance(self.rewards, RewardConfig):
            raise ValueError(f"rewards must be a RewardConfig, got {type(self.rewards).__name__}")
        required = required_spawn_square(self.agents_per_team, min(x, y))
        if required > min(x, y) // 2:
            raise ValueError(
                f"map_size {self.map_size} is too small for packs_per_team={self.packs_per_team}: "
                f"each team needs a {required}-voxel spawn square, at most half the shorter side"
            )

    @property
    def agents_per_team(self) -> int:
        return 5 * self.packs_per_team

    @property
    def num_agents(self) -> int:
        return 2 * self.agents_per_team

    @property
    def max_steps(self) -> int:
        return math.ceil(self.max_episode_seconds / (self.dt * self.decision_repeat) - 1e-6)

    def replace(self, **changes: Any) -> EnvConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["map_size"] = list(self.map_size)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnvConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown EnvConfig fields: {sorted(unknown)}")
        data = dict(data)
        if "rewards" in data and isinstance(data["rewards"], dict):
            data["rewards"] = RewardConfig(**data["rewards"])
        if "map_size" in data:
            data["map_size"] = tuple(data["map_size"])
        return cls(**data)
