"""One rank of ``echelon bench train --nproc N`` (started by torchrun): times the updates of
the config in CONFIG and has rank 0 write the timing to OUT.

    python -m torch.distributed.run --standalone --nproc-per-node=N \\
        -m echelon.bench.train_ranks CONFIG.json OUT.json UPDATES WARMUP
"""

from __future__ import annotations

import sys
from pathlib import Path

from echelon.bench.train_bench import run_ranks

if __name__ == "__main__":
    run_ranks(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
