"""Nav graph rules on hand-built worlds (footprint, headroom, step-up, drops, corner cutting,
hazard costs), A* optimality against hand-computed costs and against Dijkstra (C++ and an
independent Python one) on random and generated maps, heuristic admissibility, and patching after
terrain changes equal to a rebuild."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest

from echelon import _core
from echelon.maps import generate_map

SOLID, LAVA, WATER, DIRT = 1, 2, 3, 6
SQRT2 = 1.41421356


def flat(x: int, y: int, z: int) -> np.ndarray:
    v = np.zeros((z, y, x), np.uint8)
    v[0] = DIRT
    return v


def unit(v: np.ndarray) -> _core.NavGraph:
    """A 1x1-footprint, 1-tall hull: one node per standable cell."""
    return _core.NavGraph(v, 1.0, 0.9)


def test_class_shapes_follow_the_hull_sizes_and_step_height() -> None:
    v = flat(8, 8, 8)
    shapes = [_core.NavGraph.for_class(v, c).shape[:3] for c in range(4)]
    # (footprint, headroom incl. the <= 0.024 hover, free layers for a 1.1 step-up)
    assert shapes == [(2, 2, 2), (2, 3, 3), (3, 4, 4), (4, 5, 5)]


def test_flat_ground_nodes_and_edges() -> None:
    g = unit(flat(10, 10, 4))
    assert g.node_count == 100
    n = g.node_at(5, 5, 0)
    assert g.position(n) == pytest.approx((5.5, 5.5, 0.0))
    costs = sorted(c for _, c in g.neighbours(n))
    assert costs == pytest.approx([1, 1, 1, 1, SQRT2, SQRT2, SQRT2, SQRT2])
    assert len(g.neighbours(g.node_at(0, 0, 0))) == 3


def test_one_voxel_ledge_is_climbable_two_voxels_block() -> None:
    v = flat(6, 1, 6)
    v[0, 0, 3:] = SOLID  # a 1-voxel ledge from x = 3
    g = unit(v)
    low, high = g.node_at(2, 0, 0), g.node_at(3, 0, 1)
    assert high >= 0
    assert dict(g.neighbours(low))[high] == pytest.approx(1.5)  # 1 + climb cost
    assert dict(g.neighbours(high))[low] == pytest.approx(1.0)  # stepping down
    v[1, 0, 3:] = SOLID  # now a 2-voxel wall
    g = unit(v)
    low, high = g.node_at(2, 0, 0), g.node_at(3, 0, 2)
    assert high not in dict(g.neighbours(low))
    assert low in dict(g.neighbours(high))  # a drop is one-way
    assert not g.find_path(low, high)["found"]


def test_step_up_needs_headroom_through_the_raised_box() -> None:
    # Light hull (2 wide, 2.0 tall: stands in 3 layers, steps through 3 layers above the ledge).
    v = flat(8, 2, 8)
    v[0, :, 3:] = SOLID  # ledge from x = 3; block 1 covers x 1..2, block 2 covers x 2..3
    light = _core.NavGraph.for_class(v, 1)
    low, high = light.node_at(1, 0, 0), light.node_at(2, 0, 1)
    assert high in dict(light.neighbours(low))
    v[3, :, 1] = SOLID  # ceiling over x = 1 at z = 3: standing on the ground (z 0..2) still fits
    light = _core.NavGraph.for_class(v, 1)
    low, high = light.node_at(1, 0, 0), light.node_at(2, 0, 1)
    assert low >= 0 and high >= 0
    assert high not in dict(light.neighbours(low))  # the lifted box (z 1..3) would hit it


def test_footprint_decides_which_gaps_a_class_fits() -> None:
    v = flat(20, 20, 8)
    v[:, 10, :] = SOLID  # a wall across y = 10 ...
    v[:, 10, 8:11] = 0  # ... with a 3-wide gap
    v[0, 10, 8:11] = DIRT
    for cls, fits in ((0, True), (2, True), (3, False)):
        g = _core.NavGraph.for_class(v, cls)
        a, b = g.nearest(9.5, 3.0, 0.0, 4), g.nearest(9.5, 17.0, 0.0, 4)
        assert g.find_path(a, b)["found"] == fits, cls


def test_no_diagonal_corner_cutting() -> None:
    v = flat(3, 3, 4)
    v[:, 0, 1] = SOLID
    g = unit(v)
    a, b = g.node_at(0, 0, 0), g.node_at(1, 1, 0)
    assert b not in dict(g.neighbours(a))


def test_hazards_cost_more_and_a_star_finds_the_hand_computed_optimum() -> None:
    v = flat(5, 1, 4)
    v[0, 0, 2] = LAVA
    g = unit(v)
    p = g.find_path(g.node_at(0, 0, 0), g.node_at(4, 0, 0))
    assert p["found"] and p["cost"] == pytest.approx(1 + (1 + 10) + 1 + 1)
    assert [w[0] for w in p["waypoints"]] == pytest.approx([0.5, 1.5, 2.5, 3.5, 4.5])
    v[0, 0, 2] = WATER
    g = unit(v)
    p = g.find_path(g.node_at(0, 0, 0), g.node_at(4, 0, 0))
    assert p["cost"] == pytest.approx(3 + 1 / 0.6)
    # Open 10x10: octile distance is optimal.
    g = unit(flat(10, 10, 4))
    p = g.find_path(g.node_at(0, 0, 0), g.node_at(9, 5, 0))
    assert p["cost"] == pytest.approx(5 * SQRT2 + 4)
    # A lava strip with a detour: 3 extra steps beat 10 extra cost.
    v = flat(7, 5, 4)
    v[0, 0:4, 3] = LAVA
    g = unit(v)
    p = g.find_path(g.node_at(0, 0, 0), g.node_at(6, 0, 0))
    # Around the strip's open end at y = 4: (0,0)->(3,4)->(6,0), 3 diagonals + 1 straight each way.
    assert p["cost"] == pytest.approx(6 * SQRT2 + 2, rel=1e-5)
    assert all(v[0, int(y), int(x)] != LAVA for x, y, _ in p["waypoints"])


def _python_dijkstra(g: _core.NavGraph, start: int) -> dict[int, float]:
    src, dst, cost = g.edges()
    adj: dict[int, list[tuple[int, float]]] = {}
    for s, d, c in zip(src.tolist(), dst.tolist(), cost.tolist(), strict=True):
        adj.setdefault(s, []).append((d, c))
    dist = {start: 0.0}
    pq = [(0.0, start)]
    while pq:
        d, n = heapq.heappop(pq)
        if d > dist[n]:
            continue
        for m, c in adj.get(n, []):
            if d + c < dist.get(m, math.inf):
                dist[m] = d + c
                heapq.heappush(pq, (d + c, m))
    return dist


def _random_world(rng: np.random.Generator) -> np.ndarray:
    v = flat(24, 24, 8)
    heights = rng.integers(0, 4, size=(24, 24)) * (rng.random((24, 24)) < 0.35)
    for z in range(3):
        v[z][heights > z] = SOLID
    v[0][(heights == 0) & (rng.random((24, 24)) < 0.05)] = LAVA
    return v


@pytest.mark.parametrize("seed", range(4))
def test_a_star_matches_dijkstra_on_random_worlds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = _core.NavGraph(_random_world(rng), 1.2, 1.8)
    ids = g.nodes()[:, 0]
    start = int(rng.choice(ids))
    reference = _python_dijkstra(g, start)
    costs = g.all_costs(start)
    for n in ids.tolist():
        assert costs[n] == pytest.approx(reference.get(n, math.inf), rel=1e-5)
    for goal in rng.choice(ids, 40).tolist():
        p = g.find_path(start, int(goal))
        assert p["found"] == math.isfinite(costs[goal])
        if p["found"]:
            assert p["cost"] == pytest.approx(costs[goal], rel=1e-5)
            assert g.heuristic(start, int(goal)) <= costs[goal] + 1e-5  # admissible
            hops = zip(p["nodes"], p["nodes"][1:], strict=False)
            total = sum(dict(g.neighbours(a))[b] for a, b in hops)
            assert total == pytest.approx(p["cost"], rel=1e-5)


def test_a_star_matches_dijkstra_on_generated_maps_for_every_class() -> None:
    rng = np.random.default_rng(1)
    for seed in (2, 9):
        m = generate_map((64, 64, 16), seed)
        for cls in range(4):
            g = _core.NavGraph.for_class(m.voxels, cls)
            ids = g.nodes()[:, 0]
            start = int(rng.choice(ids))
            costs = g.all_costs(start)
            for goal in rng.choice(ids, 15).tolist():
                p = g.find_path(start, int(goal))
                assert p["found"] == math.isfinite(costs[goal])
                if p["found"]:
                    assert p["cost"] == pytest.approx(costs[goal], rel=1e-5)


def test_patch_after_destruction_equals_a_rebuild() -> None:
    rng = np.random.default_rng(3)
    m = generate_map((64, 64, 16), 4)
    for cls in (0, 3):
        v = m.voxels.copy()
        g = _core.NavGraph.for_class(v, cls)
        for _ in range(6):
            x0, y0 = (int(a) for a in rng.integers(0, 56, 2))
            w, h, z0 = (int(a) for a in rng.integers(1, 8, 3))
            v[z0 % 6 : z0 % 6 + 4, y0 : y0 + h, x0 : x0 + w] = 0 if rng.random() < 0.6 else SOLID
            g.patch(v, (x0, y0, x0 + w, y0 + h))
            fresh = _core.NavGraph.for_class(v, cls)
            np.testing.assert_array_equal(g.nodes(), fresh.nodes())
            for a, b in zip(g.edges(), fresh.edges(), strict=True):
                np.testing.assert_array_equal(a, b)
            assert g.node_count == fresh.node_count


def test_nearest_prefers_the_ground_under_a_bridge() -> None:
    v = flat(12, 12, 10)
    v[4, :, 4:8] = SOLID  # a deck at z = 4 (floor 5) over walkable ground
    g = unit(v)
    n = g.nearest(5.5, 5.5, 0.0, 3)
    assert g.position(n) == pytest.approx((5.5, 5.5, 0.0))
    n = g.nearest(5.5, 5.5, 5.0, 3)
    assert g.position(n)[2] == 5.0
