"""``echelon map render`` and ``echelon map bench``.

The top-level ``echelon`` command calls ``register(subparsers)``. Examples::

    echelon map render --seed 7 --map-size 100 100 20 --out maps/seed7
    echelon map bench --json runs/bench_maps.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from echelon.cli_args import add_map_size_argument, non_negative_int, positive_int
from echelon.fileio import require_parent_dir, write_atomic


def handle_render(args: argparse.Namespace) -> int:
    from echelon.maps.generate import generate_map
    from echelon.maps.render import render_map

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} is a file; give a folder (created if missing)")
    m = generate_map(tuple(args.map_size), args.seed, args.packs)  # validates before any write
    top, height = render_map(m, out)
    recipe = json.dumps(m.recipe, indent=2, sort_keys=True) + "\n"
    recipe_path = write_atomic(out / "recipe.json", recipe)
    print(f"seed {m.seed}: biomes {m.biomes}, transform {m.transform}, zone {m.zone}")
    print(f"content hash {m.content_hash}; fix-ups {list(m.fixups) or 'none'}")
    print(f"wrote {top}, {height}, {recipe_path}")
    return 0


def handle_bench(args: argparse.Namespace) -> int:
    from echelon.maps.bench import format_table, run_bench, write_json

    if args.json:
        require_parent_dir(args.json, "--json")  # before a minute of benchmarking
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
    render.add_argument("--seed", type=non_negative_int, required=True)
    add_map_size_argument(render, "--size", default=[100, 100, 20])
    render.add_argument(
        "--packs", type=positive_int, default=1, help="packs per team (sizes the spawn squares)"
    )
    render.add_argument(
        "--out", required=True, help="output folder (created with its parents if missing)"
    )
    render.set_defaults(func=handle_render)
    bench = sub.add_parser("bench", help="maps/s, nav build and A* timings on one thread")
    bench.add_argument("--seeds", type=positive_int, default=40, help="maps per size")
    bench.add_argument("--quick", action="store_true", help="fewer maps, for a smoke run")
    bench.add_argument(
        "--json", help="also write the results as JSON to this file (its folder must exist)"
    )
    bench.set_defaults(func=handle_bench)
