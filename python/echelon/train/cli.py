"""``echelon train`` and ``echelon eval``.

The lead's ``echelon/cli.py`` calls ``register(subparsers)``; each subcommand stores its
handler in ``func``. Examples::

    echelon train --preset smoke --device cpu
    echelon train --config my.yaml --set ppo.lr=1e-4 --env packs_per_team=2 --run-dir runs/a
    echelon train --resume runs/a            # latest checkpoint of that run
    echelon train --opponent heuristic:0 --curriculum   # scripted red, level raised by win rate
    echelon eval runs/a/best --episodes 64 --worlds 16
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from echelon.train.checkpoint import read_checkpoint_dir
from echelon.train.config import PRESETS, TrainConfig, config_from_dict, config_to_dict, merge
from echelon.train.config import resolve_config as _resolve_config
from echelon.train.env_protocol import BatchEnv
from echelon.train.trainer import EnvFactory, Trainer, resolve_device


def echelon_env_factory(
    env_kwargs: dict[str, Any], device: str = "cpu", num_threads: int | None = None
) -> EnvFactory:
    """Factory for the real simulator; imported lazily so this module loads without it."""

    def make(num_worlds: int, seed: int) -> BatchEnv:
        from echelon import EnvConfig, VecEnv  # type: ignore[attr-defined]

        env: BatchEnv = VecEnv(
            EnvConfig.from_dict(env_kwargs),
            num_worlds=num_worlds,
            device=device,
            seed=seed,
            num_threads=num_threads,
        )
        return env

    return make


def import_env_factory(spec: str, env_kwargs: dict[str, Any]) -> EnvFactory:
    """``"package.module:function"``; the function is called as ``f(num_worlds, seed, **env)``."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"env_factory must look like 'module:function', got {spec!r}")
    func = getattr(importlib.import_module(module_name), attr)

    def make(num_worlds: int, seed: int) -> BatchEnv:
        env: BatchEnv = func(num_worlds, seed, **env_kwargs)
        return env

    return make


def env_factory_for(cfg: TrainConfig) -> EnvFactory:
    if cfg.env_factory:
        return import_env_factory(cfg.env_factory, cfg.env)
    return echelon_env_factory(cfg.env, cfg.env_device, cfg.env_threads)


def latest_checkpoint(run_dir: Path) -> Path:
    candidates = sorted(
        p for p in (run_dir / "checkpoints").glob("update_*") if p.is_dir() and "." not in p.name
    )
    if not candidates:
        raise FileNotFoundError(f"no checkpoints under {run_dir / 'checkpoints'}")
    return candidates[-1]


def _key_values(items: list[str], flag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"{flag} expects KEY=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        out[key.strip()] = yaml.safe_load(raw)
    return out


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for name in (
        "device",
        "seed",
        "num_worlds",
        "total_steps",
        "run_dir",
        "opponent",
        "env_factory",
    ):
        value = getattr(args, name)
        if value is not None:
            flags[name] = value
    if args.wandb:
        flags["wandb"] = True
    if args.threads is not None:
        flags["torch_threads"] = args.threads
    if args.env_threads is not None:
        flags["env_threads"] = args.env_threads
    if args.heatmap_every is not None:
        flags["heatmap_every"] = args.heatmap_every
    if args.eval_video:
        flags["eval_video"] = True
    if args.no_eval_replay:
        flags["eval_replay"] = False
    if args.curriculum:
        flags["curriculum"] = {"enabled": True}
    elif args.opponent is not None and not args.opponent.startswith("heuristic:"):
        # The presets' heuristic curriculum does not apply to another opponent kind.
        flags["curriculum"] = {"enabled": False}
    league = {k: v for k, v in (("path", args.league), ("mode", args.league_mode)) if v}
    if args.submit:
        league["submit"] = True
    if args.submit_best:
        league["submit_best"] = True
    if league:
        flags["league"] = league
    if args.compile:
        flags["model"] = {"compile": True}
    if args.env:
        flags["env"] = _key_values(args.env, "--env")
    return flags


def resolve_train_config(args: argparse.Namespace) -> tuple[TrainConfig, Path | None]:
    """Returns the config and the checkpoint to resume from (if any)."""
    resume: Path | None = None
    if args.resume:
        path = Path(args.resume)
        resume = latest_checkpoint(path) if (path / "checkpoints").is_dir() else path
        _, _, meta = read_checkpoint_dir(resume, with_trainer=False)
        data = merge(meta["config"], _flags(args))
        for text in args.set or []:
            from echelon.train.config import parse_override

            data = merge(data, parse_override(text))
        return config_from_dict(data), resume
    return _resolve_config(args.preset, args.config, _flags(args), args.set), None


def handle_train(args: argparse.Namespace) -> int:
    from echelon.train.run_logger import RunLogger

    cfg, resume = resolve_train_config(args)
    run_dir = Path(cfg.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(config_to_dict(cfg), indent=1, sort_keys=True))
    wandb_cfg = None
    if cfg.wandb:
        wandb_cfg = {
            "project": cfg.wandb_project,
            "config": config_to_dict(cfg),
            "dir": str(run_dir),
            "resume": "allow",
        }
    logger = RunLogger(run_dir, tensorboard=True, wandb_config=wandb_cfg)
    try:
        trainer = Trainer(cfg, env_factory_for(cfg), run_dir=run_dir, logger=logger)
        if resume is not None:
            trainer.load(resume)
            logger.line(f"resumed from {resume} at update {trainer.update}")
        trainer.train()
        if cfg.league.submit:
            trainer.submit_to_league()
    finally:
        logger.close()
    return 0


def _trained_heuristic(cfg: TrainConfig, meta: dict[str, Any]) -> str | None:
    """The heuristic a checkpoint last trained against (its curriculum level if any)."""
    level = (meta.get("curriculum") or {}).get("level", cfg.heuristic_level())
    return None if level is None else f"heuristic:{level}"


def handle_eval(args: argparse.Namespace) -> int:
    from echelon.train.checkpoint import load_policy
    from echelon.train.evaluation import evaluate_policy
    from echelon.train.opponents import IdleOpponent, SelfPlayOpponent

    if args.record is not None and (
        (args.record.exists() and not args.record.is_dir()) or args.record_max < 1
    ):
        print(
            f"echelon eval: --record needs a folder (got {args.record}) and --record-max >= 1",
            file=sys.stderr,
        )
        return 2
    if args.checkpoint is None:  # core controllers on both sides: no policy involved
        from echelon.heuristic.cli import handle_match

        return handle_match(args)
    device = resolve_device(args.device)
    model, meta = load_policy(args.checkpoint, device)
    cfg = config_from_dict(meta["config"])
    red = args.red or _trained_heuristic(cfg, meta)
    if red:  # the core heuristic drives red; the opponent's rows are then ignored
        cfg = config_from_dict(merge(meta["config"], {"env": {"red": red}}))
    env: Any = env_factory_for(cfg)(args.worlds, args.seed)
    if args.record is not None:
        if not hasattr(env, "record"):
            raise SystemExit(
                "echelon eval: --record needs the Echelon simulator (not a custom env)"
            )
        import math

        env.record(
            worlds=range(args.worlds),
            episodes=math.ceil(args.episodes / args.worlds),  # the episodes evaluate_policy counts
            directory=args.record,
            name="eval_w{world:03d}_ep{episode:05d}",
            max_replays=args.record_max,
        )
        for w in range(args.worlds):
            env.set_replay_meta(
                w,
                {"source": "eval", "checkpoint": str(args.checkpoint), "red": red or args.opponent},
            )
    opponent: Any = None
    if getattr(env, "team_slices", {}).get("red") is not None:
        if args.opponent == "self":
            import torch

            opponent = SelfPlayOpponent(model, torch.Generator(device).manual_seed(args.seed))
        else:
            opponent = IdleOpponent(env.action_dim)
    result = evaluate_policy(
        env, model, args.episodes, device, opponent, deterministic=not args.stochastic
    )
    result_red = {"red": red or args.opponent}
    report: dict[str, Any] = {**result, **result_red, "checkpoint": str(args.checkpoint)}
    if "wins" in report:
        report.update(_intervals(report))
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(_eval_table(report))
    if args.record is not None:
        files = env.replay_files
        print(
            f"{len(files)} replays in {args.record}: watch with  echelon replay view {args.record}"
        )
    return 0


def _intervals(result: dict[str, Any]) -> dict[str, Any]:
    """95% Wilson intervals of the win rate and of the score (a draw counts half)."""
    from echelon.heuristic.ladder import wilson_interval

    n = int(result["episodes"])
    wins, draws = result["wins"], result["draws"]
    return {
        "win_interval": wilson_interval(wins, n),
        "score": (wins + 0.5 * draws) / n,
        "score_interval": wilson_interval(wins + 0.5 * draws, n),
    }


def _eval_table(r: dict[str, Any]) -> str:
    head = "| checkpoint | red | episodes | W | D | L | win rate [95% Wilson] | "
    head += "score [95% Wilson] | mean return | mean length |\n"
    head += "|---|---|---|---|---|---|---|---|---|---|"
    if "wins" not in r:
        return (
            f"{head}\n| {r['checkpoint']} | {r['red']} | {r['episodes']:.0f} | - | - | - | - | - | "
            + (f"{r['mean_return']:.2f} | {r['mean_length']:.0f} |")
        )
    (lo, hi), (slo, shi) = r["win_interval"], r["score_interval"]
    return (
        f"{head}\n| {r['checkpoint']} | {r['red']} | {r['episodes']:.0f} | {r['wins']:.0f} | "
        f"{r['draws']:.0f} | {r['losses']:.0f} | {r['win_rate']:.2f} [{lo:.2f}, {hi:.2f}] | "
        f"{r['score']:.2f} [{slo:.2f}, {shi:.2f}] | {r['mean_return']:.2f} | "
        f"{r['mean_length']:.0f} |"
    )


def register(subparsers: Any) -> None:
    train = subparsers.add_parser(
        "train",
        help="train a PPO-LSTM policy",
        description="Train a recurrent PPO policy for the blue team (see docs/training.md).",
    )
    train.add_argument("--preset", choices=sorted(PRESETS), default="default")
    train.add_argument("--config", type=Path, help="YAML file with TrainConfig fields")
    train.add_argument(
        "--set",
        action="append",
        metavar="SECTION.FIELD=VALUE",
        help="override any config field, e.g. ppo.lr=1e-4 (repeatable)",
    )
    train.add_argument(
        "--env",
        action="append",
        metavar="FIELD=VALUE",
        help="EnvConfig field, e.g. packs_per_team=2 (repeatable)",
    )
    train.add_argument("--device", choices=["auto", "cpu", "cuda"], default=None)
    train.add_argument("--seed", type=int)
    train.add_argument("--num-worlds", type=int)
    train.add_argument("--total-steps", type=int, help="learner agent-steps to train for")
    train.add_argument("--run-dir")
    train.add_argument(
        "--opponent",
        metavar="KIND",
        help="red team: self (frozen snapshots), idle, heuristic:N (core scripted, N 0..4) "
        "or league:PATH (league policies, one per world per episode)",
    )
    train.add_argument(
        "--curriculum",
        action="store_true",
        help="raise the heuristic level when the recent win rate passes curriculum.threshold",
    )
    train.add_argument(
        "--heatmap-every",
        type=int,
        metavar="N",
        help="TensorBoard heatmaps every N updates (0 off)",
    )
    train.add_argument(
        "--eval-video",
        action="store_true",
        help="log each evaluation's replay to TensorBoard as an animated GIF (eval/replay)",
    )
    train.add_argument(
        "--no-eval-replay",
        action="store_true",
        help="do not write RUN_DIR/replays/eval_update_N.echrep at each evaluation",
    )
    train.add_argument(
        "--env-factory", help="custom env: 'module:function(num_worlds, seed, **env)'"
    )
    train.add_argument("--resume", help="checkpoint directory, or a run directory (latest)")
    train.add_argument("--wandb", action="store_true", help="log to Weights & Biases")
    train.add_argument("--compile", action="store_true", help="torch.compile the model")
    train.add_argument("--threads", type=int, help="torch CPU threads")
    train.add_argument(
        "--league", metavar="PATH", help="league file for --submit (league:PATH opponents name it)"
    )
    train.add_argument(
        "--league-mode",
        choices=["even", "hard", "uniform"],
        help="PFSP weighting of league opponents (default even)",
    )
    train.add_argument(
        "--submit", action="store_true", help="add the final checkpoint to the league (candidate)"
    )
    train.add_argument(
        "--submit-best", action="store_true", help="also submit every new best checkpoint"
    )
    train.add_argument("--env-threads", type=int, help="simulator worker threads")
    train.set_defaults(func=handle_train)

    ev = subparsers.add_parser(
        "eval",
        help="evaluate a checkpoint",
        description="Evaluate a checkpoint: win/draw/loss with 95%% Wilson intervals "
        "(--json for JSON).",
    )
    ev.add_argument(
        "checkpoint",
        type=Path,
        nargs="?",
        help="checkpoint directory; omit it for --blue/--red or --ladder matches",
    )
    ev.add_argument("--episodes", type=int, default=32)
    ev.add_argument("--worlds", type=int, default=16)
    ev.add_argument("--seed", type=int, default=12345)
    ev.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu")
    ev.add_argument("--opponent", choices=["self", "idle"], default="idle")
    ev.add_argument("--stochastic", action="store_true", help="sample actions instead of the mean")
    ev.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="write replays of the evaluated episodes to DIR (watch: echelon replay view DIR)",
    )
    ev.add_argument(
        "--record-max",
        type=int,
        default=16,
        metavar="N",
        help="at most N replays per pairing (default 16)",
    )
    ev.set_defaults(func=handle_eval)
    from echelon.heuristic.cli import add_match_arguments

    add_match_arguments(ev)  # --blue/--red heuristic:N, --ladder (docs/heuristic.md)
