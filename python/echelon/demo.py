"""``echelon demo``: a short run of the batched env with random actions, throughput printed."""

from __future__ import annotations

import argparse
import time
from typing import Any

import torch

from echelon.cli_args import (
    add_device_argument,
    add_map_size_argument,
    non_negative_int,
    positive_int,
    resolve_device,
)
from echelon.config import EnvConfig
from echelon.env.vec_env import VecEnv


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("demo", help="run the env with random actions and print throughput")
    p.add_argument("--worlds", type=positive_int, default=64)
    p.add_argument("--steps", type=positive_int, default=500)
    p.add_argument("--threads", type=positive_int, default=None, help="default: all cores")
    p.add_argument("--packs", type=positive_int, default=1, help="packs per team (1..8)")
    add_map_size_argument(p, help_text="map size in voxels (default 100 100 20)")
    add_device_argument(p)
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    changes: dict[str, Any] = {"packs_per_team": args.packs}
    if args.map_size is not None:
        changes["map_size"] = tuple(args.map_size)
    cfg = EnvConfig(**changes)
    env = VecEnv(
        cfg,
        num_worlds=args.worlds,
        device=resolve_device(args.device),
        seed=args.seed,
        num_threads=args.threads,
    )
    print(
        f"{env}\nobservation blocks: "
        + ", ".join(f"{k}{list(b.shape)}" for k, b in env.obs_layout.items())
    )
    env.reset()
    gen = torch.Generator().manual_seed(args.seed)
    episodes, wins, ret = (
        0,
        [0, 0, 0],
        torch.zeros(env.num_worlds, env.num_agents, device=env.device),
    )
    finished_returns: list[float] = []
    start = last = time.perf_counter()
    for t in range(1, args.steps + 1):
        actions = (
            torch.rand((env.num_worlds, env.num_agents, env.action_dim), generator=gen) * 2 - 1
        ).to(env.device)
        _, reward, _, _, info = env.step(actions)
        ret += reward
        ended = info["episode_end"]
        if ended.any():
            episodes += int(ended.sum())
            finished_returns += ret[ended].mean(dim=1).tolist()
            for w in info["winner"][ended].tolist():
                wins[w] += 1
            ret[ended] = 0
        now = time.perf_counter()
        if now - last >= 2.0 or t == args.steps:
            rate = t * env.num_worlds * env.num_agents / (now - start)
            mean_ret = sum(finished_returns[-100:]) / max(1, len(finished_returns[-100:]))
            print(
                f"step {t:5d}/{args.steps}  {rate:12,.0f} agent-steps/s  episodes {episodes:5d}  "
                f"blue/red/draw {wins[0]}/{wins[1]}/{wins[2]}  mean return {mean_ret:7.3f}",
                flush=True,
            )
            last = now
    return 0
