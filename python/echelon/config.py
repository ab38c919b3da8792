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

MAP_TYPES = ("procedural", "simple", "empty")
PROCEDURAL_MIN_HEIGHT = 8  # mirrors terrain::kMinProceduralHeight
OBSERVATION_MODES = ("full", "partial")
CONTROLLERS = ("external", "heuristic:N")
HEURISTIC_MAX_LEVEL = 4  # mirrors kHeuristicMaxLevel (cpp/echelon/config.hpp)


def controller_level(name: str, value: object) -> int:
    """-1 for "external", N for "heuristic:N" (N in 0..4); anything else is a clear error."""
    if value == "external":
        return -1
    if isinstance(value, str) and value.startswith("heuristic:"):
        level = value.split(":", 1)[1]
        if level.isdigit() and 0 <= int(level) <= HEURISTIC_MAX_LEVEL:
            return int(level)
    raise ValueError(
        f"{name} must be 'external' or 'heuristic:N' with N in [0, {HEURISTIC_MAX_LEVEL}], "
        f"got {value!r}"
    )


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

    Combat terms follow SPEC §4 (docs/game_rules.md): ``damage`` pays per point of damage dealt to
    enemies, capped at the victim's remaining HP; ``friendly_damage`` and ``team_kill`` are
    penalties (<= 0 by default) for hurting the own team; ``assist`` is paid once per kill of a
    target the agent painted; ``contested_mult`` scales damage/kill/assist and
    ``contested_death_mult`` the death penalty when the agent started the step in a contested
    zone. ``team_mix`` is alpha in alpha*own + (1-alpha)*team mean. ``win``/``loss`` are paid to
    every agent of the team when the episode ends with a winner (agents that died earlier get
    theirs through ``BatchSim.late_terminal_rewards``).
    """

    zone_tick: float = 3.0
    approach: float = 1.5
    gamma: float = 0.99
    damage: float = 0.05
    kill: float = 10.0
    assist: float = 5.0
    death: float = -1.0
    friendly_damage: float = -0.05
    team_kill: float = -10.0
    contested_mult: float = 2.0
    contested_death_mult: float = 0.5
    team_mix: float = 1.0
    win: float = 0.0
    loss: float = 0.0

    def __post_init__(self) -> None:
        _check_range("rewards.zone_tick", self.zone_tick, -100.0, 100.0)
        _check_range("rewards.approach", self.approach, -100.0, 100.0)
        _check_range("rewards.gamma", self.gamma, 0.0, 1.0)
        for name in (
            "damage",
            "kill",
            "assist",
            "death",
            "friendly_damage",
            "team_kill",
            "win",
            "loss",
        ):
            _check_range(f"rewards.{name}", getattr(self, name), -1000.0, 1000.0)
        _check_range("rewards.contested_mult", self.contested_mult, 0.0, 100.0)
        _check_range("rewards.contested_death_mult", self.contested_death_mult, 0.0, 100.0)
        _check_range("rewards.team_mix", self.team_mix, 0.0, 1.0)


@dataclass(frozen=True)
class CombatConfig:
    """Tunable combat rules (docs/game_rules.md has every number and what it does).

    The enable_* switches turn a mechanic off without changing tensor shapes. AMS: one roll per
    missile with probability ``ams_intercept_prob`` by the nearest ready defender, which then
    cools down for ``ams_cooldown_s`` whatever the roll.
    """

    enable_target_selection: bool = True
    enable_ewar: bool = True
    enable_obs_control: bool = True
    enable_comm: bool = True
    friendly_splash: bool = True
    ams_intercept_prob: float = 0.5
    ams_range: float = 5.5
    ams_cooldown_s: float = 1.0
    paint_seconds: float = 5.0
    paint_bonus: float = 1.10
    rear_mult: float = 1.5
    leg_hit_chance: float = 0.10
    knockdown_seconds: float = 3.0
    suppress_seconds: float = 1.2
    smoke_cloud_seconds: float = 10.0
    smoke_cloud_radius: float = 4.0

    def __post_init__(self) -> None:
        for name in (
            "enable_target_selection",
            "enable_ewar",
            "enable_obs_control",
            "enable_comm",
            "friendly_splash",
        ):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"combat.{name} must be a bool, got {getattr(self, name)!r}")
        _check_range("combat.ams_intercept_prob", self.ams_intercept_prob, 0.0, 1.0)
        _check_range("combat.ams_range", self.ams_range, 0.0, 100.0)
        _check_range("combat.ams_cooldown_s", self.ams_cooldown_s, 0.0, 60.0)
        _check_range("combat.paint_seconds", self.paint_seconds, 0.0, 60.0)
        _check_range("combat.paint_bonus", self.paint_bonus, 0.0, 10.0)
        _check_range("combat.rear_mult", self.rear_mult, 0.0, 10.0)
        _check_range("combat.leg_hit_chance", self.leg_hit_chance, 0.0, 1.0)
        _check_range("combat.knockdown_seconds", self.knockdown_seconds, 0.0, 60.0)
        _check_range("combat.suppress_seconds", self.suppress_seconds, 0.0, 60.0)
        _check_range("combat.smoke_cloud_seconds", self.smoke_cloud_seconds, 0.0, 600.0)
        _check_range("combat.smoke_cloud_radius", self.smoke_cloud_radius, 0.0, 50.0)


@dataclass(frozen=True)
class EnvConfig:
    """Everything that defines a batch of Echelon worlds.

    map_size: (x, y, z) voxels; x and y in [16, 512], z in [6, 64].
    packs_per_team: packs of five mechs (heavy, 2 medium, light, scout) per team, 1..8.
    observation: "full" (every living mech is a contact candidate) or "partial" (the sensor
        rules: radar 14 x sensor quality, pack paint, hot or emitting hostiles, line of sight
        through terrain and smoke).
    contact_slots: K contact rows in the observation, 1..20.
    map_type: "procedural" (default: four biome quadrants, corridors, a fair zone, connectivity
        guaranteed for every class; needs a height of at least 8), "simple" (flat ground, random
        blocks and hazard pads) or "empty" (flat ground); the last two suit tests and curricula.
    blue / red: team controllers; "external" means the caller supplies that team's action rows,
        "heuristic:N" (N = 0..4, docs/heuristic.md) that the core's scripted opponent drives it
        (the caller's rows for that team are ignored).
    heuristic_omniscient: the heuristic knows every enemy's position; by default it knows only
        what its team sees (line of sight) or painted, plus a few seconds of memory.
    """

    map_size: tuple[int, int, int] = (100, 100, 20)
    packs_per_team: int = 1
    observation: str = "full"
    contact_slots: int = 5
    map_type: str = "procedural"
    obstacle_density: float = 0.08
    dt: float = 0.05
    decision_repeat: int = 5
    max_episode_seconds: float = 60.0
    comm_dim: int = 8
    gravity: float = 9.81
    blue: str = "external"
    red: str = "external"
    heuristic_omniscient: bool = False
    rewards: RewardConfig = field(default_factory=RewardConfig)
    combat: CombatConfig = field(default_factory=CombatConfig)

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
        _check_int("contact_slots", self.contact_slots, 1, 20)
        _check_choice("map_type", self.map_type, MAP_TYPES)
        if self.map_type == "procedural" and z < PROCEDURAL_MIN_HEIGHT:
            raise ValueError(
                f"map_size[2] (z) must be at least {PROCEDURAL_MIN_HEIGHT} for "
                f"map_type='procedural', got {z} (use map_type='simple' for flatter worlds)"
            )
        _check_range("obstacle_density", self.obstacle_density, 0.0, 0.5)
        _check_range("dt", self.dt, 0.001, 0.5)
        _check_int("decision_repeat", self.decision_repeat, 1, 100)
        _check_range(
            "max_episode_seconds", self.max_episode_seconds, self.dt * self.decision_repeat, 3600.0
        )
        _check_int("comm_dim", self.comm_dim, 0, 64)
        _check_range("gravity", self.gravity, 0.0, 100.0)
        for team in ("blue", "red"):
            controller_level(team, getattr(self, team))
        if not isinstance(self.heuristic_omniscient, bool):
            raise ValueError(
                f"heuristic_omniscient must be a bool, got {self.heuristic_omniscient!r}"
            )
        if isinstance(self.rewards, dict):
            object.__setattr__(self, "rewards", RewardConfig(**self.rewards))
        if not isinstance(self.rewards, RewardConfig):
            raise ValueError(f"rewards must be a RewardConfig, got {type(self.rewards).__name__}")
        if isinstance(self.combat, dict):
            object.__setattr__(self, "combat", CombatConfig(**self.combat))
        if not isinstance(self.combat, CombatConfig):
            raise ValueError(f"combat must be a CombatConfig, got {type(self.combat).__name__}")
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
        for name, section in (("rewards", RewardConfig), ("combat", CombatConfig)):
            if isinstance(data.get(name), dict):
                fields = {f.name for f in dataclasses.fields(section)}
                unknown_fields = sorted(set(data[name]) - fields)
                if unknown_fields:
                    raise ValueError(
                        f"unknown {name} fields {unknown_fields}; known: {sorted(fields)}"
                    )
                data[name] = section(**data[name])
        if "map_size" in data:
            if not isinstance(data["map_size"], (list, tuple)):
                raise ValueError(
                    f"map_size must be three integers [x, y, z], got {data['map_size']!r}"
                )
            data["map_size"] = tuple(data["map_size"])
        return cls(**data)
