"""``echelon demo``: a short run of the batched env with random actions, throughput printed."""

from __future__ import annotations

import argparse
import time

import torch

from echelon.config import EnvConfig
from echelon.env.vec_env import VecEnv


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("demo", help="run the env with random actions and print throughput")
    p.add_argument("--worlds", type=int, default=64)
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--packs", type=int, default=1)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    cfg = EnvConfig(packs_per_team=args.packs)
    env = VecEnv(
        cfg, num_worlds=args.worlds, device=args.device, seed=args.seed, num_threads=args.threads
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
