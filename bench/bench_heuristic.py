"""Cost of the core heuristic opponent in the env step.

`python bench/bench_heuristic.py [--worlds 64] [--threads 1] [--steps 200] [--map-size 100 100 20]`

Steps the same batch with random actions for every external team, and with the red team (or
both teams) driven by the heuristic at each level; prints agent-steps/s (all agents of both
teams counted) and the cost relative to no heuristic. Speed is measured here, never in tests.
"""

from __future__ import annotations

import argparse

from echelon.bench.env_bench import bench_env
from echelon.config import HEURISTIC_MAX_LEVEL, EnvConfig


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worlds", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--map-size", type=int, nargs=3, default=(100, 100, 20))
    p.add_argument("--packs", type=int, default=1)
    args = p.parse_args()
    setups = [("external", "external")]
    setups += [("external", f"heuristic:{n}") for n in range(HEURISTIC_MAX_LEVEL + 1)]
    setups += [(f"heuristic:{HEURISTIC_MAX_LEVEL}", f"heuristic:{HEURISTIC_MAX_LEVEL}")]
    print(
        f"worlds={args.worlds} threads={args.threads} map={tuple(args.map_size)} "
        f"packs/team={args.packs} steps={args.steps}"
    )
    print("| blue | red | agent-steps/s | vs no heuristic |\n|---|---|---|---|")
    base = 0.0
    for blue, red in setups:
        cfg = EnvConfig(
            map_size=tuple(args.map_size), packs_per_team=args.packs, blue=blue, red=red
        )
        r = bench_env(cfg, args.worlds, args.threads, "cpu", args.steps)
        rate = r.agent_steps_per_s
        base = base or rate
        print(f"| {blue} | {red} | {rate:,.0f} | {rate / base:.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
