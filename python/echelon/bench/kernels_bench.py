"""CUDA observation kernels: line-of-sight rays/s, voxel-steps/s, and assembly bandwidth.

Assembly GB/s counts the bytes the kernel must write (the observation tensor) per second of
kernel time; it is compared against the device's measured copy bandwidth (read + write).

With ``backend="cuda-emulated"`` the same measurement runs the host emulation of the kernels
(one CPU thread) against host memcpy bandwidth: not a GPU figure, but it runs this code on
machines without a GPU.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from echelon.config import EnvConfig
from echelon.env.vec_env import VecEnv


@dataclass(frozen=True)
class KernelResult:
    worlds: int
    agents: int
    obs_dim: int
    los_ms: float
    assemble_ms: float
    terrain_ms: float
    upload_ms: float
    mean_cells_per_ray: float

    @property
    def rays(self) -> int:
        return self.worlds * self.agents * (self.agents - 1) // 2

    @property
    def los_rays_per_s(self) -> float:
        return self.rays / (self.los_ms / 1000)

    @property
    def voxel_steps_per_s(self) -> float:
        return self.los_rays_per_s * self.mean_cells_per_ray

    @property
    def assemble_gbps(self) -> float:
        return self.worlds * self.agents * self.obs_dim * 4 / (self.assemble_ms / 1000) / 1e9

    def as_dict(self) -> dict[str, float]:
        d = asdict(self)
        d.update(
            los_rays_per_s=self.los_rays_per_s,
            voxel_steps_per_s=self.voxel_steps_per_s,
            assemble_gbps=self.assemble_gbps,
        )
        return d


def measure_copy_bandwidth(device: str = "cuda", nbytes: int = 1 << 30, repeats: int = 20) -> float:
    """Copy within `device` memory, bytes read plus written per second (median of `repeats`)."""
    src = torch.empty(nbytes, dtype=torch.uint8, device=device).random_(0, 255)
    dst = torch.empty_like(src)
    times = []
    for _ in range(repeats + 3):
        if device == "cuda":
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            dst.copy_(src)
            b.record()
            torch.cuda.synchronize()
            times.append(a.elapsed_time(b) / 1000)
        else:
            start = time.perf_counter()
            dst.copy_(src)
            times.append(time.perf_counter() - start)
    return 2 * nbytes / float(np.median(times[3:]))


def mean_cells_between_mechs(env: VecEnv) -> float:
    """Cells a pair ray crosses on average (|dx| + |dy| + |dz| in cells), from the live state."""
    pos = env.sim.mech_pos()
    a = env.num_agents
    i, j = np.triu_indices(a, 1)
    d = np.abs(np.floor(pos[:, i]) - np.floor(pos[:, j])).sum(-1)
    return float(d.mean())


def bench_kernels(
    map_size: tuple[int, int, int],
    packs: int,
    worlds: int,
    steps: int,
    backend: str = "cuda",
) -> KernelResult:
    """Mean per-step phase times of the observation mirror (``backend``: "cuda" or
    "cuda-emulated") over `steps` steps of random play, after 5 warm-up steps."""
    env = VecEnv(
        EnvConfig(map_size=map_size, packs_per_team=packs),
        num_worlds=worlds,
        device="cuda" if backend == "cuda" else "cpu",
        obs_backend=backend,
        seed=0,
    )
    env.reset()
    gen = torch.Generator().manual_seed(0)
    totals = {"upload_ms": 0.0, "terrain_ms": 0.0, "los_ms": 0.0, "assemble_ms": 0.0}
    cells = 0.0
    for t in range(steps + 5):
        a = torch.rand((worlds, env.num_agents, env.action_dim), generator=gen) * 2 - 1
        a = a.to(env.device)
        env.step(a)
        if t >= 5:
            for k, v in env.gpu_timings().items():
                totals[k] = totals.get(k, 0.0) + v
            cells += mean_cells_between_mechs(env)
    n = float(steps)
    return KernelResult(
        worlds,
        env.num_agents,
        env.obs_dim,
        totals["los_ms"] / n,
        totals["assemble_ms"] / n,
        totals["terrain_ms"] / n,
        totals["upload_ms"] / n,
        cells / n,
    )
