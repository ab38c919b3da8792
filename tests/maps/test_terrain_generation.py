"""Procedural generation: determinism, golden hashes, recipe round trip, per-map invariants over
many seeds and sizes (HP, cleared spawns and zone, fairness, connectivity for every class), and
biome coverage."""

from __future__ import annotations

import json

import numpy as np
import pytest
from terrain_checks import assert_connected, assert_map_invariants

from echelon.maps import BIOME_NAMES, generate_map, reproduce

# Pinned content hashes (FNV-1a over dimensions + materials). A change here means the generator's
# output changed: bump terrain::kGeneratorVersion and re-pin deliberately.
GOLDEN = [
    ((100, 100, 20), 1, 1, "cca2443ad1b3be06"),
    ((100, 100, 20), 12345, 1, "4caa3d6b8ecce7ce"),
    ((40, 40, 16), 3, 1, "4eb7d621baa7e83f"),
    ((64, 48, 16), 99, 2, "e7ed235a2cdf22f6"),
]


@pytest.mark.parametrize(("size", "seed", "packs", "expected"), GOLDEN)
def test_golden_hashes(size: tuple[int, int, int], seed: int, packs: int, expected: str) -> None:
    assert generate_map(size, seed, packs).content_hash == expected


def test_same_seed_same_map_and_different_seed_different_map() -> None:
    a = generate_map((80, 72, 18), 42)
    b = generate_map((80, 72, 18), 42)
    c = generate_map((80, 72, 18), 43)
    np.testing.assert_array_equal(a.voxels, b.voxels)
    assert a.content_hash == b.content_hash and a.recipe_json == b.recipe_json
    assert a.content_hash != c.content_hash


def test_content_hash_sees_materials_not_just_occupancy() -> None:
    from echelon import _core

    m = generate_map((60, 60, 16), 5)
    v = m.voxels.copy()
    z, y, x = np.argwhere(v == 1)[0]
    v[z, y, x] = 7  # solid -> glass: same occupancy, different material
    assert _core.content_hash(v) != m.content_hash
    assert _core.content_hash(m.voxels) == m.content_hash


def _sorted_keys(obj: object) -> bool:
    if isinstance(obj, dict):
        return list(obj) == sorted(obj) and all(_sorted_keys(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_sorted_keys(v) for v in obj)
    return True


def test_recipe_is_canonical_complete_and_reproduces_the_map() -> None:
    m = generate_map((100, 100, 20), 7, 2)
    assert _sorted_keys(json.loads(m.recipe_json))
    r = m.recipe
    assert r["seed"] == 7 and r["size"] == [100, 100, 20] and r["packs_per_team"] == 2
    assert set(r["layout"]["biomes"]) == {"BL", "BR", "TL", "TR"}
    assert r["layout"]["split"] == list(m.split)
    assert r["transform"] == m.transform
    assert [c["kind"] for c in r["corridors"]] == [
        "objective_ring",
        "blue_lane_main",
        "blue_lane_flank",
        "red_lane_main",
        "red_lane_flank",
    ]
    assert r["zone"]["radius"] == pytest.approx(m.zone[2])
    again = reproduce(m.recipe_json)
    assert again.content_hash == m.content_hash
    tampered = dict(r, transform="flip_x" if r["transform"] != "flip_x" else "identity")
    with pytest.raises(ValueError, match="does not reproduce"):
        reproduce(tampered)


@pytest.mark.parametrize(
    "size", [(32, 32, 8), (40, 40, 10), (40, 40, 16), (64, 96, 16), (100, 100, 20), (128, 128, 24)]
)
def test_invariants_and_connectivity_over_seeds(size: tuple[int, int, int]) -> None:
    for seed in range(12):
        m = generate_map(size, seed)
        assert_map_invariants(m)
        assert_connected(m)


def test_every_biome_appears_and_layouts_are_distinct() -> None:
    seen: set[str] = set()
    for seed in range(40):
        m = generate_map((60, 60, 16), seed)
        assert len(set(m.biomes.values())) == 4  # four distinct biomes per map
        seen.update(m.biomes.values())
    assert seen == set(BIOME_NAMES)
    assert len(BIOME_NAMES) == 16


def test_spawn_squares_are_sized_from_the_roster() -> None:
    small = generate_map((100, 100, 20), 3, packs_per_team=1)
    large = generate_map((100, 100, 20), 3, packs_per_team=8)
    assert small.spawn_clear == 25  # the preferred size covers one pack
    # 40 mechs: 5 columns x 8 rows at pitch 4 + margin 2 + heavy width 3.5 + 1 -> ceil(34.5) = 35.
    assert large.spawn_clear == 35
    assert_map_invariants(large)
    assert_connected(large)


def test_bad_sizes_are_rejected_with_the_field_named() -> None:
    with pytest.raises(ValueError, match="height"):
        generate_map((100, 100, 7), 1)
    with pytest.raises(ValueError, match="x and y"):
        generate_map((8, 100, 20), 1)
    with pytest.raises(ValueError, match="too small for the roster"):
        generate_map((40, 40, 16), 1, packs_per_team=4)


@pytest.mark.slow
@pytest.mark.parametrize("size", [(40, 40, 16), (100, 100, 20), (200, 200, 24), (256, 256, 32)])
def test_sweep_hundreds_of_seeds(size: tuple[int, int, int]) -> None:
    seeds = 300 if size[0] <= 100 else 100
    seen: set[str] = set()
    for seed in range(1000, 1000 + seeds):
        m = generate_map(size, seed)
        assert_map_invariants(m)
        assert_connected(m)
        seen.update(m.biomes.values())
    assert seen == set(BIOME_NAMES)


def test_fixups_dig_a_passage_for_every_class_when_the_zone_is_walled_in() -> None:
    from terrain_checks import HP_TABLE

    from echelon import _core

    v = np.zeros((12, 64, 64), np.uint8)
    v[0] = 6
    v[0:2, 20:44, 20:44] = 8  # a reinforced 2-voxel wall block around the zone ...
    v[0:2, 24:40, 24:40] = 0  # ... hollow inside, with dirt floor
    v[0, 24:40, 24:40] = 6
    corners, clear, zone = (0, 3), 16, (32.0, 32.0, 4.0)
    before = _core.check_connectivity(v, corners, clear, zone)
    assert not any(b or r for b, r in before)
    out, hp, ok, fixups = _core.ensure_connectivity(v, corners, clear, zone)
    assert ok and fixups and fixups[0].startswith(("blue:heavy", "red:heavy"))
    assert all(b and r for b, r in _core.check_connectivity(out, corners, clear, zone))
    np.testing.assert_array_equal(hp, HP_TABLE[out])
    changed = out != v
    assert (out[changed] == 0).all() and (v[changed] == 8).all()  # digging only removes walls
