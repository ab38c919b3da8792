"""Shared checks for procedural map tests: the invariants every generated map must satisfy."""

from __future__ import annotations

import math

import numpy as np

from echelon import _core
from echelon.maps import GeneratedMap

AIR, DIRT, WATER, LAVA = 0, 6, 3, 2
CORNER_IDS = {"BL": 0, "BR": 1, "TL": 2, "TR": 3}
HP_TABLE = np.array([hp for _, hp, _, _ in _core.material_table()], dtype=np.float32)
COLLIDES = np.array([col for _, _, col, _ in _core.material_table()], dtype=bool)


def spawn_box(m: GeneratedMap, team: int) -> tuple[int, int, int, int]:
    sx, sy, _ = m.size
    s = m.spawn_clear
    corner = m.spawn_corners[team]
    x0 = 0 if corner in ("BL", "TL") else sx - s
    y0 = 0 if corner in ("BL", "BR") else sy - s
    return x0, y0, x0 + s, y0 + s


def distance_to_box(x: float, y: float, box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    dx = max(x0 - x, 0.0, x - x1)
    dy = max(y0 - y, 0.0, y - y1)
    return math.hypot(dx, dy)


def zone_columns(m: GeneratedMap) -> np.ndarray:
    sx, sy, _ = m.size
    cx, cy, r = m.zone
    ys, xs = np.mgrid[0:sy, 0:sx]
    return np.hypot(xs + 0.5 - cx, ys + 0.5 - cy) <= r


def assert_map_invariants(m: GeneratedMap) -> None:
    """Everything the issue asks of every map (connectivity is checked separately: it is slower)."""
    v = m.voxels
    # HP always follows the material.
    np.testing.assert_array_equal(m.voxel_hp, HP_TABLE[v])
    # Ground layer: nothing is AIR at z = 0.
    assert not (v[0] == AIR).any()
    # Spawn squares: empty above the ground, plain dirt at z = 0.
    boxes = [spawn_box(m, t) for t in (0, 1)]
    for x0, y0, x1, y1 in boxes:
        assert (v[1:, y0:y1, x0:x1] == AIR).all()
        assert (v[0, y0:y1, x0:x1] == DIRT).all()
    # Zone: its columns are cleared the same way.
    cols = zone_columns(m)
    assert cols.any()
    assert (v[1:, cols] == AIR).all()
    assert (v[0, cols] == DIRT).all()
    # Fairness: distances to the two spawn areas within 10%, never overlapping one.
    cx, cy, r = m.zone
    da, db = (distance_to_box(cx, cy, b) for b in boxes)
    assert min(da, db) > r, (da, db, r)
    assert abs(da - db) <= 0.1 * max(da, db), (da, db)
    ca = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in boxes]
    dca, dcb = (math.hypot(cx - px, cy - py) for px, py in ca)
    assert abs(dca - dcb) <= 0.1 * max(dca, dcb), (dca, dcb)


def assert_connected(m: GeneratedMap) -> None:
    corners = (CORNER_IDS[m.spawn_corners[0]], CORNER_IDS[m.spawn_corners[1]])
    result = _core.check_connectivity(m.voxels, corners, m.spawn_clear, m.zone)
    names = ("scout", "light", "medium", "heavy")
    for name, (blue, red) in zip(names, result, strict=True):
        assert blue and red, f"seed {m.seed}: {name} cannot reach the zone (blue {blue}, red {red})"
