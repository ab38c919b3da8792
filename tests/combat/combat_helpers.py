"""A hand-built combat scene: one world, flat empty ground, mechs placed and switched on by hand.

Agent indices with one pack per team: blue 0 heavy, 1-2 medium, 3 light, 4 scout; red 5 heavy,
6-7 medium, 8 light, 9 scout. Mechs not named in ``Scene.keep`` are removed (alive = 0) so they
neither fight nor block. Rewards default to combat terms only (no zone, no approach shaping) so
each test sees exactly the term it checks.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import torch

from echelon import EnvConfig, VecEnv
from echelon.config import CombatConfig, RewardConfig

HEAVY, MEDIUM, LIGHT, SCOUT = 0, 1, 3, 4  # blue indices; red = blue + 5 (one pack per team)
RED = 5
HALF_Z = {0: 2.0, 1: 1.5, 2: 1.5, 3: 1.0, 4: 0.9}
HP = {0: 200.0, 1: 150.0, 2: 150.0, 3: 80.0, 4: 60.0}


def half_z(agent: int) -> float:
    return HALF_Z[agent % 5]


class Scene:
    def __init__(
        self,
        keep: tuple[int, ...],
        size: tuple[int, int, int] = (40, 40, 12),
        decision_repeat: int = 1,
        packs: int = 1,
        combat: dict[str, Any] | None = None,
        rewards: dict[str, Any] | None = None,
        max_episode_seconds: float = 600.0,
    ) -> None:
        rw = {"zone_tick": 0.0, "approach": 0.0, **(rewards or {})}
        cb = {"leg_hit_chance": 0.0, **(combat or {})}
        cfg = EnvConfig(
            map_size=size,
            map_type="empty",
            packs_per_team=packs,
            decision_repeat=decision_repeat,
            max_episode_seconds=max_episode_seconds,
            rewards=RewardConfig(**rw),
            combat=CombatConfig(**cb),
        )
        self.env = VecEnv(cfg, num_worlds=1, seed=0, num_threads=1)
        self.env.reset()
        self.sim = self.env.sim
        self.size = size
        vox = np.zeros((size[2], size[1], size[0]), np.uint8)
        vox[0] = 6  # dirt ground layer
        self.sim.set_voxels(0, vox)
        self.sim.set_zone(0, size[0] - 2.0, 2.0, 1.0)  # out of everyone's way
        self.pos = self.sim.mech_pos()[0]
        self.vel = self.sim.mech_vel()[0]
        self.yaw = self.sim.mech_yaw()[0]
        self.hp = self.sim.mech_hp()[0]
        self.leg_hp = self.sim.mech_leg_hp()[0]
        self.heat = self.sim.mech_heat()[0]
        self.stability = self.sim.mech_stability()[0]
        self.alive = self.sim.mech_alive()[0]
        self.fallen = self.sim.mech_state("fallen_ticks")[0]
        self.state = lambda name: self.sim.mech_state(name)[0]
        n = self.env.num_agents
        for i in range(n):
            if i not in keep:
                self.alive[i] = 0
                self.pos[i] = (1.0 + (i % 5) * 0.1, 1.0, -50.0)  # parked, dead, out of the way
        self.actions = torch.zeros((1, n, self.env.action_dim))
        self.last: tuple[Any, ...] = ()

    def place(
        self, agent: int, x: float, y: float, yaw: float = 0.0, z: float | None = None
    ) -> None:
        self.pos[agent] = (x, y, half_z(agent) if z is None else z)
        self.vel[agent] = (0.0, 0.0, 0.0)
        self.yaw[agent] = yaw

    def set(self, agent: int, **channels: float) -> None:
        """Action channels by name (env.action_layout), e.g. ``primary=1.0, forward=0.5``."""
        for k, v in channels.items():
            self.actions[0, agent, self.env.action_layout.index(k)] = v

    def clear_actions(self) -> None:
        self.actions.zero_()

    def step(self, n: int = 1) -> tuple[Any, ...]:
        for _ in range(n):
            obs, rew, term, trunc, info = self.env.step(self.actions)
            self.last = (
                obs.clone(),
                rew.clone(),
                term.clone(),
                trunc.clone(),
                {k: (v.clone() if isinstance(v, torch.Tensor) else v) for k, v in info.items()},
            )
        return self.last

    def reward(self, agent: int) -> float:
        return float(self.last[1][0, agent])

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        ev = self.sim.events(0)
        return [e for e in ev if kind is None or e["type"] == kind]

    def wall_x(
        self, x: int, material: int = 1, y0: int = 0, y1: int | None = None, z1: int | None = None
    ) -> None:
        """A wall filling column x (every y in [y0, y1), z in [1, z1)) with `material`."""
        y1 = self.size[1] if y1 is None else y1
        z1 = self.size[2] if z1 is None else z1
        for y in range(y0, y1):
            for z in range(0, z1):
                self.sim.set_voxel(0, x, y, z, material)

    def stats(self) -> dict[str, float]:
        info = self.last[4]
        return dict(
            zip(self.env.episode_stat_names, info["episode_stats"][0].tolist(), strict=True)
        )


def facing(ax: float, ay: float, bx: float, by: float) -> float:
    return math.atan2(by - ay, bx - ax)


def combat_config(**kw: Any) -> CombatConfig:
    return dataclasses.replace(CombatConfig(), **kw)
