"""Env throughput: `python bench/bench_env.py [--worlds 1,64,256] [--threads 1,2] [--device cuda]`.

Same as `echelon bench env`; results go to bench/results/env.json with the machine described.
"""

import sys

from echelon.cli import main

sys.exit(main(["bench", "env", *sys.argv[1:]]))
