"""Raycast throughput table: `python bench/bench_rays.py [--rays N] [--device cpu|cuda]`."""

import sys

from echelon.cli import main

sys.exit(main(["bench", "rays", *sys.argv[1:]]))
