"""Movement physics against hand-computed values, and collision invariants over random play."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from echelon import EnvConfig, VecEnv
from helpers import (
    HALF,
    JET,
    MAX_SPEED,
    SCOUT,
    YAW_RATE,
    clear_world,
    empty_env,
    park_all,
    zero_actions,
)

DT, G, DAMP, REPEAT = 0.05, 9.81, 0.98, 5
BLUE_SCOUT, BLUE_MEDIUM, RED_SCOUT = 4, 1, 9
SOLID, WATER = 1, 3


def scene(size: tuple[int, int, int] = (40, 40, 12)):  # type: ignore[no-untyped-def]
    env = empty_env(size)
    clear_world(env)
    park_all(env)
    return env


def place(
    env: VecEnv, agent: int, x: float, y: float, yaw: float = 0.0, z: float | None = None
) -> None:
    cls = int(env.sim.mech_cls()[0, agent])
    env.sim.mech_pos()[0, agent] = (x, y, HALF[cls][2] if z is None else z)
    env.sim.mech_yaw()[0, agent] = yaw
    env.sim.mech_vel()[0, agent] = 0.0


def step_with(env: VecEnv, agent: int, **channels: float) -> None:
    """One step with the named movement channels of one agent set (env.action_layout)."""
    a = zero_actions(env)
    for k, v in channels.items():
        a[0, agent, env.action_layout.index(k)] = v
    env.step(a)


def test_scout_walks_forward_at_damped_top_speed() -> None:
    env = scene()
    place(env, BLUE_SCOUT, 20.0, 20.0)
    step_with(env, BLUE_SCOUT, forward=1.0)
    pos, vel = env.sim.mech_pos()[0, BLUE_SCOUT], env.sim.mech_vel()[0, BLUE_SCOUT]
    per_substep = MAX_SPEED[SCOUT] * DAMP * DT  # horizontal velocity is set, then damped
    assert pos[0] == pytest.approx(20.0 + REPEAT * per_substep, abs=1e-5)
    assert pos[1] == pytest.approx(20.0, abs=1e-6)
    assert pos[2] == pytest.approx(HALF[SCOUT][2], abs=1e-6)  # grounded: the floor zeroes vz
    assert vel[0] == pytest.approx(MAX_SPEED[SCOUT] * DAMP, rel=1e-6) and vel[2] == 0.0


def test_rotation_then_movement_each_substep() -> None:
    env = scene()
    place(env, BLUE_SCOUT, 20.0, 20.0)
    step_with(env, BLUE_SCOUT, forward=1.0, yaw_rate=1.0)
    yaw, x, y = 0.0, 20.0, 20.0
    for _ in range(REPEAT):
        yaw += YAW_RATE[SCOUT] * DT
        x += math.cos(yaw) * MAX_SPEED[SCOUT] * DAMP * DT
        y += math.sin(yaw) * MAX_SPEED[SCOUT] * DAMP * DT
    assert env.sim.mech_yaw()[0, BLUE_SCOUT] == pytest.approx(yaw, abs=1e-5)
    assert env.sim.mech_pos()[0, BLUE_SCOUT][:2] == pytest.approx([x, y], abs=1e-4)


def test_strafe_is_left_and_diagonals_are_normalised() -> None:
    env = scene()
    place(env, BLUE_SCOUT, 20.0, 20.0)
    step_with(env, BLUE_SCOUT, strafe=1.0)
    assert env.sim.mech_pos()[0, BLUE_SCOUT][:2] == pytest.approx(
        [20.0, 20.0 + REPEAT * 6.86 * DT], abs=1e-5
    )
    place(env, BLUE_SCOUT, 20.0, 20.0)
    step_with(env, BLUE_SCOUT, forward=1.0, strafe=1.0)
    d = env.sim.mech_pos()[0, BLUE_SCOUT][:2] - np.array([20.0, 20.0])
    assert np.hypot(*d) == pytest.approx(REPEAT * 6.86 * DT, abs=1e-5)  # no sqrt(2) boost


def test_jump_jets_integrate_vertical_velocity() -> None:
    env = scene()
    place(env, BLUE_SCOUT, 20.0, 20.0)
    step_with(env, BLUE_SCOUT, vertical=1.0)
    z, vz = HALF[SCOUT][2], 0.0
    for _ in range(REPEAT):
        vz = (vz + (JET[SCOUT] - G) * DT) * DAMP
        z += vz * DT
    assert env.sim.mech_pos()[0, BLUE_SCOUT][2] == pytest.approx(z, abs=1e-5)
    assert env.sim.mech_vel()[0, BLUE_SCOUT][2] == pytest.approx(vz, abs=1e-5)


def test_world_ceiling_stops_jump_jets() -> None:
    env = scene((40, 40, 10))
    place(env, BLUE_SCOUT, 20.0, 20.0)
    for _ in range(60):
        step_with(env, BLUE_SCOUT, vertical=1.0)
    z = env.sim.mech_pos()[0, BLUE_SCOUT][2]
    assert z == pytest.approx(10 - HALF[SCOUT][2])
    assert env.sim.mech_vel()[0, BLUE_SCOUT][2] <= 0.0


def test_two_voxel_wall_blocks_and_one_voxel_ledge_is_climbed() -> None:
    env = scene()
    vox = np.zeros((12, 40, 40), np.uint8)
    vox[0:2, :, 23] = SOLID  # a wall two voxels high at x = 23
    env.sim.set_voxels(0, vox)
    place(env, BLUE_MEDIUM, 20.0, 20.0)
    for _ in range(10):
        step_with(env, BLUE_MEDIUM, forward=1.0)
    x = env.sim.mech_pos()[0, BLUE_MEDIUM][0]
    assert 23.0 - 1.25 - 5.39 * DT <= x <= 23.0 - 1.25
    assert env.sim.mech_vel()[0, BLUE_MEDIUM][0] == 0.0

    vox[:] = 0
    vox[0, :, 23:39] = SOLID  # a one-voxel ledge
    env.sim.set_voxels(0, vox)
    place(env, BLUE_MEDIUM, 20.0, 20.0)
    for _ in range(10):
        step_with(env, BLUE_MEDIUM, forward=1.0)
    x, _, z = env.sim.mech_pos()[0, BLUE_MEDIUM]
    assert x > 24.0
    assert (
        1.0 + 1.5 <= z <= 1.0 + 1.5 + 0.03
    )  # standing on the ledge (at most one substep of hover)


def test_water_and_legs_slow_the_mech() -> None:
    env = scene()
    vox = np.zeros((12, 40, 40), np.uint8)
    vox[0] = WATER
    env.sim.set_voxels(0, vox)
    place(env, BLUE_SCOUT, 20.0, 20.0)
    step_with(env, BLUE_SCOUT, forward=1.0)
    assert env.sim.mech_pos()[0, BLUE_SCOUT][0] == pytest.approx(
        20.0 + REPEAT * 6.86 * 0.6 * DT, abs=1e-5
    )
    clear_world(env)
    place(env, BLUE_SCOUT, 20.0, 20.0)
    env.sim.mech_leg_hp()[0, BLUE_SCOUT] = 0.0
    step_with(env, BLUE_SCOUT, forward=1.0)
    assert env.sim.mech_pos()[0, BLUE_SCOUT][0] == pytest.approx(
        20.0 + REPEAT * 6.86 * 0.4 * DT, abs=1e-5
    )


def test_shut_down_mech_coasts_without_control() -> None:
    env = scene()
    place(env, BLUE_SCOUT, 20.0, 20.0)
    env.sim.mech_heat()[0, BLUE_SCOUT] = 200.0  # far above the scout's cap of 75
    env.sim.mech_vel()[0, BLUE_SCOUT] = (5.0, 0.0, 0.0)
    step_with(env, BLUE_SCOUT, forward=-1.0, yaw_rate=1.0)
    vx, x = 5.0, 20.0
    for _ in range(REPEAT):
        vx *= DAMP
        x += vx * DT
    assert env.sim.mech_pos()[0, BLUE_SCOUT][0] == pytest.approx(x, abs=1e-5)
    assert env.sim.mech_vel()[0, BLUE_SCOUT][0] == pytest.approx(vx, abs=1e-5)
    assert env.sim.mech_yaw()[0, BLUE_SCOUT] == 0.0


def test_mechs_never_pass_through_each_other() -> None:
    env = scene()
    place(env, BLUE_SCOUT, 20.0, 20.0, yaw=0.0)
    place(env, RED_SCOUT, 23.0, 20.3, yaw=math.pi)
    a = zero_actions(env)
    forward = env.action_layout.index("forward")
    a[0, BLUE_SCOUT, forward] = 1.0
    a[0, RED_SCOUT, forward] = 1.0
    for _ in range(10):
        env.step(a)
        p = env.sim.mech_pos()[0]
        assert abs(p[BLUE_SCOUT, 0] - p[RED_SCOUT, 0]) >= 1.2 - 1e-5
    assert p[BLUE_SCOUT, 0] < p[RED_SCOUT, 0]


def _boxes(env: VecEnv) -> tuple[np.ndarray, np.ndarray]:
    half = np.array([HALF[c] for c in range(4)], np.float32)[env.sim.mech_cls()]
    pos = env.sim.mech_pos()
    return pos - half, pos + half


def test_no_mech_inside_a_blocking_voxel_or_another_mech_over_random_play() -> None:
    cfg = EnvConfig(
        map_size=(48, 48, 10), decision_repeat=1, max_episode_seconds=10.0, obstacle_density=0.2
    )
    env = VecEnv(cfg, num_worlds=128, seed=3, num_threads=2)
    env.reset()
    gen = torch.Generator().manual_seed(0)
    collides = np.zeros(256, bool)
    collides[[1, 4, 5, 7, 8]] = True
    eps = 1e-4
    for step in range(160):
        a = torch.rand((env.num_worlds, env.num_agents, env.action_dim), generator=gen) * 2 - 1
        env.step(a)
        lo, hi = _boxes(env)
        alive = env.sim.mech_alive().astype(bool)
        assert (lo[..., 2] >= -eps).all() and (hi[..., 2] <= 10 + eps).all()
        for w in range(0, env.num_worlds, 3 if step % 2 else 1):
            vox = env.sim.voxels(w)
            for i in np.flatnonzero(alive[w]):
                x0, y0, z0 = np.floor(lo[w, i] + eps).astype(int)
                x1, y1, z1 = np.ceil(hi[w, i] - eps).astype(int)
                block = vox[max(z0, 0) : z1, max(y0, 0) : y1, max(x0, 0) : x1]
                assert not collides[block].any(), (w, i, lo[w, i], hi[w, i])
            overlap = (lo[w][:, None] < hi[w][None] - eps) & (hi[w][:, None] > lo[w][None] + eps)
            both = overlap.all(-1) & alive[w][:, None] & alive[w][None]
            np.fill_diagonal(both, False)
            assert not both.any(), w


def test_clamping_at_the_map_edge_never_pushes_a_mech_into_a_voxel() -> None:
    # Regression: the edge clamp used to run after the vertical move, pulling a jumping mech back
    # into a row whose voxels were only checked at its old height.
    env = scene()
    vox = np.zeros((12, 40, 40), np.uint8)
    vox[2, 38, 20] = 7  # glass, one row in from the edge, at head height of a rising scout
    env.sim.set_voxels(0, vox)
    place(env, BLUE_SCOUT, 20.5, 39.0, yaw=math.pi / 2)
    for _ in range(4):
        step_with(env, BLUE_SCOUT, forward=1.0, vertical=1.0)
        x, y, z = env.sim.mech_pos()[0, BLUE_SCOUT]
        hx, hy, hz = HALF[SCOUT]
        inside_glass = (
            (x - hx < 21 and x + hx > 20)
            and (y - hy < 39 and y + hy > 38)
            and (z - hz < 3 and z + hz > 2)
        )
        assert not inside_glass, (x, y, z)
        assert y <= 40 - hy + 1e-6
