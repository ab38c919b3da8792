"""Voxel world: material table, HP consistency, destruction, change record, generated maps."""

from __future__ import annotations

import numpy as np
import pytest

from echelon import EnvConfig, VecEnv, _core
from helpers import empty_env

MATERIAL_HP = {0: 0, 1: 100, 2: 0, 3: 0, 4: 50, 5: 200, 6: 0, 7: 10, 8: 1000, 9: 1}
COLLIDES = [False, True, False, False, True, True, False, True, True, False]
BLOCKS_LOS = [False, True, False, False, True, True, False, False, True, True]


def test_material_table_is_the_reference_table() -> None:
    table = _core.material_table()
    assert [t[0] for t in table] == list(range(10))
    assert {t[0]: t[1] for t in table} == MATERIAL_HP
    assert [t[2] for t in table] == COLLIDES
    assert [t[3] for t in table] == BLOCKS_LOS


def test_voxel_damage_and_destruction() -> None:
    env = empty_env()
    sim = env.sim
    sim.set_voxel(0, 10, 10, 3, 1)
    assert sim.voxel_hp(0)[3, 10, 10] == 100
    assert sim.damage_voxel(0, 10, 10, 3, 40.0) is False
    assert sim.voxels(0)[3, 10, 10] == 1 and sim.voxel_hp(0)[3, 10, 10] == pytest.approx(60)
    assert sim.damage_voxel(0, 10, 10, 3, 70.0) is True
    assert sim.voxels(0)[3, 10, 10] == 0 and sim.voxel_hp(0)[3, 10, 10] == 0
    # reinforced ignores damage; hp-0 terrain features (dirt, water, lava) are not erased by fire
    sim.set_voxel(0, 11, 10, 3, 8)
    assert sim.damage_voxel(0, 11, 10, 3, 5000.0) is False and sim.voxels(0)[3, 10, 11] == 8
    sim.set_voxel(0, 12, 10, 0, 2)
    assert sim.damage_voxel(0, 12, 10, 0, 50.0) is False and sim.voxels(0)[0, 10, 12] == 2
    # out of bounds and air: no effect, no error
    assert sim.damage_voxel(0, -1, 0, 0, 10.0) is False
    assert sim.damage_voxel(0, 5, 5, 8, 10.0) is False


def test_changes_are_recorded_until_cleared() -> None:
    env = empty_env(size=(32, 32, 8))
    sim = env.sim
    sim.clear_voxel_changes(0)
    assert not sim.full_rebuild(0) and sim.changed_voxels(0) == []
    sim.set_voxel(0, 1, 2, 3, 1)
    sim.damage_voxel(0, 1, 2, 3, 10.0)
    idx = (3 * 32 + 2) * 32 + 1
    assert sim.changed_voxels(0) == [idx, idx]
    sim.clear_voxel_changes(0)
    assert sim.changed_voxels(0) == []
    sim.set_voxels(0, np.zeros((8, 32, 32), np.uint8))
    assert sim.full_rebuild(0)


def test_set_voxels_validates() -> None:
    env = empty_env(size=(32, 32, 8))
    with pytest.raises(ValueError):
        env.sim.set_voxels(0, np.zeros((8, 32, 31), np.uint8))
    bad = np.zeros((8, 32, 32), np.uint8)
    bad[0, 0, 0] = 42
    with pytest.raises(ValueError):
        env.sim.set_voxels(0, bad)
    with pytest.raises(IndexError):
        env.sim.voxels(5)


@pytest.mark.parametrize("size", [(40, 40, 12), (100, 100, 20), (64, 48, 16)])
def test_generated_maps_are_consistent_and_fair(size: tuple[int, int, int]) -> None:
    env = VecEnv(EnvConfig(map_size=size), num_worlds=24, seed=5, num_threads=2)
    env.reset()
    hp_of = np.array([MATERIAL_HP[i] for i in range(10)], np.float32)
    sx, sy, _ = size
    seen = set()
    for w in range(env.num_worlds):
        vox, hp = env.sim.voxels(w), env.sim.voxel_hp(w)
        assert np.array_equal(hp, hp_of[vox]), "per-voxel HP must always match the material"
        assert (vox[0] != 0).all(), "layer z = 0 is ground (dirt, water or lava)"
        seen.update(np.unique(vox).tolist())
        cx, cy, r = env.sim.zone(w)
        blue, red, clear = env.sim.spawn_corners(w)
        assert blue + red == 3, "teams spawn in opposite corners"
        centres = []
        for corner in (blue, red):
            x0 = 0 if corner in (0, 2) else sx - clear
            y0 = 0 if corner in (0, 1) else sy - clear
            block = vox[:, y0 : y0 + clear, x0 : x0 + clear]
            assert not np.isin(block, [1, 4, 5, 7, 8]).any(), "spawn squares are free of obstacles"
            centres.append((x0 + clear / 2, y0 + clear / 2))
            # the zone circle never overlaps a spawn square
            dx = max(x0 - cx, 0, cx - (x0 + clear))
            dy = max(y0 - cy, 0, cy - (y0 + clear))
            assert np.hypot(dx, dy) > r
        d = [np.hypot(cx - x, cy - y) for x, y in centres]
        assert abs(d[0] - d[1]) <= 0.1 * max(d), "zone is equally far from both spawns (change 11)"
        ys, xs = np.mgrid[0:sy, 0:sx]
        inside = np.hypot(xs + 0.5 - cx, ys + 0.5 - cy) < r
        assert not np.isin(vox[:, inside], [1, 4, 5, 7, 8, 9]).any(), "the zone is cleared"
        alive = env.sim.mech_alive()[w]
        assert alive.all()
    assert {1, 7, 8, 9}.issubset(seen), "simple maps use several block materials"
