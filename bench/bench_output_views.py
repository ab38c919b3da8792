"""Cost of VecEnv's fresh output views (docs/security.md, section 4).

`python bench/bench_output_views.py [--worlds 1,4,64] [--steps 400] [--out PATH]`

Every `VecEnv.step` returns new views of the env's buffers (so nothing a caller does to a returned
tensor reaches the env). This times, side by side in one process, a whole `env.step` and the
view creation alone (the same dict comprehension over the env's ten output tensors), interleaved
in rounds so machine load affects both alike, and reports the share of a step the views take.
Results go to bench/results/output_views.json with the machine described.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from echelon import EnvConfig, VecEnv
from echelon.bench.machine import describe_machine
from echelon.bench.table import format_table, write_json


def _time_views(env: VecEnv, calls: int) -> float:
    out = env._out
    start = time.perf_counter()
    for _ in range(calls):
        _ = {k: t.detach() for k, t in out.items()}
    return (time.perf_counter() - start) / calls


def _time_steps(env: VecEnv, actions: list[torch.Tensor], steps: int) -> float:
    start = time.perf_counter()
    for i in range(steps):
        env.step(actions[i % len(actions)])
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", default="1,4,64")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/results/output_views.json"))
    args = parser.parse_args()
    rows, records = [], []
    for worlds in (int(w) for w in args.worlds.split(",")):
        env = VecEnv(EnvConfig(), num_worlds=worlds, seed=0, num_threads=1)
        env.reset()
        gen = torch.Generator().manual_seed(0)
        shape = (worlds, env.num_agents, env.action_dim)
        actions = [torch.rand(shape, generator=gen) * 2 - 1 for _ in range(8)]
        _time_steps(env, actions, 20)
        step_s, view_s = [], []
        for _ in range(args.rounds):
            step_s.append(_time_steps(env, actions, args.steps))
            view_s.append(_time_views(env, args.steps * 10))
        step, view = statistics.median(step_s), statistics.median(view_s)
        rows.append((worlds, step * 1e6, view * 1e6, f"{100 * view / step:.2f}%"))
        records.append(
            {"worlds": worlds, "step_us": step * 1e6, "views_us": view * 1e6, "share": view / step}
        )
    print("default EnvConfig (100x100x20 simple map), 1 thread, median of rounds")
    print(format_table(["worlds", "step us", "views us", "views / step"], rows))
    write_json(args.out, {"machine": describe_machine(), "results": records})
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
