"""Procedural map benchmark: maps/s at 100x100x20 and 200x200x24 on one thread, nav graph build
and A* timings, world reset cost. Prints a table and writes JSON with the machine described.

    python bench/bench_maps.py [--seeds 40] [--json bench/results/maps.json] [--quick]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from echelon.maps.bench import format_table, run_bench, write_json


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=40)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--json", default="bench/results/maps.json")
    args = p.parse_args()
    result = run_bench(seeds=args.seeds, quick=args.quick)
    print(format_table(result))
    write_json(result, Path(args.json))
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
