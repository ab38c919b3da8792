"""Environment configuration: frozen dataclasses, validated at construction.

Every error names the field and the allowed range, so a typo in a sweep fails at start-up and not
an hour into a run. ``EnvConfig.to_dict`` / ``from_dict`` round-trip through JSON (checkpoints and
league entries store the config they were trained with).

Defaults and ranges are not written here: they come from the core's one list
(``cpp/echelon/config.hpp``, exported as ``echelon._core.config_fields``), so the simulator and
this module cannot disagree; ``core_config`` translates an ``EnvConfig`` into the core's
``SimConfig``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from echelon import _core

# (default, min, max) of each field of the core's config lists, by section.
_SPEC: dict[str, dict[str, tuple[Any, Any, Any]]] = {}
for _section, _name, _kind, _value, _lo, _hi, _meaning in _core.config_fields:
    _SPEC.setdefault(_section, {})[_name] = (_value, _lo, _hi)


def _default(section: str, name: str) -> Any:
    return _SPEC[section][name][0]


def _bounds(section: str, name: str) -> tuple[Any, Any]:
    return _SPEC[section][name][1], _SPEC[section][name][2]


MAP_TYPES = ("procedural", "simple", "empty")
PROCEDURAL_MIN_HEIGHT: int = _core.procedural_min_height
OBSERVATION_MODES = ("full", "partial")
CONTROLLERS = ("external", "heuristic:N")
HEURISTIC_MAX_LEVEL: int = _core.heuristic_max_level


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


def _controller(level: int) -> str:
    return "external" if level < 0 else f"heuristic:{level}"


@dataclass(frozen=True)
class RewardConfig:
    """Reward weights. Defaults follow the reference (zone tick 3.0, approach 1.5).

    ``gamma`` is the discount the approach shaping uses (gamma*Phi(s') - Phi(s)); set it to the
    learner's discount so the shaping leaves the optimal policy unchanged.

    Combat terms (docs/game_rules.md, "Rewards"): ``damage`` pays per point of damage dealt to
    enemies, capped at the victim's remaining HP; ``friendly_damage`` and ``team_kill`` are
    penalties (<= 0 by default) for hurting the own team; ``assist`` is paid once per kill of a
    target the agent painted; ``contested_mult`` scales damage/kill/assist and
    ``contested_death_mult`` the death penalty when the agent started the step in a contested
    zone. ``team_mix`` is alpha in alpha*own + (1-alpha)*team mean. ``win``/``loss`` are paid to
    every agent of the team when the episode ends with a winner (agents that died earlier get
    theirs in ``info["late_terminal"]``, for their death rows).
    """

    zone_tick: float = _default("rewards", "zone_tick")
    approach: float = _default("rewards", "approach")
    gamma: float = _default("rewards", "gamma")
    damage: float = _default("rewards", "damage")
    kill: float = _default("rewards", "kill")
    assist: float = _default("rewards", "assist")
    death: float = _default("rewards", "death")
    friendly_damage: float = _default("rewards", "friendly_damage")
    team_kill: float = _default("rewards", "team_kill")
    contested_mult: float = _default("rewards", "contested_mult")
    contested_death_mult: float = _default("rewards", "contested_death_mult")
    team_mix: float = _default("rewards", "team_mix")
    win: float = _default("rewards", "win")
    loss: float = _default("rewards", "loss")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            _check_range(f"rewards.{f.name}", getattr(self, f.name), *_bounds("rewards", f.name))


@dataclass(frozen=True)
class CombatConfig:
    """Tunable combat rules (docs/game_rules.md has every number and what it does).

    The enable_* switches turn a mechanic off without changing tensor shapes. AMS: one roll per
    missile with probability ``ams_intercept_prob`` by the nearest ready defender, which then
    cools down for ``ams_cooldown_s`` whatever the roll.
    """

    enable_target_selection: bool = _default("combat", "enable_target_selection")
    enable_ewar: bool = _default("combat", "enable_ewar")
    enable_obs_control: bool = _default("combat", "enable_obs_control")
    enable_comm: bool = _default("combat", "enable_comm")
    friendly_splash: bool = _default("combat", "friendly_splash")
    ams_intercept_prob: float = _default("combat", "ams_intercept_prob")
    ams_range: float = _default("combat", "ams_range")
    ams_cooldown_s: float = _default("combat", "ams_cooldown_s")
    paint_seconds: float = _default("combat", "paint_seconds")
    paint_bonus: float = _default("combat", "paint_bonus")
    rear_mult: float = _default("combat", "rear_mult")
    leg_hit_chance: float = _default("combat", "leg_hit_chance")
    knockdown_seconds: float = _default("combat", "knockdown_seconds")
    suppress_seconds: float = _default("combat", "suppress_seconds")
    smoke_cloud_seconds: float = _default("combat", "smoke_cloud_seconds")
    smoke_cloud_radius: float = _default("combat", "smoke_cloud_radius")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(_default("combat", f.name), bool):
                if not isinstance(value, bool):
                    raise ValueError(f"combat.{f.name} must be a bool, got {value!r}")
            else:
                _check_range(f"combat.{f.name}", value, *_bounds("combat", f.name))


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

    map_size: tuple[int, int, int] = (
        _default("sim", "size_x"),
        _default("sim", "size_y"),
        _default("sim", "size_z"),
    )
    packs_per_team: int = _default("sim", "packs_per_team")
    observation: str = "full" if _default("obs", "full_observation") else "partial"
    contact_slots: int = _default("obs", "contact_slots")
    map_type: str = _default("sim", "map_type")
    obstacle_density: float = _default("sim", "obstacle_density")
    dt: float = _default("sim", "dt")
    decision_repeat: int = _default("sim", "decision_repeat")
    max_episode_seconds: float = _default("sim", "max_episode_seconds")
    comm_dim: int = _default("sim", "comm_dim")
    gravity: float = _default("sim", "gravity")
    blue: str = _controller(_default("heuristic", "blue"))
    red: str = _controller(_default("heuristic", "red"))
    heuristic_omniscient: bool = _default("heuristic", "omniscient")
    rewards: RewardConfig = field(default_factory=RewardConfig)
    combat: CombatConfig = field(default_factory=CombatConfig)

    def __post_init__(self) -> None:
        if not isinstance(self.map_size, (tuple, list)) or len(self.map_size) != 3:
            raise ValueError(f"map_size must be a tuple (x, y, z), got {self.map_size!r}")
        object.__setattr__(self, "map_size", tuple(self.map_size))
        x, y, z = self.map_size
        _check_int("map_size[0] (x)", x, *_bounds("sim", "size_x"))
        _check_int("map_size[1] (y)", y, *_bounds("sim", "size_y"))
        _check_int("map_size[2] (z)", z, *_bounds("sim", "size_z"))
        _check_int("packs_per_team", self.packs_per_team, *_bounds("sim", "packs_per_team"))
        _check_choice("observation", self.observation, OBSERVATION_MODES)
        _check_int("contact_slots", self.contact_slots, *_bounds("obs", "contact_slots"))
        _check_choice("map_type", self.map_type, MAP_TYPES)
        if self.map_type == "procedural" and z < PROCEDURAL_MIN_HEIGHT:
            raise ValueError(
                f"map_size[2] (z) must be at least {PROCEDURAL_MIN_HEIGHT} for "
                f"map_type='procedural', got {z} (use map_type='simple' for flatter worlds)"
            )
        _check_range("obstacle_density", self.obstacle_density, *_bounds("sim", "obstacle_density"))
        _check_range("dt", self.dt, *_bounds("sim", "dt"))
        _check_int("decision_repeat", self.decision_repeat, *_bounds("sim", "decision_repeat"))
        _check_range(  # at least one decision long
            "max_episode_seconds",
            self.max_episode_seconds,
            self.dt * self.decision_repeat,
            _bounds("sim", "max_episode_seconds")[1],
        )
        _check_int("comm_dim", self.comm_dim, *_bounds("sim", "comm_dim"))
        _check_range("gravity", self.gravity, *_bounds("sim", "gravity"))
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
        required = _core.required_spawn_clear(self.agents_per_team, min(x, y))
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


# EnvConfig fields that do not share the core's name (the rest of the "sim" list does).
_SIM_SPECIAL = {"size_x", "size_y", "size_z", "map_type"}


def core_config(cfg: EnvConfig) -> Any:
    """The core's ``SimConfig`` for ``cfg``: every field of the core's config lists is set."""
    sc = _core.SimConfig()
    sc.size_x, sc.size_y, sc.size_z = cfg.map_size
    sc.map_type = getattr(_core.MapType, cfg.map_type)
    for name in _SPEC["sim"].keys() - _SIM_SPECIAL:
        setattr(sc, name, getattr(cfg, name))
    rewards = _core.RewardWeights()
    for name in _SPEC["rewards"]:
        setattr(rewards, name, getattr(cfg.rewards, name))
    sc.rewards = rewards
    combat = _core.CombatConfig()
    for name in _SPEC["combat"]:
        setattr(combat, name, getattr(cfg.combat, name))
    sc.combat = combat
    obs = _core.ObsConfig()
    obs.contact_slots = cfg.contact_slots
    obs.full_observation = cfg.observation == "full"
    sc.obs = obs
    sc.heuristic_blue = controller_level("blue", cfg.blue)
    sc.heuristic_red = controller_level("red", cfg.red)
    sc.heuristic_omniscient = cfg.heuristic_omniscient
    return sc
