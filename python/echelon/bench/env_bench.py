"""Environment throughput: agent-steps/s against world count and thread count."""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from echelon.config import EnvConfig
from echelon.env.vec_env import VecEnv


@dataclass(frozen=True)
class EnvBenchResult:
    worlds: int
    threads: int
    device: str
    packs_per_team: int
    steps: int
    seconds: float
    sim_seconds: float | None = None  # the same steps without writing observations (split=True)
    gpu_ms: dict[str, float] | None = None  # mean per step of each mirror phase (CUDA path)
    obs_backend: str = "cpu"

    @property
    def agent_steps_per_s(self) -> float:
        return self.steps * self.worlds * 10 * self.packs_per_team / self.seconds


def bench_env(
    cfg: EnvConfig,
    worlds: int,
    threads: int,
    device: str,
    steps: int,
    warmup: int = 10,
    seed: int = 0,
    split: bool = False,
    obs_backend: str = "auto",
) -> EnvBenchResult:
    """Steps `worlds` worlds with uniform random actions, pre-drawn so the policy costs nothing."""
    env = VecEnv(
        cfg,
        num_worlds=worlds,
        device=device,
        seed=seed,
        num_threads=threads,
        obs_backend=obs_backend,
    )
    env.reset()
    gen = torch.Generator(device="cpu").manual_seed(seed)
    pool = [
        (torch.rand((worlds, env.num_agents, env.action_dim), generator=gen) * 2 - 1).to(env.device)
        for _ in range(8)
    ]
    for i in range(warmup):
        env.step(pool[i % len(pool)])
    if env.device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(steps):
        env.step(pool[i % len(pool)])
    if env.device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    sim_seconds, gpu_ms = None, None
    if env.obs_backend in ("cuda", "cuda-emulated"):
        totals: dict[str, float] = {}
        for i in range(min(steps, 50)):
            env.step(pool[i % len(pool)])
            for k, v in env.gpu_timings().items():
                totals[k] = totals.get(k, 0.0) + v
        gpu_ms = {k: v / min(steps, 50) for k, v in totals.items()}
        if split:
            # The simulator alone, stepped directly: no mirror upload, kernels or copies.
            env.sim.set_write_observations(False)
            host_pool = [p.cpu() for p in pool]
            start = time.perf_counter()
            for i in range(steps):
                env.sim.step(host_pool[i % len(host_pool)])
            sim_seconds = time.perf_counter() - start
    elif split:
        # The same steps with the observation writer switched off: the rest is simulation.
        env.sim.set_write_observations(False)
        start = time.perf_counter()
        for i in range(steps):
            env.step(pool[i % len(pool)])
        sim_seconds = time.perf_counter() - start
    backend = env.obs_backend
    env.close()
    return EnvBenchResult(
        worlds, threads, device, cfg.packs_per_team, steps, seconds, sim_seconds, gpu_ms, backend
    )
