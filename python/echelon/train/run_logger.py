"""Run logging: ``metrics.jsonl``, TensorBoard scalars, optional W&B, console line.

* ``metrics.jsonl``: one JSON object per line, ``{"kind": "start" | "update" | "eval" |
  "checkpoint", ...}``; appended (resumed runs continue the same file) and flushed per
  record, so ``tail -f`` and pandas ``read_json(lines=True)`` both work. A run resumed from
  update N first moves the records of updates after N (written by the run that went on past
  its last checkpoint before it stopped) to ``metrics.superseded.jsonl`` (:meth:`RunLogger.rewind`),
  so every update appears once in ``metrics.jsonl`` and nothing is lost.
* TensorBoard via ``torch.utils.tensorboard`` (the ``tensorboard`` package), scalars
  grouped as ``train/*``, ``loss/*``, ``eval/*``, ``perf/*``, x-axis = agent steps.
* Images (heatmaps, ``heatmaps.py``) via ``SummaryWriter.add_image``, ``heatmap/*``.
* Weights & Biases is imported only when requested (``--wandb``), so it is never a
  dependency of a plain run.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from echelon.fileio import write_atomic

METRICS_FILE = "metrics.jsonl"
SUPERSEDED_FILE = "metrics.superseded.jsonl"
GROUPS = {
    "policy_loss": "loss",
    "value_loss": "loss",
    "entropy": "loss",
    "loss": "loss",
    "approx_kl": "loss",
    "clipfrac": "loss",
    "grad_norm": "loss",
    "explained_variance": "loss",
    "steps_per_second": "perf",
    "rollout_seconds": "perf",
    "update_seconds": "perf",
    "time_env": "time",
    "time_inference": "time",
    "time_learner": "time",
    "time_other": "time",
}


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN/inf
    return value


class RunLogger:
    def __init__(
        self,
        run_dir: Path | None,
        tensorboard: bool = True,
        wandb_config: dict[str, Any] | None = None,
        console: bool = True,
    ) -> None:
        self.run_dir = run_dir
        self.console = console
        self._jsonl: TextIO | None = None
        self._tb: Any = None
        self._wandb: Any = None
        if run_dir is not None:
            run_dir.mkdir(parents=True, exist_ok=True)
            # Held open for the whole run (closed in close()): one flush per record.
            self._jsonl = open(run_dir / METRICS_FILE, "a", encoding="utf-8")  # noqa: SIM115
            if tensorboard:
                from torch.utils.tensorboard import SummaryWriter

                self._tb = SummaryWriter(str(run_dir / "tb"))
        if wandb_config is not None:
            import wandb  # only when asked for

            self._wandb = wandb.init(**wandb_config)

    def record(self, kind: str, **fields: Any) -> None:
        if self._jsonl is None:
            return
        row = {"kind": kind, "time": time.time(), **{k: _jsonable(v) for k, v in fields.items()}}
        self._jsonl.write(json.dumps(row, sort_keys=True, default=str) + "\n")
        self._jsonl.flush()

    def rewind(self, update: int) -> int:
        """Resuming from ``update``: move every record of a later update (and any torn line) from
        ``metrics.jsonl`` to ``metrics.superseded.jsonl``; returns how many moved."""
        if self._jsonl is None or self.run_dir is None:
            return 0
        self._jsonl.close()
        path = self.run_dir / METRICS_FILE
        keep: list[str] = []
        moved: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            try:
                row = json.loads(line)
                later = isinstance(row, dict) and (row.get("update") or 0) > update
            except json.JSONDecodeError:
                later = True  # torn by the kill that stopped the run
            (moved if later else keep).append(line if line.endswith("\n") else line + "\n")
        if moved:
            with open(self.run_dir / SUPERSEDED_FILE, "a", encoding="utf-8") as fh:
                fh.writelines(moved)
                fh.flush()
                os.fsync(fh.fileno())
            write_atomic(path, "".join(keep))
        self._jsonl = open(path, "a", encoding="utf-8")  # noqa: SIM115
        return len(moved)

    def scalars(self, step: int, metrics: dict[str, float], prefix: str = "train") -> None:
        for key, value in metrics.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                continue
            tag = f"{GROUPS.get(key, prefix)}/{key}"
            if self._tb is not None:
                self._tb.add_scalar(tag, value, step)
        if self._wandb is not None:
            self._wandb.log(
                {f"{GROUPS.get(k, prefix)}/{k}": v for k, v in metrics.items()}, step=step
            )

    def image(self, tag: str, image: Any, step: int) -> None:
        """An ``[H, W, 3]`` uint8 image (e.g. a heatmap) to TensorBoard (and W&B if on)."""
        if self._tb is not None:
            self._tb.add_image(tag, image, step, dataformats="HWC")
        if self._wandb is not None:
            import wandb

            self._wandb.log({tag: wandb.Image(image)}, step=step)

    def line(self, text: str) -> None:
        if self.console:
            print(text, file=sys.stdout, flush=True)

    def close(self) -> None:
        if self._jsonl is not None:
            self._jsonl.close()
        if self._tb is not None:
            self._tb.close()
        if self._wandb is not None:
            self._wandb.finish()


def format_eta(seconds: float) -> str:
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"


TIME_SPLIT = (("env", "time_env"), ("act", "time_inference"), ("learn", "time_learner"))


def _time_split(m: dict[str, float]) -> str:
    """``"env 31% act 12% learn 52% | "``: shares of the update's wall time (other = rest)."""
    parts = [m.get(key) for _, key in TIME_SPLIT] + [m.get("time_other")]
    if not all(isinstance(v, float) for v in parts):
        return ""
    total = sum(parts)  # type: ignore[arg-type]
    if total <= 0:
        return ""
    shares = " ".join(f"{name} {100 * float(m[key]) / total:.0f}%" for name, key in TIME_SPLIT)
    return f"{shares} | "


def console_line(update: int, total_updates: int, m: dict[str, float], eta_s: float) -> str:
    def f(key: str, fmt: str) -> str:
        v = m.get(key)
        return format(v, fmt) if isinstance(v, float) and math.isfinite(v) else "-"

    return (
        f"upd {update:>5}/{total_updates} | steps {int(m.get('agent_steps', 0)):>10,} | "
        f"{f('steps_per_second', ',.0f')} sps | ret {f('episode_return', '+.3f')} | "
        f"win {f('win_rate', '.2f')} | pg {f('policy_loss', '+.4f')} vf {f('value_loss', '.4f')} "
        f"ent {f('entropy', '+.3f')} | kl {f('approx_kl', '.4f')} clip {f('clipfrac', '.3f')} "
        f"gn {f('grad_norm', '.3f')} | "
        + (f"lvl {int(m['opponent_level'])} | " if "opponent_level" in m else "")
        + _time_split(m)
        + f"eta {format_eta(eta_s)}"
    )
