"""The full observation against hand-computed values in hand-built scenes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from echelon import EnvConfig, VecEnv
from helpers import HALF, HEAVY, SCOUT, clear_world, empty_env, park_all, zero_actions

HEAVY0, MED1, MED2, LIGHT3, SCOUT4 = 0, 1, 2, 3, 4
RED_HEAVY, RED_SCOUT = 5, 9
SOLID, GLASS, FOLIAGE = 1, 7, 9


def scene(**kw: object) -> VecEnv:
    env = empty_env((40, 40, 12), **kw)
    clear_world(env)
    park_all(env)
    return env


def place(env: VecEnv, agent: int, x: float, y: float, yaw: float = 0.0) -> None:
    cls = int(env.sim.mech_cls()[0, agent])
    env.sim.mech_pos()[0, agent] = (x, y, HALF[cls][2])
    env.sim.mech_yaw()[0, agent] = yaw
    env.sim.mech_vel()[0, agent] = 0.0


def obs_of(env: VecEnv, agent: int) -> dict[str, torch.Tensor]:
    env.sim.refresh_observation(0)
    row = env._out["obs"][0, agent]
    return {name: b.take(row) for name, b in env.obs_layout.items()}


def test_layout_follows_config() -> None:
    env = VecEnv(EnvConfig(map_size=(40, 40, 12), map_type="empty", contact_slots=8, comm_dim=0))
    layout = env.obs_layout
    assert layout["contacts"].shape == (8, 25) and layout["contacts_mask"].shape == (8,)
    assert "comm" not in layout
    offsets = sorted((b.slice.start, b.slice.stop) for b in layout.values())
    assert offsets[0][0] == 0 and offsets[-1][1] == env.obs_dim
    assert all(a[1] == b[0] for a, b in itertools.pairwise(offsets)), "blocks tile the row"
    default = VecEnv(EnvConfig(map_size=(40, 40, 12), map_type="empty"))
    assert default.obs_dim == 5 * 25 + 5 + 40 + 242 + 256 + 4 + 4 + 42 + 11 + 32 + 4 + 8 + 8


def test_contact_features_by_hand() -> None:
    env = scene()
    place(env, HEAVY0, 20.0, 20.0, yaw=math.pi / 2)  # facing +y
    place(env, RED_SCOUT, 20.0, 25.0, yaw=math.pi)  # 5 ahead
    env.sim.mech_vel()[0, RED_SCOUT] = (0.0, -2.0, 0.0)  # approaching at 2 vox/s
    o = obs_of(env, HEAVY0)
    contacts, mask = o["contacts"], o["contacts_mask"]
    k = [i for i in range(5) if contacts[i, 14] == 1.0]  # hostile rows
    assert len(k) >= 1
    c = contacts[k[0]]
    d = 40.0  # the largest map side
    dz = HALF[SCOUT][2] - HALF[HEAVY][2]
    assert c[0].item() == pytest.approx(5.0 / d, abs=1e-6)  # forward
    assert c[1].item() == pytest.approx(0.0, abs=1e-6)  # left
    assert c[2].item() == pytest.approx(dz / d, abs=1e-6)
    assert c[3].item() == pytest.approx(-2.0 / 14.0, abs=1e-6)  # relative velocity / (2 * 7)
    assert (c[6].item(), c[7].item()) == pytest.approx(
        (math.sin(math.pi / 2), math.cos(math.pi / 2)), abs=1e-6
    )
    assert c[8] == 1.0 and c[13] == 0.0 and c[14] == 1.0 and c[15] == 0.0
    assert c[16:20].tolist() == [1.0, 0.0, 0.0, 0.0]  # scout
    assert c[21] == 1.0 and mask[k[0]] == 1.0
    t = 5.0 / 40.0
    pitch = math.atan2(dz + 0.5 * 9.81 * t * t, 5.0) / (math.pi / 4)
    assert c[22].item() == pytest.approx(pitch, abs=1e-5)
    closing = 2.0 * 5.0 / math.hypot(5.0, dz) / 14  # -(v_rel . rel) / |rel|, / (2 * 7)
    assert c[23].item() == pytest.approx(closing, abs=1e-6)
    assert c[24] == 0.0  # not the focus target


def test_slot_reservation_sort_modes_and_hostile_filter() -> None:
    env = scene()
    place(env, HEAVY0, 20.0, 20.0)
    for i, a in enumerate((MED1, MED2, LIGHT3, SCOUT4)):  # friendlies at distance 4, 6, 8, 10
        place(env, a, 20.0, 24.0 + 2 * i)
    for a in range(
        5, 10
    ):  # hostiles along y = 15: the red heavy (5) farthest, the scout (9) nearest
        place(env, a, 20.0 + 3 * (9 - a), 15.0)

    def slots() -> list[int]:
        return [int(v) for v in env.sim.contact_slots(0)[HEAVY0]]

    obs_of(env, HEAVY0)
    # closest: 3 nearest friendlies, the nearest hostile, then the next hostile (refill)
    assert slots() == [MED1, MED2, LIGHT3, 9, 8]
    a = zero_actions(env)
    act = env.action_layout.index
    a[0, HEAVY0, act("biggest")] = 1.0  # sort mode "biggest": class rank, then distance
    env.step(a)
    assert slots() == [MED1, MED2, LIGHT3, 5, 7]
    env.sim.mech_hp()[0, 6] = 10.0  # the far red medium is badly damaged
    a[0, HEAVY0, act("biggest")] = 0.0
    a[0, HEAVY0, act("most_damaged")] = 1.0  # sort mode "most damaged": hp fraction, then distance
    env.step(a)
    assert slots()[3] == 6
    a[0, HEAVY0, act("most_damaged")] = 0.0
    a[0, HEAVY0, act("hostile_only")] = 1.0  # hostile-only filter: every slot for hostiles
    env.step(a)
    assert slots() == [9, 8, 7, 6, 5]
    o = obs_of(env, HEAVY0)
    assert (o["contacts"][:, 14] == 1.0).all() and o["self"][32] == 1.0


def test_partial_mode_sensor_rules() -> None:
    env = scene(observation="partial")
    vox = np.zeros((12, 40, 40), np.uint8)
    vox[:, :, 25] = SOLID  # a wall at x = 25
    env.sim.set_voxels(0, vox)
    place(env, HEAVY0, 20.0, 20.0)
    place(env, RED_SCOUT, 35.0, 20.0)  # behind the wall, 15 away: outside radar (14 x q = 14)
    assert RED_SCOUT not in obs_contacts(env, HEAVY0)
    place(env, RED_SCOUT, 33.0, 20.0)  # 13 away: radar sees through walls
    assert RED_SCOUT in obs_contacts(env, HEAVY0)
    place(env, RED_SCOUT, 35.0, 20.0)
    # painted by a pack-mate of the viewer: visible through the wall at any range
    env.sim.mech_state("paint_ticks")[0, RED_SCOUT] = 100
    env.sim.mech_state("painter")[0, RED_SCOUT] = MED1
    assert RED_SCOUT in obs_contacts(env, HEAVY0)
    env.sim.mech_state("paint_ticks")[0, RED_SCOUT] = 0
    vox[:] = 0
    env.sim.set_voxels(0, vox)  # no wall: line of sight
    assert RED_SCOUT in obs_contacts(env, HEAVY0)
    full = scene()
    full.sim.set_voxels(
        0,
        np.where(np.arange(40) == 25, SOLID, 0)
        .astype(np.uint8)[None, None, :]
        .repeat(12, 0)
        .repeat(40, 1),
    )
    place(full, HEAVY0, 20.0, 20.0)
    place(full, RED_SCOUT, 35.0, 20.0)
    assert RED_SCOUT in obs_contacts(full, HEAVY0), "full mode sees everything"


def obs_contacts(env: VecEnv, agent: int) -> list[int]:
    obs_of(env, agent)
    return [int(v) for v in env.sim.contact_slots(0)[agent] if v >= 0]


def test_local_map_orientation_and_channels() -> None:
    env = scene()
    vox = np.zeros((12, 40, 40), np.uint8)
    vox[0:2, 20, 23] = SOLID  # 3 cells ahead (+x) of a mech at (20.5, 20.5)
    vox[0:2, 23, 20] = GLASS  # 3 cells to its left (+y)
    vox[0:2, 17, 20] = FOLIAGE  # 3 cells to its right (-y)
    env.sim.set_voxels(0, vox)
    place(env, HEAVY0, 20.5, 20.5, yaw=0.0)
    m = obs_of(env, HEAVY0)["local_map"]  # [channel, forward row, left column]
    assert m[0, 8, 5] == 1 and m[1, 8, 5] == 1  # solid ahead: blocks movement and sight
    assert m[0, 5, 8] == 1 and m[1, 5, 8] == 0  # glass to the left: blocks movement only
    assert m[0, 5, 2] == 0 and m[1, 5, 2] == 1  # foliage to the right: blocks sight only
    assert m[0, 5, 5] == 0
    place(env, HEAVY0, 20.5, 20.5, yaw=math.pi / 2)  # facing +y: the solid wall is now to the right
    m = obs_of(env, HEAVY0)["local_map"]
    assert m[0, 5, 2] == 1 and m[0, 8, 5] == 1  # ... and the glass ahead
    place(env, HEAVY0, 2.5, 20.5, yaw=math.pi)  # facing the map edge: outside reads blocked
    m = obs_of(env, HEAVY0)["local_map"]
    assert (m[:, 10, :] == 1).all()


def telemetry_reference(vox: np.ndarray) -> np.ndarray:
    collides = np.isin(vox, [1, 4, 5, 7, 8]).any(axis=0)
    sy, sx = collides.shape
    ex = [(b * sx) // 16 for b in range(17)]
    ey = [(b * sy) // 16 for b in range(17)]
    out = np.zeros((16, 16), np.float32)
    for by in range(16):
        for bx in range(16):
            block = collides[ey[by] : ey[by + 1], ex[bx] : ex[bx + 1]]
            out[by, bx] = block.mean() if block.size else 0.0
    return out


def test_telemetry_and_occupancy_follow_destruction() -> None:
    env = VecEnv(EnvConfig(map_size=(48, 40, 12), map_type="simple", obstacle_density=0.3), seed=3)
    env.reset()
    t0 = obs_of(env, 0)["telemetry"].numpy().copy()  # the obs buffer is reused
    assert np.allclose(t0, telemetry_reference(env.sim.voxels(0)), atol=1e-6)
    vox = env.sim.voxels(0)
    # clear ten whole columns that hold only destructible blockers
    destructible = np.isin(vox, [0, 1, 5, 6, 7]).all(axis=0) & np.isin(vox, [1, 5, 7]).any(axis=0)
    ys, xs = np.nonzero(destructible)
    assert len(xs) >= 10
    for y, x in list(zip(ys, xs, strict=True))[:10]:
        for z in range(vox.shape[0]):
            env.sim.damage_voxel(0, int(x), int(y), z, 1e6)
    env.step(zero_actions(env))
    t1 = env.obs_layout["telemetry"].take(env._out["obs"][0, 0]).numpy()
    assert not np.allclose(t0, t1), "clearing ten columns changes the thumbnail"
    assert np.allclose(t1, telemetry_reference(env.sim.voxels(0)), atol=1e-6)


def test_acoustic_quadrants() -> None:
    env = scene()
    place(env, HEAVY0, 20.0, 20.0)
    place(env, RED_SCOUT, 23.0, 24.0)  # front-left, 5 away
    env.sim.mech_vel()[0, RED_SCOUT] = (3.0, 4.0, 0.0)  # speed 5, scout mass factor 1
    a = obs_of(env, HEAVY0)["acoustic"]
    d2 = 3.0**2 + 4.0**2 + (HALF[SCOUT][2] - HALF[HEAVY][2]) ** 2
    expected = math.log(1 + 5.0 / (1 + d2)) / 5
    assert a[0].item() == pytest.approx(expected, rel=1e-5)
    assert a[1] == 0 and a[2] == 0 and a[3] == 0
    place(env, RED_SCOUT, 17.0, 16.0)  # rear-right
    env.sim.mech_vel()[0, RED_SCOUT] = (3.0, 4.0, 0.0)
    a = obs_of(env, HEAVY0)["acoustic"]
    assert a[3].item() == pytest.approx(expected, rel=1e-5) and a[0] == 0


def test_squad_rows_and_self_block() -> None:
    env = scene()
    place(env, HEAVY0, 20.0, 20.0)
    place(env, MED1, 20.0, 30.0)  # 10 to the left
    env.sim.mech_alive()[0, MED2] = 0
    o = obs_of(env, HEAVY0)
    sq, mask = o["squad"], o["squad_mask"]
    assert mask.tolist() == [1.0, 0.0, 1.0, 1.0]  # MED1, MED2 (dead), LIGHT3, SCOUT4
    assert sq[0, 0].item() == pytest.approx(1.0, abs=1e-6)  # sin(bearing = +90 deg)
    assert sq[0, 2].item() == pytest.approx(math.hypot(10.0, 0.5) / 40.0, abs=1e-6)
    assert sq[0, 7].item() == pytest.approx(2 / 3, abs=1e-6) and (sq[1] == 0).all()
    s = o["self"]
    assert o["hull"].tolist() == [0.0, 0.0, 0.0, 1.0] and s[5] == 1.0 and s[37] == 1.0
    env.sim.mech_vel()[0, HEAVY0] = (2.0, 0.0, 0.0)
    assert obs_of(env, HEAVY0)["self"][19].item() == pytest.approx(2.0 / 7.0)
    env.sim.mech_heat()[0, HEAVY0] = 200.0  # shut down: instruments dark
    s = obs_of(env, HEAVY0)["self"]
    assert s[3] == 1.0 and (s[19:25] == 0).all()


def test_comm_reaches_pack_mates_next_observation() -> None:
    env = scene()
    a = zero_actions(env)
    comm_slots = env.action_layout["comm"].slice
    a[0, MED1, comm_slots] = torch.linspace(-1, 1, 8)
    a[0, RED_HEAVY, comm_slots] = 0.5
    env.step(a)
    comm = env.obs_layout["comm"].take(env._out["obs"][0])  # [A, 5, 8]
    assert torch.allclose(comm[HEAVY0, 1], torch.linspace(-1, 1, 8))
    assert torch.allclose(comm[MED1, 1], torch.linspace(-1, 1, 8)), "the sender hears its echo"
    assert (comm[HEAVY0, 0] == 0).all()
    assert torch.allclose(comm[RED_SCOUT, 0], torch.full((8,), 0.5)), "messages stay in the pack"
    assert not (comm[HEAVY0] == 0.5).any()


def test_target_selection_uses_the_previous_contact_slots() -> None:
    env = scene()
    place(env, HEAVY0, 20.0, 20.0)
    obs_of(env, HEAVY0)
    slots = [int(v) for v in env.sim.contact_slots(0)[HEAVY0]]
    hostile_slot = next(k for k, v in enumerate(slots) if v >= 5)
    a = zero_actions(env)
    a[0, HEAVY0, env.action_layout["focus_target"].slice.start + hostile_slot] = 1.0
    env.step(a)
    o = obs_of(env, HEAVY0)
    target = slots[hostile_slot]
    now = [int(v) for v in env.sim.contact_slots(0)[HEAVY0]]
    assert o["contacts"][now.index(target), 24] == 1.0, "the chosen focus target is flagged"


def test_no_nan_and_dead_rows_zero_over_random_play() -> None:
    env = VecEnv(
        EnvConfig(map_size=(48, 48, 16), max_episode_seconds=20.0, observation="partial"),
        num_worlds=16,
        seed=2,
    )
    env.reset()
    gen = torch.Generator().manual_seed(1)
    for _ in range(120):
        obs, _, _, _, info = env.step(torch.rand((16, 10, env.action_dim), generator=gen) * 2 - 1)
        assert torch.isfinite(obs).all() and torch.isfinite(info["final_obs"]).all()
        assert (obs[~info["alive"]] == 0).all()
