"""Training curve of an ``echelon train`` run: episode return and win rate, curriculum level.

    python bench/plot_training_curve.py RUN_DIR OUT.png [--title TEXT]

Reads ``RUN_DIR/metrics.jsonl`` (records of kind ``start``, ``update`` and ``eval``; a resumed
run's repeated updates keep their last record) and draws three panels: against learner
agent-steps (updates on the top axis), the mean return of the last 100 training episodes (and
the evaluation return) and the win rate (training and evaluation); then the training win rate
against wall-clock minutes since the run started. The red heuristic level (``opponent_level``)
is a step line on a second axis of both win-rate panels: the win rate is always against the
level of that moment. Matplotlib with the Agg backend (no display needed); a small PNG.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def read_records(run_dir: Path) -> dict[str, list[dict[str, Any]]]:
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: is {run_dir} an echelon train run directory?")
    updates: dict[int, dict[str, Any]] = {}
    evals: dict[int, dict[str, Any]] = {}
    starts: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("kind") == "start":
            starts.append(row)
        elif row.get("kind") == "update":
            updates[int(row["update"])] = row
        elif row.get("kind") == "eval":
            evals[int(row["update"])] = row
    if not updates:
        raise ValueError(f"{path} holds no update records yet")
    return {
        "update": [updates[k] for k in sorted(updates)],
        "eval": [evals[k] for k in sorted(evals)],
        "start": starts,
    }


def wall_minutes(rows: list[dict[str, Any]]) -> list[float]:
    """Minutes of training before each update ended. Gaps between a stop and a resume do not
    count: an update's wall time is its own (``time`` minus the previous record's ``time``, or
    its ``update_seconds`` share when a record follows a gap of more than a minute)."""
    out: list[float] = []
    total = 0.0
    previous: float | None = None
    for row in rows:
        now = float(row["time"])
        step = now - previous if previous is not None else 0.0
        if previous is None or not 0.0 <= step <= 60.0:
            step = float(row.get("rollout_seconds", 0.0)) + float(row.get("update_seconds", 0.0))
        total += step
        out.append(total / 60.0)
        previous = now
    return out


def _series(rows: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for row in rows:
        value = row.get(key)
        if isinstance(value, (int, float)) and math.isfinite(value):
            xs.append(float(row["agent_steps"]))
            ys.append(float(value))
    return xs, ys


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _level_axis(ax: Any, xs: list[float], levels: list[float]) -> None:
    """The red heuristic level as a step line on a second y axis, with one legend."""
    if not levels:
        ax.legend(loc="upper right", fontsize=8)
        return
    ax_lvl = ax.twinx()
    ax_lvl.step(xs, levels, where="post", color="tab:red", lw=1.5, label="red heuristic level")
    ax_lvl.set_ylabel("heuristic level", color="tab:red")
    top = max(4.0, max(levels))
    ax_lvl.set_ylim(-0.1, top + 0.1)
    ax_lvl.set_yticks(range(int(top) + 1))
    lines = ax.get_lines() + ax_lvl.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], loc="upper right", fontsize=8)


def plot(run_dir: Path, out: Path, title: str | None = None) -> None:
    records = read_records(run_dir)
    upd, ev = records["update"], records["eval"]
    fig, (ax_ret, ax_win, ax_wall) = plt.subplots(3, 1, figsize=(8, 8.5), dpi=100)
    ax_win.sharex(ax_ret)
    ax_ret.plot(
        *_series(upd, "episode_return"), color="tab:blue", label="training (last 100 episodes)"
    )
    if ev:
        ax_ret.plot(
            *_series(ev, "mean_return"),
            "o-",
            color="tab:orange",
            ms=3,
            label="evaluation (deterministic)",
        )
    ax_ret.set_ylabel("episode return")
    ax_ret.grid(alpha=0.3)
    ax_ret.legend(loc="lower right", fontsize=8)

    ax_win.plot(*_series(upd, "win_rate"), color="tab:blue", label="training win rate")
    if ev:
        ax_win.plot(
            *_series(ev, "win_rate"), "o-", color="tab:orange", ms=3, label="evaluation win rate"
        )
    ax_win.set_ylim(-0.02, 1.02)
    ax_win.set_ylabel("win rate")
    ax_win.set_xlabel("learner agent-steps")
    ax_win.grid(alpha=0.3)
    _level_axis(ax_win, *_series(upd, "opponent_level"))

    minutes = wall_minutes(upd)
    timed = [(m, r) for m, r in zip(minutes, upd, strict=True)]
    wins = [(m, float(r["win_rate"])) for m, r in timed if _finite(r.get("win_rate"))]
    ax_wall.plot(
        [m for m, _ in wins], [w for _, w in wins], color="tab:blue", label="training win rate"
    )
    ax_wall.set_ylim(-0.02, 1.02)
    ax_wall.set_ylabel("win rate")
    ax_wall.set_xlabel("wall-clock minutes of training")
    ax_wall.grid(alpha=0.3)
    levels = [(m, float(r["opponent_level"])) for m, r in timed if _finite(r.get("opponent_level"))]
    _level_axis(ax_wall, [m for m, _ in levels], [v for _, v in levels])

    steps_per_update = float(upd[-1]["agent_steps"]) / float(upd[-1]["update"])
    top = ax_ret.secondary_xaxis(
        "top", functions=(lambda s: s / steps_per_update, lambda u: u * steps_per_update)
    )
    top.set_xlabel("updates")
    fig.suptitle(title or f"echelon train: {run_dir.name}", fontsize=11)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--title")
    args = parser.parse_args(argv)
    plot(args.run_dir, args.out, args.title)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
