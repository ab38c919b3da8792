"""End-to-end training throughput beside the environment alone, for the same config.

``bench_train`` builds the same ``Trainer`` that ``echelon train`` builds (no run directory:
no evaluation, checkpoints or heatmaps), runs a warm-up update and then ``updates`` timed
updates, and reports learner agent-steps/s with the split of the time (simulator, policy
acting, PPO learner, the rest). It then steps a fresh environment of the same config, world
count and threads with pre-drawn random actions for as many steps as the timed rollouts took,
and reports the environment-only rate in the same unit (learner agent-steps: env steps x
learning agents). ``ratio = train / env`` is the share of the simulator's speed that reaches
the learner.

``bench_train_processes`` times the same config trained by N processes (torch.distributed, one
rank per process, the worlds split between them; docs/training.md, "Several processes and
machines"): it starts them through ``torch.distributed.run`` on this machine, each running
``time_updates`` (``python -m echelon.bench.train_ranks``), and reports rank 0's rate, which is
the job's (every update ends in collectives, so the ranks keep pace).
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from echelon.distributed import SINGLE, Comm
from echelon.train.config import TrainConfig, config_from_dict, config_to_dict

SPLIT_KEYS = ("time_env", "time_inference", "time_learner", "time_other")


@dataclass(frozen=True)
class TrainBenchResult:
    updates: int
    learner_steps: int  # learner agent-steps in the timed updates
    seconds: float
    time_env: float
    time_inference: float
    time_learner: float
    time_other: float
    env_only_seconds: float
    env_only_steps: int  # env steps (each stepping every world once)
    columns: int  # learning agents over all worlds
    num_agents: int  # agents per world, both teams
    env_threads: int | None  # simulator threads of the trainer's env
    torch_threads: int

    @property
    def train_steps_per_s(self) -> float:
        return self.learner_steps / self.seconds

    @property
    def env_steps_per_s(self) -> float:
        """Environment alone, in learner agent-steps per second."""
        return self.env_only_steps * self.columns / self.env_only_seconds

    @property
    def ratio(self) -> float:
        return self.train_steps_per_s / self.env_steps_per_s

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.update(
            train_learner_steps_per_s=self.train_steps_per_s,
            env_only_learner_steps_per_s=self.env_steps_per_s,
            ratio=self.ratio,
        )
        return out


@dataclass(frozen=True)
class UpdatesTiming:
    """``updates`` timed training updates of one job (rank 0's clock with several processes)."""

    processes: int
    worlds_per_process: list[int]
    updates: int
    learner_steps: int  # the job's learner agent-steps in the timed updates
    seconds: float
    split: dict[str, float]  # time_env, time_inference, time_learner, time_other (rank 0)
    columns: int  # the job's learning agents
    env_threads: int | None  # per process
    torch_threads: int  # per process

    @property
    def steps_per_s(self) -> float:
        return self.learner_steps / self.seconds


def time_updates(
    cfg: TrainConfig, updates: int, warmup: int = 1, comm: Comm = SINGLE
) -> tuple[UpdatesTiming, Any]:
    """Build the trainer ``echelon train`` builds (in this rank of ``comm``), run ``warmup``
    untimed and ``updates`` timed updates; returns the timing and the trainer."""
    from echelon.train.cli import env_factory_for
    from echelon.train.trainer import Trainer

    if updates < 1 or warmup < 0:
        raise ValueError(f"updates must be >= 1 and warmup >= 0, got {updates}, {warmup}")
    cfg = dataclasses.replace(cfg, eval_every=0, save_every=0, heatmap_every=0)
    trainer = Trainer(cfg, env_factory_for(cfg, comm), comm=comm)
    for _ in range(warmup):
        trainer.run_update()
    totals = dict.fromkeys(SPLIT_KEYS, 0.0)
    comm.barrier()
    start = time.perf_counter()
    for _ in range(updates):
        metrics = trainer.run_update()
        for key in totals:
            totals[key] += metrics[key]
    seconds = time.perf_counter() - start
    timing = UpdatesTiming(
        processes=comm.world_size,
        worlds_per_process=list(trainer.shard.counts),
        updates=updates,
        learner_steps=updates * trainer.samples_per_update,
        seconds=seconds,
        split=totals,
        columns=trainer.collector.per_world * cfg.num_worlds,
        env_threads=getattr(trainer.env, "num_threads", None),
        torch_threads=torch.get_num_threads(),
    )
    return timing, trainer


def bench_train_processes(
    cfg: TrainConfig, nproc: int, updates: int, warmup: int = 1
) -> UpdatesTiming:
    """The same job in ``nproc`` processes on this machine (torchrun); rank 0's timing."""
    from echelon.distributed import launch_torchrun

    with tempfile.TemporaryDirectory(prefix="echelon-bench-") as tmp:
        config, out = Path(tmp) / "config.json", Path(tmp) / "timing.json"
        config.write_text(json.dumps(config_to_dict(cfg)))
        code = launch_torchrun(
            nproc,
            [str(config), str(out), str(updates), str(warmup)],
            module="echelon.bench.train_ranks",
        )
        if code != 0 or not out.is_file():
            raise RuntimeError(f"the {nproc}-process benchmark failed (exit code {code})")
        return UpdatesTiming(**json.loads(out.read_text()))


def run_ranks(config: Path, out: Path, updates: int, warmup: int) -> None:
    """One rank of ``bench_train_processes`` (``python -m echelon.bench.train_ranks``)."""
    from echelon.distributed import init_from_env

    comm = init_from_env()
    try:
        cfg = config_from_dict(json.loads(config.read_text()))
        timing, _ = time_updates(cfg, updates, warmup, comm)
        if comm.is_main:
            out.write_text(json.dumps(dataclasses.asdict(timing)))
    finally:
        comm.close()


def bench_train(cfg: TrainConfig, updates: int, warmup: int = 1) -> TrainBenchResult:
    """Times ``updates`` training updates and the environment alone for the same config."""
    from echelon.train.cli import env_factory_for
    from echelon.train.env_protocol import opponent_slice

    timing, trainer = time_updates(cfg, updates, warmup)
    cfg = trainer.cfg
    factory = env_factory_for(cfg)
    totals = timing.split
    seconds = timing.seconds
    columns = trainer.collector.columns
    learner_steps = timing.learner_steps
    env_steps = updates * cfg.ppo.rollout_steps
    red_external = opponent_slice(trainer.env) is not None
    del trainer

    env = factory(cfg.num_worlds, cfg.seed + 7)
    env.reset()
    gen = torch.Generator().manual_seed(cfg.seed)
    shape = (env.num_worlds, env.num_agents, env.action_dim)
    pool = [torch.rand(shape, generator=gen) * 2 - 1 for _ in range(8)]
    if not red_external:  # a core-driven red ignores its rows; keep them zero like training
        for actions in pool:
            actions[:, env.num_agents // 2 :] = 0.0
    for i in range(min(10, env_steps)):
        env.step(pool[i % len(pool)])
    t0 = time.perf_counter()
    for i in range(env_steps):
        env.step(pool[i % len(pool)])
    env_seconds = time.perf_counter() - t0
    return TrainBenchResult(
        updates=updates,
        learner_steps=learner_steps,
        seconds=seconds,
        env_only_seconds=env_seconds,
        env_only_steps=env_steps,
        columns=columns,
        num_agents=env.num_agents,
        env_threads=timing.env_threads,
        torch_threads=timing.torch_threads,
        **totals,
    )
