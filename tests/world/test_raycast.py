"""Voxel DDA against an exact brute-force reference, pinned cases, and smoke spheres."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from echelon import _core

AIR, SOLID, GLASS, FOLIAGE, REINFORCED = 0, 1, 7, 9, 8
BLOCKS_LOS = {1, 4, 5, 8, 9}


def segment_cells(start: np.ndarray, end: np.ndarray, eps: float) -> set[tuple[int, int, int]]:
    """Cells whose interior the segment crosses for a parameter length > eps (exact slab test)."""
    lo = np.floor(np.minimum(start, end)).astype(int) - 1
    hi = np.floor(np.maximum(start, end)).astype(int) + 1
    d = end - start
    cells = set()
    for x in range(lo[0], hi[0] + 1):
        for y in range(lo[1], hi[1] + 1):
            for z in range(lo[2], hi[2] + 1):
                t0, t1 = 0.0, 1.0
                for ax, c in enumerate((x, y, z)):
                    if abs(d[ax]) < 1e-12:
                        if not (c < start[ax] < c + 1):
                            t0, t1 = 1.0, 0.0
                        continue
                    a, b = (c - start[ax]) / d[ax], (c + 1 - start[ax]) / d[ax]
                    t0, t1 = max(t0, min(a, b)), min(t1, max(a, b))
                if (t1 - t0) * np.linalg.norm(d) > eps:
                    cells.add((x, y, z))
    return cells


def brute_force_blocked(
    grid: np.ndarray, start: np.ndarray, end: np.ndarray, include_end: bool, eps: float
) -> bool:
    """The reference rules: skip the start cell, test the end cell only with include_end, and any
    cell outside the grid strictly between start and end blocks the ray."""
    sz, sy, sx = grid.shape
    sc = tuple(np.floor(start).astype(int))
    ec = tuple(np.floor(end).astype(int))
    for c in segment_cells(start, end, eps):
        if c == sc:
            continue
        inside = 0 <= c[0] < sx and 0 <= c[1] < sy and 0 <= c[2] < sz
        if c == ec:
            if include_end and inside and grid[c[2], c[1], c[0]] in BLOCKS_LOS:
                return True
            continue
        if not inside:
            return True
        if grid[c[2], c[1], c[0]] in BLOCKS_LOS:
            return True
    return False


def random_grid(rng: np.random.Generator, shape: tuple[int, int, int], fill: float) -> np.ndarray:
    mats = np.array([SOLID, GLASS, FOLIAGE, REINFORCED, 4, 5], np.uint8)
    grid = np.where(rng.random(shape) < fill, rng.choice(mats, size=shape), AIR).astype(np.uint8)
    return grid


@pytest.mark.parametrize("include_end", [False, True])
def test_dda_matches_brute_force_on_random_rays(include_end: bool) -> None:
    rng = np.random.default_rng(1234)
    checked = 0
    for _ in range(25):
        shape = tuple(int(v) for v in rng.integers(4, 12, size=3))
        grid = random_grid(rng, shape, fill=float(rng.uniform(0.05, 0.3)))
        size = np.array([shape[2], shape[1], shape[0]], float)
        for _ in range(100):
            # Endpoints mostly inside, sometimes just outside the grid (rays that leave it).
            a = rng.uniform(-0.5, size + 0.5)
            b = rng.uniform(-0.5, size + 0.5)
            a32, b32 = a.astype(np.float32).astype(float), b.astype(np.float32).astype(float)
            strict = brute_force_blocked(grid, a32, b32, include_end, eps=1e-4)
            lenient = brute_force_blocked(grid, a32, b32, include_end, eps=-1e-4)
            if strict != lenient:
                continue  # the ray grazes an edge within float32 rounding: either answer is right
            blocked, _ = _core.raycast(grid, tuple(a32), tuple(b32), include_end)
            assert blocked == strict, (shape, a32.tolist(), b32.tolist())
            checked += 1
    assert checked >= 0.97 * 2500  # only edge-grazing rays are skipped


def test_dda_axis_aligned_and_corner_rays() -> None:
    rng = np.random.default_rng(7)
    grid = random_grid(rng, (6, 9, 9), 0.2)
    checked = 0
    for _ in range(400):
        a = rng.integers(0, 9, size=3).astype(float) + 0.5
        b = a.copy()
        axis = rng.integers(0, 3)
        b[axis] = rng.integers(0, [9, 9, 6][axis]) + 0.5
        a[2] = min(a[2], 5.5)
        b[2] = min(b[2], 5.5)
        expected = brute_force_blocked(grid, a, b, False, eps=1e-6)
        assert _core.raycast(grid, tuple(a), tuple(b), False)[0] == expected
        checked += 1
    # Exact diagonal through cell corners of an empty grid: clear.
    empty = np.zeros((8, 8, 8), np.uint8)
    assert _core.raycast(empty, (0.0, 0.0, 0.0), (7.99, 7.99, 7.99), True) == (False, None)
    assert checked == 400


def test_pinned_reference_cases() -> None:
    grid = np.zeros((10, 10, 10), np.uint8)
    grid[:, :, 5] = SOLID  # a wall at x = 5
    y, z = 5.5, 5.5
    assert _core.raycast(grid, (2.5, y, z), (4.0, y, z)) == (False, None)
    assert _core.raycast(grid, (6.5, y, z), (9.5, y, z)) == (False, None)
    blocked, voxel = _core.raycast(grid, (2.5, y, z), (8.5, y, z))
    assert blocked and voxel is not None and voxel[0] == 5
    glass = np.zeros((10, 10, 10), np.uint8)
    glass[:, :, 5] = GLASS
    assert _core.raycast(glass, (2.5, y, z), (8.5, y, z)) == (False, None)
    # zero-length ray is clear; start and end cells are never tested without include_end
    assert _core.raycast(grid, (5.5, y, z), (5.5, y, z)) == (False, None)
    assert _core.raycast(grid, (5.5, y, z), (8.5, y, z))[0] is False
    assert _core.raycast(grid, (2.5, y, z), (5.5, y, z))[0] is False
    assert _core.raycast(grid, (2.5, y, z), (5.5, y, z), True) == (True, (5, 5, 5))


def test_start_inside_solid_and_leaving_grid() -> None:
    grid = np.zeros((6, 6, 6), np.uint8)
    grid[3, 3, 3] = SOLID
    assert _core.raycast(grid, (3.5, 3.5, 3.5), (5.5, 3.5, 3.5))[0] is False  # start cell skipped
    # a ray whose end lies outside the grid leaves it first: blocked with no voxel
    assert _core.raycast(grid, (1.5, 1.5, 1.5), (8.5, 1.5, 1.5)) == (True, None)
    # a ray that starts above the grid is blocked on its first step
    assert _core.raycast(grid, (1.5, 1.5, 7.5), (1.5, 1.5, 1.5)) == (True, None)


def test_batch_agrees_with_single_rays() -> None:
    rng = np.random.default_rng(3)
    grid = random_grid(rng, (8, 16, 16), 0.15)
    n = 2000
    starts = rng.uniform(0, [16, 16, 8], size=(n, 3)).astype(np.float32)
    ends = rng.uniform(0, [16, 16, 8], size=(n, 3)).astype(np.float32)
    blocked = np.zeros(n, bool)
    hit = np.zeros((n, 3), np.int32)
    _core.raycast_batch(grid, starts, ends, True, blocked, hit)
    for i in range(0, n, 7):
        b, v = _core.raycast(grid, tuple(starts[i]), tuple(ends[i]), True)
        assert blocked[i] == b
        assert (tuple(hit[i]) == v) if v is not None else (hit[i] == -1).all() or b


def test_batch_rejects_bad_outputs() -> None:
    grid = np.zeros((4, 4, 4), np.uint8)
    s = np.zeros((3, 3), np.float32)
    with pytest.raises(ValueError):
        _core.raycast_batch(grid, s, s, False, np.zeros(2, bool), np.zeros((3, 3), np.int32))
    with pytest.raises(TypeError):  # wrong dtype is refused, not silently copied
        _core.raycast_batch(grid, s, s, False, np.zeros(3, np.int32), np.zeros((3, 3), np.int32))


def test_segment_sphere() -> None:
    c, r = (5.0, 0.0, 0.0), 1.0
    assert _core.segment_hits_sphere((0, 0, 0), (10, 0, 0), c, r)
    assert not _core.segment_hits_sphere((0, 2, 0), (10, 2, 0), c, r)
    assert _core.segment_hits_sphere((0, 1, 0), (10, 1, 0), c, r)  # tangent counts (<= r)
    assert _core.segment_hits_sphere((5, 0, 0), (9, 9, 0), c, r)  # starts inside
    assert not _core.segment_hits_sphere((0, 0, 0), (3, 0, 0), c, r)  # stops short
    assert not _core.segment_hits_sphere((5, 0, 0), (5, 0, 0), c, r)  # degenerate: clear


@pytest.mark.cuda
def test_cuda_raycast_matches_cpu() -> None:
    assert _core.has_cuda, "this build has no CUDA kernels"
    rng = np.random.default_rng(11)
    grid = random_grid(rng, (20, 64, 64), 0.1)
    n = 100_000
    starts = rng.uniform(-1, [65, 65, 21], size=(n, 3)).astype(np.float32)
    ends = rng.uniform(-1, [65, 65, 21], size=(n, 3)).astype(np.float32)
    for include_end in (False, True):
        cb, ch = np.zeros(n, bool), np.zeros((n, 3), np.int32)
        _core.raycast_batch(grid, starts, ends, include_end, cb, ch)
        dev = torch.device("cuda")
        gb = torch.zeros(n, dtype=torch.bool, device=dev)
        gh = torch.full((n, 3), -7, dtype=torch.int32, device=dev)
        _core.raycast_batch(
            torch.from_numpy(grid).to(dev),
            torch.from_numpy(starts).to(dev),
            torch.from_numpy(ends).to(dev),
            include_end,
            gb,
            gh,
            torch.cuda.current_stream().cuda_stream,
        )
        torch.cuda.synchronize()
        assert np.array_equal(gb.cpu().numpy(), cb)
        assert np.array_equal(gh.cpu().numpy(), ch)
