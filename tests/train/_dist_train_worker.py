"""A training job for the distributed tests: ``torchrun ... _dist_train_worker.py CONFIG OUT N``.

Builds the trainer of CONFIG (a TrainConfig as JSON) in every rank of the job and runs N updates.
Every rank writes its weights before (``initial<r>.safetensors``) and after
(``rank<r>.safetensors``) and its update metrics (``history<r>.json``). Without torchrun it is
the single-process reference.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from echelon.distributed import init_from_env
from echelon.train.cli import env_factory_for
from echelon.train.config import config_from_dict
from echelon.train.trainer import Trainer


def _save(model: torch.nn.Module, path: Path) -> None:
    save_file({k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}, path)


def run(config: dict[str, Any], out: Path, updates: int) -> None:
    torch.set_num_threads(1)
    comm = init_from_env()
    try:
        cfg = config_from_dict(config)
        trainer = Trainer(cfg, env_factory_for(cfg, comm), comm=comm)
        out.mkdir(parents=True, exist_ok=True)
        _save(trainer.model, out / f"initial{comm.rank}.safetensors")
        history = [trainer.run_update() for _ in range(updates)]
        _save(trainer.model, out / f"rank{comm.rank}.safetensors")
        (out / f"history{comm.rank}.json").write_text(json.dumps(history))
    finally:
        comm.close()


if __name__ == "__main__":
    run(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]), int(sys.argv[3]))
