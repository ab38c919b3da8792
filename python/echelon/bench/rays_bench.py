"""Raycast throughput (CPU, and the CUDA kernel when built and a GPU is present)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from echelon import _core


@dataclass(frozen=True)
class RaysBenchResult:
    device: str
    rays: int
    seconds: float
    mean_cells: float

    @property
    def rays_per_s(self) -> float:
        return self.rays / self.seconds

    @property
    def voxel_steps_per_s(self) -> float:
        return self.rays * self.mean_cells / self.seconds


def random_world(rng: np.random.Generator, size: tuple[int, int, int], fill: float) -> np.ndarray:
    sx, sy, sz = size
    return np.where(rng.random((sz, sy, sx)) < fill, 1, 0).astype(np.uint8)


def random_rays(
    rng: np.random.Generator, size: tuple[int, int, int], n: int
) -> tuple[np.ndarray, np.ndarray]:
    hi = np.array(size, np.float32)
    hi[2] = min(hi[2], 6.0)  # mech-height rays, as weapons and sensors cast them
    return (
        rng.uniform(0, hi, (n, 3)).astype(np.float32),
        rng.uniform(0, hi, (n, 3)).astype(np.float32),
    )


def bench_rays(
    device: str,
    n: int,
    size: tuple[int, int, int] = (100, 100, 20),
    fill: float = 0.1,
    repeats: int = 5,
) -> RaysBenchResult:
    rng = np.random.default_rng(0)
    grid = random_world(rng, size, fill)
    starts, ends = random_rays(rng, size, n)
    # Cells a ray would cross if nothing blocked it: |dx|+|dy|+|dz| in cells (an upper bound).
    mean_cells = float(np.abs(np.floor(ends) - np.floor(starts)).sum(1).mean())
    if device == "cpu":
        blocked, hit = np.zeros(n, bool), np.zeros((n, 3), np.int32)
        args = (grid, starts, ends, False, blocked, hit, 0)
        _core.raycast_batch(*args)
        start = time.perf_counter()
        for _ in range(repeats):
            _core.raycast_batch(*args)
        return RaysBenchResult(
            "cpu (1 thread)", n, (time.perf_counter() - start) / repeats, mean_cells
        )
    dev = torch.device("cuda")
    g, s, e = (torch.from_numpy(x).to(dev) for x in (grid, starts, ends))
    blocked_t = torch.zeros(n, dtype=torch.bool, device=dev)
    hit_t = torch.zeros((n, 3), dtype=torch.int32, device=dev)
    stream = torch.cuda.current_stream().cuda_stream
    _core.raycast_batch(g, s, e, False, blocked_t, hit_t, stream)
    torch.cuda.synchronize()
    t0, t1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    t0.record()
    for _ in range(repeats):
        _core.raycast_batch(g, s, e, False, blocked_t, hit_t, stream)
    t1.record()
    torch.cuda.synchronize()
    return RaysBenchResult(
        f"cuda ({torch.cuda.get_device_name(0)})",
        n,
        t0.elapsed_time(t1) / 1000 / repeats,
        mean_cells,
    )
