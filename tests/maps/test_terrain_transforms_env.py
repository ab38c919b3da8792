"""Flips keep voxels, HP and layout metadata consistent; BatchSim builds exactly the maps the
generator reproduces, identically for any thread count; the procedural map type is wired into
EnvConfig and VecEnv."""

from __future__ import annotations

import numpy as np
import pytest
from terrain_checks import HP_TABLE, assert_map_invariants

from echelon import _core
from echelon.config import EnvConfig
from echelon.env.numpy_buffers import bind_numpy_buffers
from echelon.maps import BIOME_NAMES, episode_map, generate_map

IDENTITY, FLIP_X, FLIP_Y, FLIP_XY = 0, 1, 2, 3


def _labelled_world() -> tuple[np.ndarray, tuple[int, int], list[int]]:
    """A 30x20x4 world whose BL quadrant alone holds reinforced voxels, BR glass, TL foliage."""
    v = np.zeros((4, 20, 30), np.uint8)
    split = (12, 8)
    v[1, 0:8, 0:12] = 8
    v[1, 0:8, 12:30] = 7
    v[1, 8:20, 0:12] = 9
    return v, split, [0, 1, 2, 3]


@pytest.mark.parametrize("t", [FLIP_X, FLIP_Y, FLIP_XY])
def test_flip_moves_voxels_hp_split_and_labels_together(t: int) -> None:
    v, split, biomes = _labelled_world()
    out, hp, new_split, new_biomes = _core.transform_map(v, t, split, biomes)
    expected = v[:, :, ::-1] if t == FLIP_X else v[:, ::-1, :] if t == FLIP_Y else v[:, ::-1, ::-1]
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(hp, HP_TABLE[out])
    fx, fy = t in (FLIP_X, FLIP_XY), t in (FLIP_Y, FLIP_XY)
    assert new_split == (30 - 12 if fx else 12, 20 - 8 if fy else 8)
    # The label that was BL (biome id 0) sits on the corner the reinforced voxels moved to.
    corner_of = {0: "BL", 1: "BR", 2: "TL", 3: "TR"}
    sx, sy = new_split
    reinforced = np.argwhere(out[1] == 8)
    y, x = reinforced[0]
    where = ("T" if y >= sy else "B") + ("R" if x >= sx else "L")
    assert corner_of[new_biomes.index(0)] == where
    # Applying the flip twice is the identity for voxels, split and labels.
    back, back_hp, back_split, back_biomes = _core.transform_map(out, t, new_split, new_biomes)
    np.testing.assert_array_equal(back, v)
    np.testing.assert_array_equal(back_hp, HP_TABLE[v])
    assert back_split == split and back_biomes == biomes


def test_generated_biome_labels_point_at_their_quadrant_after_flips() -> None:
    """command_outpost is the only reinforced biome in these maps: its bunker and fence must lie in
    the quadrant the (flipped) layout names."""
    reinforced_biomes = {"command_outpost", "server_farm", "orbital_relay", "hydroponic_lab"}
    checked, transforms = 0, set()
    for seed in range(200):
        m = generate_map((100, 100, 20), seed)
        names = set(m.biomes.values())
        if "command_outpost" not in names or len(names & reinforced_biomes) != 1:
            continue
        corner = next(c for c, b in m.biomes.items() if b == "command_outpost")
        sx, sy = m.split
        ys, xs = np.nonzero((m.voxels == 8).any(axis=0))
        in_quadrant = ((xs >= sx) == (corner[1] == "R")) & ((ys >= sy) == (corner[0] == "T"))
        assert in_quadrant.mean() > 0.95, (seed, corner, m.transform)
        checked += 1
        transforms.add(m.transform)
        if checked >= 8 and len(transforms) >= 3:
            break
    assert checked >= 8 and len(transforms) >= 3


def _sim(
    map_type: str, worlds: int, threads: int, seed: int, size: tuple[int, int, int] = (64, 64, 16)
):
    cfg = _core.SimConfig()
    cfg.size_x, cfg.size_y, cfg.size_z = size
    cfg.map_type = getattr(_core.MapType, map_type)
    sim = _core.BatchSim(cfg, worlds, seed, threads)
    bufs = bind_numpy_buffers(sim)
    sim.reset()
    return sim, bufs


def test_batchsim_maps_match_the_generator_for_any_thread_count() -> None:
    one, _ = _sim("procedural", 4, 1, seed=11)
    two, _ = _sim("procedural", 4, 2, seed=11)
    cfg = EnvConfig(map_size=(64, 64, 16), map_type="procedural")
    for w in range(4):
        np.testing.assert_array_equal(one.voxels(w), two.voxels(w))
        expected = episode_map(cfg, seed=11, world=w, episode=0)
        assert _core.content_hash(one.voxels(w)) == expected.content_hash
        np.testing.assert_array_equal(one.voxel_hp(w), HP_TABLE[one.voxels(w)])
        cx, cy, r = one.zone(w)
        assert (cx, cy, r) == pytest.approx(expected.zone)
    assert len({_core.content_hash(one.voxels(w)) for w in range(4)}) == 4


def test_mechs_spawn_standing_free_on_procedural_maps() -> None:
    sim, _ = _sim("procedural", 3, 1, seed=5, size=(100, 100, 20))
    pos, cls = sim.mech_pos(), sim.mech_cls()
    half = {0: (0.6, 0.9), 1: (0.75, 1.0), 2: (1.25, 1.5), 3: (1.75, 2.0)}
    for w in range(3):
        vox = sim.voxels(w)
        for i in range(sim.num_agents):
            hx, hz = half[int(cls[w, i])]
            x, y, z = pos[w, i]
            assert z == pytest.approx(hz)  # on the bedrock
            x0, x1 = int(np.floor(x - hx)), int(np.ceil(x + hx))
            y0, y1 = int(np.floor(y - hx)), int(np.ceil(y + hx))
            box = vox[0 : int(np.ceil(2 * hz)), y0:y1, x0:x1]
            assert not np.isin(box, [1, 4, 5, 7, 8]).any()


def test_env_config_procedural_is_default_and_validated() -> None:
    assert EnvConfig().map_type == "procedural"
    assert EnvConfig(map_type="simple").map_type == "simple"
    with pytest.raises(ValueError, match=r"map_size\[2\]"):
        EnvConfig(map_size=(100, 100, 7), map_type="procedural")
    EnvConfig(map_size=(100, 100, 7), map_type="simple")


def test_vec_env_runs_on_procedural_maps_across_auto_resets() -> None:
    from echelon import VecEnv

    cfg = EnvConfig(map_size=(48, 48, 16), map_type="procedural", max_episode_seconds=1.0)
    env = VecEnv(cfg, num_worlds=2, seed=3, num_threads=1)
    env.reset()
    import torch

    ends = 0
    for _ in range(10):
        _, _, _, _, info = env.step(torch.zeros(2, env.num_agents, env.action_dim))
        ends += int(info["episode_end"].sum())
    assert ends >= 2  # 1 s episodes of 4 decisions: every world reset at least once
    m = episode_map(cfg, seed=3, world=0, episode=env._sim.episode_index(0))
    assert _core.content_hash(env._sim.voxels(0)) == m.content_hash
    assert_map_invariants(m)
    assert set(m.biomes.values()) <= set(BIOME_NAMES)
