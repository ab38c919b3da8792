"""``echelon map render`` and ``echelon map bench``.

The top-level ``echelon`` command calls ``register(subparsers)``. Examples::

    echelon map render --seed 7 --size 100 100 20 --out maps/seed7
    echelon map bench --json runs/bench_maps.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def handle_render(args: argparse.Namespace) -> int:
    from echelon.maps.generate import generate_map
    from echelon.maps.render import render_map

    m = generate_map(tuple(args.size), args.seed, args.packs)
    top, height = render_map(m, args.out)
    recipe_path = Path(args.out) / "recipe.json"
    recipe_path.write_text(json.dumps(m.recipe, indent=2, sort_keys=True) + "\n")
    print(f"seed {m.seed}: biomes {m.biomes}, transform {m.transform}, zone {m.zone}")
    print(f"content hash {m.content_hash}; fix-ups {list(m.fixups) or 'none'}")
    print(f"wrote {top}, {height}, {recipe_path}")
    return 0


def handle_bench(args: argparse.Namespace) -> int:
    from echelon.maps.bench import format_table, run_bench, write_json

    result = run_bench(seeds=args.seeds, quick=args.quick)
    print(format_table(result))
    if args.json:
        write_json(result, Path(args.json))
        print(f"wrote {args.json}")
    return 0


def register(subparsers: Any) -> None:
    mp = subparsers.add_parser("map", help="procedural maps: render one, benchmark the generator")
    sub = mp.add_subparsers(dest="map_command", required=True)
    render = sub.add_parser("render", help="write a top view and a height map PNG of one map")
    render.add_argument("--seed", type=int, required=True)
    render.add_argument(
        "--size", type=int, nargs=3, metavar=("X", "Y", "Z"), default=[100, 100, 20]
    )
    render.add_argument(
        "--packs", type=int, default=1, help="packs per team (sizes the spawn squares)"
    )
    render.add_argument("--out", required=True, help="output folder")
    render.set_defaults(func=handle_render)
    bench = sub.add_parser("bench", help="maps/s, nav build and A* timings on one thread")
    bench.add_argument("--seeds", type=int, default=40, help="maps per size")
    bench.add_argument("--quick", action="store_true", help="fewer maps, for a smoke run")
    bench.add_argument("--json", help="also write the results as JSON to this file")
    bench.set_defaults(func=handle_bench)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="echelon")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
