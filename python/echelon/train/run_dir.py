"""Run directories: where a run writes, how checkpoints are found, and what a new run may reuse.

A run directory holds ``config.json``, ``metrics.jsonl`` (and ``metrics.superseded.jsonl`` after
a resume, see ``run_logger``), ``tb/``, ``checkpoints/update_N/`` and ``best/``. The rules that
keep runs from destroying each other:

* a new run gets a fresh folder, ``runs/train-YYYYmmdd-HHMMSS`` (``-2``, ``-3`` ... when that
  second is taken), unless ``--run-dir`` names one;
* a folder that already holds a run is never reused silently: ``--resume`` continues that run,
  ``--force`` deletes it and starts over, anything else is refused;
* ``--resume DIR`` writes into DIR, the folder the user named, not the folder recorded in the
  checkpoint (a copied run continues in the copy; a checkpoint chooses no paths, see
  ``echelon.train.trust``);
* resuming from a checkpoint that has later checkpoints beside it is refused without ``--force``
  (which deletes the later ones), so a run never holds two futures that rotation would mix up.

Nothing here writes: ``echelon train`` decides everything first, builds and loads the trainer,
and only then creates the folder (``claim``).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from echelon.train.checkpoint import META_FILE, CheckpointError
from echelon.train.run_logger import METRICS_FILE, SUPERSEDED_FILE

RUNS_ROOT = Path("runs")
CHECKPOINTS = "checkpoints"
BEST = "best"
# What makes a folder "a run": any of these written by an earlier `echelon train`.
RUN_MARKERS = ("config.json", METRICS_FILE, SUPERSEDED_FILE, CHECKPOINTS, BEST, "tb")
_UPDATE = re.compile(r"^update_(\d+)$")


def checkpoint_update(path: Path) -> int | None:
    """``.../update_000050`` -> 50; None for any other name."""
    match = _UPDATE.match(path.name)
    return int(match.group(1)) if match else None


def checkpoints(run_dir: Path) -> list[Path]:
    """The run's ``checkpoints/update_N`` folders, oldest update first."""
    folder = run_dir / CHECKPOINTS
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and checkpoint_update(p) is not None]
    return sorted(found, key=lambda p: checkpoint_update(p) or 0)


def latest_checkpoint(run_dir: Path) -> Path:
    found = checkpoints(run_dir)
    if not found:
        raise FileNotFoundError(f"no checkpoints under {run_dir / CHECKPOINTS}")
    return found[-1]


def is_checkpoint(path: Path) -> bool:
    return (path / META_FILE).is_file()


def holds_run(path: Path) -> str | None:
    """What shows that ``path`` holds a run (e.g. ``'checkpoints/update_000050'``), else None."""
    if not path.is_dir():
        return None
    found = checkpoints(path)
    if found:
        return f"{CHECKPOINTS}/{found[-1].name}"
    for marker in RUN_MARKERS:
        if (path / marker).exists():
            return marker
    return None


def default_run_dir(root: Path = RUNS_ROOT, now: float | None = None) -> Path:
    """``runs/train-YYYYmmdd-HHMMSS``, with ``-2``, ``-3`` ... if that name exists already."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    base = root / f"train-{stamp}"
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def claim(path: Path, fresh_name: bool) -> Path:
    """Create the run folder. A generated name is claimed with ``mkdir`` (no ``exist_ok``), so
    two runs started in the same second cannot share it: the second takes the next suffix."""
    if not fresh_name:
        path.mkdir(parents=True, exist_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate, n = path, 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            n += 1
            candidate = path.with_name(f"{path.name}-{n}")


class NoCheckpointYet(CheckpointError):
    """A run folder whose run has not written its first checkpoint."""


def find_checkpoint(path: Path, prefer_best: bool) -> Path:
    """The checkpoint folder that ``path`` names.

    ``path`` may be a checkpoint folder, a file inside one (``model.safetensors``,
    ``meta.json``), or a run folder: its ``best/`` (when ``prefer_best``, for evaluation) or else
    its latest ``checkpoints/update_N``.
    """
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_file():
        if is_checkpoint(path.parent):
            return path.parent
        raise CheckpointError(
            f"{path} is a file, not a checkpoint: give the checkpoint folder that holds "
            f"{META_FILE} and model.safetensors (e.g. RUN/best or RUN/checkpoints/update_N)"
        )
    if is_checkpoint(path):
        return path
    if prefer_best and is_checkpoint(path / BEST):
        return path / BEST
    found = checkpoints(path)
    if found:
        return found[-1]
    if holds_run(path) is not None:
        raise NoCheckpointYet(
            f"run {path} has no checkpoint yet (the first is written after save_every updates, "
            "and when the run ends or is stopped with Ctrl-C)"
        )
    raise CheckpointError(
        f"{path} holds no checkpoint: expected {META_FILE} inside, or a run folder with "
        f"{BEST}/ or {CHECKPOINTS}/update_N"
    )


def home_run(checkpoint: Path) -> Path | None:
    """The run folder a checkpoint belongs to (``RUN/best`` or ``RUN/checkpoints/update_N``)."""
    if checkpoint.name == BEST:
        return checkpoint.parent
    if checkpoint_update(checkpoint) is not None and checkpoint.parent.name == CHECKPOINTS:
        return checkpoint.parent.parent
    return None


def later_checkpoints(run_dir: Path, update: int) -> list[Path]:
    """Checkpoints of ``run_dir`` beyond ``update``: the future a resume from ``update`` would
    fork from."""
    return [p for p in checkpoints(run_dir) if (checkpoint_update(p) or 0) > update]


def clear_run(run_dir: Path) -> None:
    """``--force``: delete what an earlier run wrote (only the names a run writes)."""
    for marker in RUN_MARKERS:
        target = run_dir / marker
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()


def same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
