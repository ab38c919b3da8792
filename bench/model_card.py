"""Publish a trained checkpoint as a model directory with its card and ladder table.

    python bench/model_card.py RUN_DIR/checkpoints/update_N RUN_DIR models/ladder \
        --command "echelon train --preset ladder" --matches 200 --worlds 50 --seed 2026

Copies the policy (``model.safetensors`` + ``meta.json``; the trainer state stays in the run)
into OUT, plays it against ``heuristic:0`` ... ``heuristic:4`` with ``echelon eval OUT --ladder``
(the same env seeds for every level), draws the run's learning curve
(``bench/plot_training_curve.py``) and writes ``OUT/README.md`` (the model card: command, commit,
wall time, agent-steps, machine, W/D/L with 95% Wilson intervals) and ``OUT/ladder.json``.
OUT must not exist yet (``--force`` replaces it); nothing is written when an input is wrong.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plot_training_curve import plot, read_records, wall_minutes

from echelon.bench.machine import describe_machine

POLICY_FILES = ("model.safetensors", "meta.json")


def ladder(out: Path, matches: int, worlds: int, seed: int) -> list[dict[str, Any]]:
    cmd = [sys.executable, "-m", "echelon", "eval", str(out), "--ladder", "--json"]
    cmd += ["--matches", str(matches), "--worlds", str(worlds), "--seed", str(seed)]
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    reports: list[dict[str, Any]] = json.loads(done.stdout)
    return reports


def card(
    name: str,
    reports: list[dict[str, Any]],
    run: dict[str, Any],
    meta: dict[str, Any],
    args: argparse.Namespace,
) -> str:
    machine = describe_machine()
    rows = []
    for r in reports:
        (lo, hi), (slo, shi) = r["win_interval"], r["score_interval"]
        rows.append(
            f"| {r['red']} | {r['episodes']:.0f} | {r['wins']:.0f} | {r['draws']:.0f} | "
            f"{r['losses']:.0f} | {r['win_rate']:.3f} [{lo:.3f}, {hi:.3f}] | "
            f"{r['score']:.3f} [{slo:.3f}, {shi:.3f}] | {r['mean_length']:.0f} |"
        )
    env = meta["config"]["env"]
    return "\n".join(
        [
            f"# {name}: a PPO-LSTM policy trained by `echelon train`",
            "",
            "Blue's five mechs (one pack) on the standard map: procedural "
            f"{'×'.join(str(v) for v in env.get('map_size', []))} voxels, one pack per team, "
            f"full observation, {env.get('max_episode_seconds')} s episodes.",
            "",
            "| | |",
            "|---|---|",
            f"| command | `{args.command}` |",
            f"| commit | `{run['git']}` |",
            f"| wall time | {run['minutes']:.1f} minutes of training ({run['updates']} updates) |",
            f"| learner agent-steps | {run['agent_steps']:,} |",
            f"| final curriculum level | heuristic:{run['level']} |",
            f"| machine | {machine['cpu']}, {machine['cpus_available']} cores, "
            f"torch {run['torch']} (CPU) |",
            *([f"| note | {args.note} |"] if args.note else []),
            f"| checkpoint | the run's update {meta['counters']['update']} "
            f"(`{args.checkpoint.parent.name}/{args.checkpoint.name}`) |",
            "",
            f"## Ladder: {args.matches} matches against each heuristic level",
            "",
            f"`echelon eval {args.out} --ladder --matches {args.matches} --worlds {args.worlds} "
            f"--seed {args.seed}`: deterministic actions (the squashed mean), env seeds "
            f"{args.seed} … for every level (the same maps and spawns at each level), draws "
            "count half in the score.",
            "",
            "| red | matches | W | D | L | win rate [95% Wilson] | score [95% Wilson] | "
            "mean length (decisions) |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "## Learning curve",
            "",
            "![learning curve](curve.png)",
            "",
            "Training win rate against the level of that moment (the curriculum moves red up a "
            "level at 75% over 200 episodes), against learner agent-steps and wall-clock minutes.",
            "",
            "## Use",
            "",
            "```bash",
            f"echelon eval {args.out} --red heuristic:4 --matches 64",
            f"echelon eval {args.out} --ladder --matches 200 --worlds 50",
            "```",
            "",
            "`model.safetensors` holds the weights, `meta.json` the model spec, the "
            "observation layout and the training config (no code is loaded from it).",
            "",
        ]
    )


def run_facts(run_dir: Path) -> dict[str, Any]:
    records = read_records(run_dir)
    updates = records["update"]
    start = records["start"][0] if records["start"] else {}
    last = updates[-1]
    return {
        "git": start.get("git", "unknown"),
        "torch": start.get("torch", "unknown"),
        "minutes": wall_minutes(updates)[-1],
        "updates": int(last["update"]),
        "agent_steps": int(last["agent_steps"]),
        "level": int(last.get("opponent_level", 0)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--command", required=True, help="the training command, for the card")
    parser.add_argument("--matches", type=int, default=200)
    parser.add_argument("--worlds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--force", action="store_true", help="replace an existing OUT")
    parser.add_argument("--note", default="", help="a sentence for the card (e.g. the load)")
    args = parser.parse_args(argv)
    missing = [f for f in POLICY_FILES if not (args.checkpoint / f).is_file()]
    if missing:
        parser.error(f"{args.checkpoint} is not a checkpoint directory (no {', '.join(missing)})")
    if args.out.exists() and not args.force:
        parser.error(f"{args.out} exists: pass --force to replace it")
    facts = run_facts(args.run_dir)
    meta = json.loads((args.checkpoint / "meta.json").read_text(encoding="utf-8"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{args.out.name}.tmp-", dir=args.out.parent))
    tmp.chmod(0o755)  # mkdtemp makes 0700; the model directory is for everyone to read
    try:
        for name in POLICY_FILES:
            shutil.copy2(args.checkpoint / name, tmp / name)
        reports = ladder(tmp, args.matches, args.worlds, args.seed)
        for r in reports:  # the published path, not the temporary one
            r["checkpoint"] = str(args.out)
        (tmp / "ladder.json").write_text(json.dumps(reports, indent=1, sort_keys=True) + "\n")
        plot(args.run_dir, tmp / "curve.png", title=f"echelon train: {args.command}")
        (tmp / "README.md").write_text(card(args.out.name, reports, facts, meta, args))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if args.out.exists():
        shutil.rmtree(args.out)
    tmp.rename(args.out)
    print((args.out / "README.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
