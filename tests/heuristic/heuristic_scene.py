"""A hand-built scene for heuristic tests: one world, flat ground, chosen mechs alive.

Agent indices with one pack per team: blue 0 heavy, 1-2 medium, 3 light, 4 scout; red 5 heavy,
6-7 medium, 8 light, 9 scout. Mechs not in ``keep`` are removed (alive = 0, parked below the map).
The red team is external and idle (zero rows) unless ``red`` says otherwise, so it is a target.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from echelon import EnvConfig, VecEnv
from echelon.config import RewardConfig

HEAVY, MEDIUM, LIGHT, SCOUT = 0, 1, 3, 4
RED = 5
HALF_Z = {0: 2.0, 1: 1.5, 2: 1.5, 3: 1.0, 4: 0.9}
SOLID = 1


class HeuristicScene:
    def __init__(
        self,
        keep: tuple[int, ...],
        blue: str,
        red: str = "external",
        size: tuple[int, int, int] = (48, 48, 12),
        omniscient: bool = False,
    ) -> None:
        cfg = EnvConfig(
            map_size=size,
            map_type="empty",
            blue=blue,
            red=red,
            heuristic_omniscient=omniscient,
            max_episode_seconds=600.0,
            rewards=RewardConfig(zone_tick=0.0, approach=0.0),
        )
        self.env = VecEnv(cfg, num_worlds=1, seed=0, num_threads=1)
        self.env.reset()
        self.sim = self.env.sim
        self.size = size
        vox = np.zeros((size[2], size[1], size[0]), np.uint8)
        vox[0] = 6  # dirt ground layer
        self.sim.set_voxels(0, vox)
        self.pos = self.sim.mech_pos()[0]
        self.vel = self.sim.mech_vel()[0]
        self.yaw = self.sim.mech_yaw()[0]
        self.heat = self.sim.mech_heat()[0]
        self.hp = self.sim.mech_hp()[0]
        self.alive = self.sim.mech_alive()[0]
        for i in range(self.env.num_agents):
            if i not in keep:
                self.alive[i] = 0
                self.pos[i] = (1.0 + (i % 5) * 0.1, 1.0, -50.0)
        self.actions = torch.zeros((1, self.env.num_agents, self.env.action_dim))
        self.events: list[list[dict[str, Any]]] = []
        self.info: dict[str, Any] = {}
        self.dummies: tuple[int, ...] = ()  # agents healed after every step (training targets)

    def place(self, agent: int, x: float, y: float, yaw: float = 0.0) -> None:
        self.pos[agent] = (x, y, HALF_Z[agent % 5])
        self.vel[agent] = (0.0, 0.0, 0.0)
        self.yaw[agent] = yaw

    def zone(self, x: float, y: float, r: float = 2.0) -> None:
        self.sim.set_zone(0, x, y, r)

    def wall_y(self, y: int, x0: int, x1: int, z1: int | None = None) -> None:
        """A SOLID wall on row y for x in [x0, x1), from the ground to z1 (default: the top)."""
        for x in range(x0, x1):
            for z in range(0, self.size[2] if z1 is None else z1):
                self.sim.set_voxel(0, x, y, z, SOLID)

    def step(self, n: int = 1) -> None:
        for _ in range(n):
            _, _, _, _, info = self.env.step(self.actions)
            self.info = info
            self.events.append(self.sim.events(0))
            for d in self.dummies:
                self.hp[d] = 200.0 if d % 5 == 0 else self.hp[d]
            assert not bool(info["episode_end"][0]), "the scene's episode ended unexpectedly"

    def rows(self) -> np.ndarray:
        return np.array(self.sim.last_actions(0))

    def all_events(self, kind: str) -> list[tuple[int, dict[str, Any]]]:
        return [(k, e) for k, evs in enumerate(self.events) for e in evs if e["type"] == kind]
