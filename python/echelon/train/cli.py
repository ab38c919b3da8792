"""``echelon train`` and ``echelon eval``.

The ``echelon`` command (``echelon/cli.py``) calls ``register(subparsers)``; each subcommand
stores its handler in ``func`` and raises on bad input (``echelon.cli_errors`` turns that into one
line and exit code 2). Examples::

    echelon train --preset smoke                 # a new folder runs/train-<date>-<time>
    echelon train --config my.yaml --set ppo.lr=1e-4 --env packs_per_team=2 --run-dir runs/a
    echelon train --resume runs/a                # latest checkpoint of that run, written there
    echelon train --opponent heuristic:0 --curriculum   # scripted red, level raised by win rate
    echelon eval runs/a --matches 64             # runs/a/best (else its latest checkpoint)

Run folders (``echelon.train.run_dir``): a new run never writes into a folder holding another
run; ``train`` decides the folder, validates the config, builds the trainer and loads the
checkpoint before it writes anything.

Several processes: under ``torchrun`` every rank runs ``handle_train``; rank 0 plans the run (and
reports a bad command line once) and sends the plan to the others, all build their part of the
trainer, rank 0 alone writes. ``--nproc N`` checks the command here and then starts the same
command through ``torch.distributed.run`` with N processes on this machine.

A checkpoint is untrusted input (``echelon.train.trust``, docs/security.md): the config it
carries may not choose code (``env_factory``), paths (``run_dir``, league files) or uploads
(``wandb``); ``eval`` and ``train --resume`` take those from the command line only.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import importlib.util
import json
import math
import shlex
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import torch
import yaml

from echelon.cli_args import (
    DEVICE_HELP,
    add_map_size_argument,
    device_name,
    non_negative_int,
    positive_float,
    positive_int,
    resolve_device,
)
from echelon.cli_errors import EXIT_INTERRUPTED, EXIT_USAGE, fail
from echelon.config import HEURISTIC_MAX_LEVEL
from echelon.distributed import (
    SINGLE,
    Comm,
    MainRankFailed,
    WorldShard,
    cores_available,
    init_from_env,
    launch_torchrun,
    launched_by_torchrun,
    strip_nproc,
    thread_share,
)
from echelon.fileio import write_atomic
from echelon.train import run_dir as run_dirs
from echelon.train.checkpoint import CheckpointError, read_checkpoint_dir, remove_checkpoint_dir
from echelon.train.config import (
    PRESETS,
    TrainConfig,
    config_from_dict,
    config_to_dict,
    merge,
    parse_override,
)
from echelon.train.config import resolve_config as _resolve_config
from echelon.train.distributed import accepts_world_offset
from echelon.train.env_protocol import BatchEnv
from echelon.train.run_logger import format_eta
from echelon.train.trainer import EnvFactory, Trainer
from echelon.train.trust import trusted_config

DEFAULT_PRESET = "default"
EVAL_MATCHES = 32  # default --matches with a checkpoint (core-controller matches: 100)
DEFAULT_EVAL_NAME = "eval_w{world:03d}_ep{episode:05d}"  # eval --record's replay files


def echelon_env_factory(
    env_kwargs: dict[str, Any], device: str = "cpu", num_threads: int | None = None
) -> EnvFactory:
    """Factory for the real simulator; imported lazily so this module loads without it.
    ``world_offset`` (a rank's first world) is passed on to ``VecEnv``."""

    def make(num_worlds: int, seed: int, world_offset: int = 0) -> BatchEnv:
        from echelon import EnvConfig, VecEnv  # type: ignore[attr-defined]

        env: BatchEnv = VecEnv(
            EnvConfig.from_dict(env_kwargs),
            num_worlds=num_worlds,
            device=device,
            seed=seed,
            num_threads=num_threads,
            world_offset=world_offset,
        )
        return env

    return make


def import_env_factory(spec: str, env_kwargs: dict[str, Any]) -> EnvFactory:
    """``"package.module:function"``; the function is called as ``f(num_worlds, seed, **env)``,
    with ``world_offset=`` too when it takes that keyword (several processes)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"env_factory must look like 'module:function', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"env_factory {spec!r}: cannot import {module_name!r} ({exc}); is it on PYTHONPATH?"
        ) from None
    func = getattr(module, attr, None)
    if not callable(func):
        raise ValueError(f"env_factory {spec!r}: {module_name} has no function {attr!r}")

    if accepts_world_offset(func):  # a rank's block of worlds (docs/training.md, section 12)

        def make_block(num_worlds: int, seed: int, world_offset: int = 0) -> BatchEnv:
            env: BatchEnv = func(num_worlds, seed, world_offset=world_offset, **env_kwargs)
            return env

        return make_block

    def make(num_worlds: int, seed: int) -> BatchEnv:
        env: BatchEnv = func(num_worlds, seed, **env_kwargs)
        return env

    return make


def env_factory_for(cfg: TrainConfig, comm: Comm = SINGLE) -> EnvFactory:
    """The config's env factory. With several processes on a machine, ``env_threads`` defaults
    to an even share of its cores per process (one process: one thread per core)."""
    if cfg.env_factory:
        return import_env_factory(cfg.env_factory, cfg.env)
    threads = cfg.env_threads
    if threads is None and comm.distributed:
        threads = thread_share(comm.local_world_size)
    return echelon_env_factory(cfg.env, cfg.env_device, threads)


def _cli_leagues(args: argparse.Namespace) -> set[str]:
    """League paths the command line itself names (``trust.trusted_config``)."""
    from echelon.train.league_opponent import parse_league_opponent

    named = {args.league} if getattr(args, "league", None) else set()
    opponent = parse_league_opponent(args.opponent) if getattr(args, "opponent", None) else None
    return named | ({opponent} if opponent else set())


def _key_values(items: list[str], flag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"{flag} expects FIELD=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        try:
            out[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ValueError(
                f"{flag} {item!r}: the value is not valid YAML (lists look like [64,64,16])"
            ) from None
    return out


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for name in (
        "device",
        "seed",
        "num_worlds",
        "total_steps",
        "opponent",
        "env_factory",
        "init_from",
        "time_limit_minutes",
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
    env = _key_values(args.env or [], "--env")
    if args.map_size is not None:
        env["map_size"] = list(args.map_size)
    if env:
        flags["env"] = env
    return flags


@dataclass
class RunPlan:
    """Everything ``echelon train`` decided before writing anything."""

    cfg: TrainConfig
    run_dir: Path
    fresh_name: bool  # a generated runs/train-<time> name, claimed with mkdir
    resume: Path | None = None
    clear_old_run: bool = False  # --force over a folder that holds another run
    drop_later: list[Path] = field(default_factory=list)  # --force: checkpoints after the resume


def _refuse_reuse(target: Path, marker: str) -> NoReturn:
    fail(
        f"{target} already holds a run ({marker}): continue it with `echelon train --resume "
        f"{shlex.quote(str(target))}`, start over there with --force (deletes that run), or "
        "leave out --run-dir for a fresh folder"
    )


def _overrides(data: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    data = merge(data, _flags(args))
    for text in args.set or []:
        data = merge(data, parse_override(text))
    return data


def plan_run(args: argparse.Namespace, processes: int = 1, machines: int = 1) -> RunPlan:
    """Resolve the config, the run folder and the checkpoint to resume; validate; write nothing.
    ``processes``/``machines``: the job's size (every process needs a world; a league shared by
    several machines needs locks that reach them all)."""
    if args.resume:
        plan = _plan_resume(args)
    else:
        if args.run_dir is None and getattr(args, "force", False):
            fail("--force applies to an existing --run-dir; a new run gets a fresh folder anyway")
        cfg = _resolve_config(args.preset or DEFAULT_PRESET, args.config, _flags(args), args.set)
        named = args.run_dir or cfg.run_dir
        target = Path(named).expanduser() if named else run_dirs.default_run_dir()
        plan = RunPlan(cfg, target, fresh_name=not named)
        marker = run_dirs.holds_run(target)
        if marker is not None:
            if not args.force:
                _refuse_reuse(target, marker)
            plan.clear_old_run = True
    if plan.run_dir.exists() and not plan.run_dir.is_dir():
        fail(f"--run-dir {plan.run_dir} is a file; give a folder")
    plan.cfg = dataclasses.replace(plan.cfg, run_dir=str(plan.run_dir))
    if not plan.cfg.env_factory:
        from echelon.config import EnvConfig

        EnvConfig.from_dict(plan.cfg.env)  # every field and range, before anything is built
    resolve_device(plan.cfg.device)
    WorldShard.split(plan.cfg.num_worlds, processes)  # at least one world per process
    league = plan.cfg.league_path()
    if league is not None and not Path(league).is_file():
        fail(f"no league at {league}; create one with `echelon arena init {league}`")
    if league is not None:
        from echelon.arena.locking import require_shared_locks

        require_shared_locks(league, machines)
    if plan.cfg.wandb and importlib.util.find_spec("wandb") is None:
        fail("--wandb needs the wandb package: pip install wandb")
    if importlib.util.find_spec("tensorboard") is None:
        fail("training logs to TensorBoard: pip install tensorboard (or 'echelon[train]')")
    return plan


def _plan_resume(args: argparse.Namespace) -> RunPlan:
    if args.config is not None or args.preset is not None:
        fail(
            "--preset and --config do not apply with --resume: the run keeps its config "
            "(change single fields with --set or flags such as --total-steps)"
        )
    source = Path(args.resume).expanduser()
    try:
        checkpoint = run_dirs.find_checkpoint(source, prefer_best=False)
    except run_dirs.NoCheckpointYet as err:
        fail(
            f"{err}: start a new run without --resume (or start over in that folder with "
            f"--run-dir {shlex.quote(str(source))} --force)"
        )
    _, _, meta = read_checkpoint_dir(checkpoint, with_trainer=False)  # meta.json checked too
    if not isinstance(meta.get("config"), dict) or not isinstance(meta.get("counters"), dict):
        raise CheckpointError(f"{checkpoint} is not a training checkpoint (no config/counters)")
    # What a checkpoint may decide (docs/security.md): no code, no paths, no uploads. Its run_dir
    # is dropped; the run folder is decided below from the command line.
    saved = trusted_config(
        meta["config"], checkpoint, args.env_factory, _cli_leagues(args), bool(args.wandb)
    )
    cfg = config_from_dict(_overrides(saved, args))
    home = run_dirs.home_run(checkpoint)
    is_run_folder = source.is_dir() and not run_dirs.is_checkpoint(source)
    if args.run_dir is not None:
        target, fresh = Path(args.run_dir).expanduser(), False
    elif is_run_folder:
        target, fresh = source, False
    elif home is not None:
        target, fresh = home, False
    else:  # a checkpoint copied out of its run: continue in a new folder
        target, fresh = run_dirs.default_run_dir(), True
    plan = RunPlan(cfg, target, fresh_name=fresh, resume=checkpoint)
    if home is not None and run_dirs.same_path(home, target):
        update = int(meta["counters"].get("update", 0))
        later = run_dirs.later_checkpoints(target, update)
        if later and not args.force:
            fail(
                f"{target} has checkpoints after {checkpoint.name} (latest {later[-1].name}): "
                f"resume the latest with `echelon train --resume {shlex.quote(str(target))}`, "
                "branch into another folder with --run-dir, or pass --force to delete the later "
                "checkpoints"
            )
        plan.drop_later = later
    else:
        marker = run_dirs.holds_run(target)
        if marker is not None:
            if not args.force:
                _refuse_reuse(target, marker)
            plan.clear_old_run = True
    return plan


def _describe_opponent(cfg: TrainConfig) -> str:
    text = cfg.opponent
    if cfg.curriculum.enabled:
        text += " with the curriculum (level rises at a win rate of "
        text += f"{cfg.curriculum.threshold:.0%})"
    return text


def _banner(plan: RunPlan, trainer: Trainer, preset: str | None) -> str:
    cfg = trainer.cfg
    per_world = trainer.collector.per_world
    state = f"resumed from {plan.resume} at update {trainer.update}" if plan.resume else "new run"
    threads = torch.get_num_threads()
    env_threads = getattr(trainer.env, "num_threads", None)
    sim = f"; simulator: {env_threads} thread(s)" if env_threads else ""
    comm = trainer.comm
    lines = [
        f"run dir   {plan.run_dir} ({state})",
        f"device    {trainer.device} (torch {threads} thread(s)){sim}"
        + (" per process" if comm.distributed else ""),
    ]
    if comm.distributed:
        lines.append(
            f"processes {comm.world_size} on {comm.nodes} machine(s) ({comm.backend}), worlds "
            f"{'+'.join(map(str, trainer.shard.counts))}; rank 0 logs, evaluates and saves"
        )
    lines += [
        f"worlds    {cfg.num_worlds} x {per_world} learning agents = "
        f"{cfg.num_worlds * per_world} per step; red: {_describe_opponent(cfg)}",
        f"preset    {preset}" if preset else f"config    {plan.resume}/meta.json (+ flags)",
        f"total     {cfg.total_steps:,} learner agent-steps = {trainer.total_updates} updates of "
        f"{trainer.samples_per_update:,}",
    ]
    return "\n".join(lines)


def _named_again(cfg: TrainConfig, resume: bool) -> str:
    """Flags a later command must repeat, because a checkpoint cannot decide them itself
    (``trust.trusted_config``): the env factory; for a resume also the league and W&B."""
    flags = []
    if cfg.env_factory:
        flags += ["--env-factory", cfg.env_factory]
    if resume:
        league = cfg.league_opponent_path()
        if league:
            flags += ["--opponent", f"league:{league}"]
        if cfg.league.path and cfg.league.path != league:
            flags += ["--league", cfg.league.path]
        if cfg.wandb:
            flags.append("--wandb")
    return "".join(f" {shlex.quote(flag)}" for flag in flags)


def _summary(run_dir: Path, trainer: Trainer, seconds: float, steps_done: int) -> str:
    rate = steps_done / seconds if seconds > 0 else float("nan")
    lines = [
        f"finished update {trainer.update}/{trainer.total_updates} "
        f"({trainer.agent_steps:,} agent-steps) in {format_eta(seconds)}, "
        f"{rate:,.0f} agent-steps/s"
    ]
    best = run_dir / run_dirs.BEST
    if (best / "meta.json").is_file():
        meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
        ev = meta.get("eval") or {}
        update = (meta.get("counters") or {}).get("update", "?")
        win = ev.get("win_rate")
        score = f"win rate {win:.2f}, " if isinstance(win, (int, float)) else ""
        ret = ev.get("mean_return")
        score += f"return {ret:+.3f}" if isinstance(ret, (int, float)) else ""
        lines.append(f"best      {best} (update {update}: {score})")
        target = best
    else:
        latest = run_dirs.checkpoints(run_dir)
        target = latest[-1] if latest else run_dir
        lines.append(
            f"best      none: no evaluation ran (eval_every={trainer.cfg.eval_every}); "
            f"latest checkpoint {target}"
        )
    again = _named_again(trainer.cfg, resume=False)
    lines.append(f"next      echelon eval {shlex.quote(str(target))} --matches 64{again}")
    return "\n".join(lines)


def _nothing_to_do(trainer: Trainer) -> None:
    if trainer.update >= trainer.total_updates:
        fail(
            f"the checkpoint is at update {trainer.update}, and total_steps "
            f"{trainer.cfg.total_steps:,} ends at update {trainer.total_updates}: pass a larger "
            "--total-steps to train further"
        )


def handle_train(args: argparse.Namespace) -> int:
    if getattr(args, "nproc", None) is not None:
        return _launch_ranks(args)
    comm = init_from_env()
    if comm.rank > 0:  # errors of a rank other than 0 say which rank
        args.command_name = f"{args.command_name} (rank {comm.rank})"
    try:
        return _train(args, comm)
    except MainRankFailed:  # rank 0 reported it
        return EXIT_USAGE
    finally:
        comm.close()


def _train(args: argparse.Namespace, comm: Comm) -> int:
    from echelon.train.run_logger import RunLogger

    # Rank 0 plans (the other machines need not see the run folder) and sends the plan.
    plan = comm.share_from_main(lambda: plan_run(args, comm.world_size, comm.nodes))
    cfg = plan.cfg
    main = comm.is_main
    trainer = Trainer(cfg, env_factory_for(cfg, comm), run_dir=plan.run_dir, comm=comm)
    if plan.resume is not None:
        trainer.load(plan.resume)
        _nothing_to_do(trainer)
    # Everything is valid: from here on the run writes (rank 0 alone).
    run_dir = plan.run_dir
    if main:
        if plan.clear_old_run:
            run_dirs.clear_run(plan.run_dir)
        for stale in plan.drop_later:
            remove_checkpoint_dir(stale)  # a kill mid-delete leaves no half checkpoint
        run_dir = run_dirs.claim(plan.run_dir, plan.fresh_name)
    run_dir = comm.broadcast_object(run_dir)
    if run_dir != plan.run_dir:  # the generated name was taken meanwhile
        plan.run_dir, trainer.run_dir = run_dir, run_dir
        cfg = trainer.cfg = dataclasses.replace(cfg, run_dir=str(run_dir))
    logger = RunLogger(None, console=False)
    if main:
        config_text = json.dumps(config_to_dict(cfg), indent=1, sort_keys=True)
        write_atomic(run_dir / "config.json", config_text)
        wandb_cfg = None
        if cfg.wandb:
            wandb_cfg = {
                "project": cfg.wandb_project,
                "config": config_to_dict(cfg),
                "dir": str(run_dir),
                "resume": "allow",
            }
        logger = RunLogger(run_dir, tensorboard=True, wandb_config=wandb_cfg)
        trainer.logger = logger
        if plan.resume is not None:  # records a killed run wrote after this checkpoint move aside
            logger.rewind(trainer.update)
        preset = None if plan.resume else args.preset or DEFAULT_PRESET
        print(_banner(plan, trainer, preset), flush=True)
        for note in (trainer.env_note, trainer.resume_note):
            if note:
                logger.line(f"note      {note}")
        if plan.resume is not None:
            logger.line(f"resumed from {plan.resume} at update {trainer.update}")
    started, start_steps = time.perf_counter(), trainer.agent_steps
    try:
        with _stop_on_signals(trainer, sigterm=comm.distributed):
            trainer.train()
        if trainer.stop_requested:
            path = trainer.checkpoint_now()
            if main:
                print(
                    f"\nstopped at update {trainer.update}/{trainer.total_updates}: saved {path}\n"
                    f"resume with: echelon train --resume {shlex.quote(str(run_dir))}"
                    + _named_again(cfg, resume=True),
                    flush=True,
                )
            return EXIT_INTERRUPTED
        if cfg.league.submit:
            trainer.submit_to_league()
    finally:
        logger.close()
    seconds = time.perf_counter() - started
    if main:
        print(_summary(run_dir, trainer, seconds, trainer.agent_steps - start_steps), flush=True)
    return 0


def _launch_ranks(args: argparse.Namespace) -> int:
    """``--nproc N``: check the command once here, then run it in N processes (torchrun)."""
    nproc = int(args.nproc)
    if launched_by_torchrun():
        fail(
            "--nproc starts torchrun itself; under torchrun leave it out (torchrun sets the ranks)"
        )
    plan = plan_run(args, nproc)  # the command's mistakes, once, before any process starts
    cfg = plan.cfg
    if resolve_device(cfg.device).startswith("cuda") and torch.cuda.device_count() < nproc:
        fail(
            f"--nproc {nproc} with device {cfg.device}: each process needs its own GPU and torch "
            f"sees {torch.cuda.device_count()}; lower --nproc or use --device cpu"
        )
    if cfg.device.startswith("cuda:"):
        fail(f"--device {cfg.device} names one GPU; with --nproc use --device cuda (one GPU each)")
    cores = cores_available()
    if not resolve_device(cfg.device).startswith("cuda") and nproc > cores:
        print(
            f"echelon train: note: {nproc} processes on {cores} core(s): each gets one thread and "
            "they take turns; fewer processes are usually faster",
            file=sys.stderr,
            flush=True,
        )
    argv = strip_nproc(args.argv)
    if plan.fresh_name and args.resume is None:
        argv += ["--run-dir", str(plan.run_dir)]  # every rank agrees on the generated name
    return launch_torchrun(nproc, argv)


@contextlib.contextmanager
def _stop_on_signals(trainer: Trainer, sigterm: bool = False) -> Iterator[None]:
    """First Ctrl-C: finish the update in progress, then stop and save. Second: quit now.
    ``sigterm`` (under torchrun, which forwards Ctrl-C and SIGTERM to every rank): SIGTERM
    does the same as Ctrl-C, so a preempted job saves its last update."""

    def on_signal(signum: int, frame: Any) -> None:
        if trainer.stop_requested:
            raise KeyboardInterrupt
        trainer.stop_requested = True
        if trainer.comm.is_main:
            print(
                f"\n{signal.Signals(signum).name}: stopping after this update to save a "
                "checkpoint (Ctrl-C again quits without saving)",
                file=sys.stderr,
                flush=True,
            )

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return
    signals = [signal.SIGINT] + ([signal.SIGTERM] if sigterm else [])
    previous = {s: signal.signal(s, on_signal) for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _trained_heuristic(cfg: TrainConfig, meta: dict[str, Any]) -> str | None:
    """The heuristic a checkpoint last trained against (its curriculum level if any)."""
    level = (meta.get("curriculum") or {}).get("level", cfg.heuristic_level())
    return None if level is None else f"heuristic:{level}"


def _refuse(flags: dict[str, bool], why: str) -> None:
    given = [name for name, present in flags.items() if present]
    if given:
        fail(f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply {why}")


def _eval_env_overrides(args: argparse.Namespace) -> dict[str, Any]:
    env: dict[str, Any] = {}
    if args.map_size is not None:
        env["map_size"] = list(args.map_size)
    if args.map_type is not None:
        env["map_type"] = args.map_type
    if args.packs is not None:
        env["packs_per_team"] = args.packs
    if args.episode_seconds is not None:
        env["max_episode_seconds"] = args.episode_seconds
    if args.omniscient:
        env["heuristic_omniscient"] = True
    return env


def handle_eval(args: argparse.Namespace) -> int:
    from echelon.train.checkpoint import load_policy

    if args.record is not None and args.record.exists() and not args.record.is_dir():
        fail(f"--record needs a folder, got {args.record} (a file)")
    if args.checkpoint is None:  # core controllers on both sides: no policy involved
        from echelon.heuristic.cli import handle_match

        _refuse(
            {
                "--opponent": args.opponent is not None,
                "--stochastic": args.stochastic,
                "--device": args.device is not None,
                "--env-factory": args.env_factory is not None,
            },
            "without a CHECKPOINT: core-controller matches run on the simulator (see --threads)",
        )
        return handle_match(args)
    _refuse(
        {"--blue": args.blue is not None},
        "with a CHECKPOINT (it plays blue; choose its opponent with --red heuristic:N)",
    )
    if args.ladder:
        _refuse(
            {"--red": args.red is not None, "--opponent": args.opponent is not None},
            "with --ladder (the checkpoint plays every heuristic level in turn)",
        )
    checkpoint = run_dirs.find_checkpoint(Path(args.checkpoint), prefer_best=True)
    device = resolve_device(args.device or "auto")
    model, meta = load_policy(checkpoint, device)
    if not isinstance(meta.get("config"), dict):
        raise CheckpointError(f"{checkpoint}: meta.json has no training config to rebuild its env")
    # The checkpoint's config picks the env, never code (docs/security.md). Evaluation plays no
    # league, so league paths in it are dropped rather than confirmed.
    saved = dict(meta["config"])
    if str(saved.get("opponent", "")).startswith("league:"):
        saved["opponent"] = "self"
    saved.pop("league", None)
    saved = trusted_config(saved, checkpoint, args.env_factory, None, False)
    cfg = config_from_dict(saved)
    env_changes = _eval_env_overrides(args)
    if cfg.env_factory and (env_changes or args.red or args.ladder):
        fail(
            f"{checkpoint} was trained on a custom env ({cfg.env_factory}): --red, --ladder, "
            "--map-size, --map-type, --packs, --episode-seconds and --omniscient apply to the "
            "echelon simulator"
        )
    if args.ladder:  # the checkpoint against heuristic:0 ... heuristic:4, same seeds for each
        reports = []
        for level in range(HEURISTIC_MAX_LEVEL + 1):
            level_red = f"heuristic:{level}"
            report = _evaluate_checkpoint(
                args, checkpoint, model, saved, device, dict(env_changes), level_red
            )
            reports.append(report)
            print(  # progress: the five levels take a while at 200 matches each
                f"{level_red}: W/D/L {report['wins']:.0f}/{report['draws']:.0f}/"
                f"{report['losses']:.0f}",
                file=sys.stderr,
                flush=True,
            )
        if args.json:
            print(json.dumps(reports, indent=1, sort_keys=True))
        else:
            print(_eval_table(reports))
        _print_replays(args, reports)
        return 0
    red = args.red or _trained_heuristic(cfg, meta)
    report = _evaluate_checkpoint(args, checkpoint, model, saved, device, env_changes, red)
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    else:
        print(_eval_table([report]))
    _print_replays(args, [report])
    return 0


def _print_replays(args: argparse.Namespace, reports: list[dict[str, Any]]) -> None:
    """Where eval --record wrote its replays (on stderr with --json, which owns stdout)."""
    if args.record is None:
        return
    count = sum(int(r.get("replays", 0)) for r in reports)
    print(
        f"{count} replays in {args.record}: watch with  echelon replay view {args.record}",
        file=sys.stderr if args.json else sys.stdout,
    )


def _evaluate_checkpoint(
    args: argparse.Namespace,
    checkpoint: Path,
    model: Any,
    saved: dict[str, Any],
    device: str,
    env_changes: dict[str, Any],
    red: str | None,
) -> dict[str, Any]:
    """Play ``model`` against ``red`` in the env of ``saved`` (the checkpoint's trusted config)."""
    from echelon.train.evaluation import evaluate_policy
    from echelon.train.opponents import IdleOpponent, SelfPlayOpponent

    cfg = config_from_dict(saved)
    if red:  # the core heuristic drives red; the opponent's rows are then ignored
        env_changes["red"] = red
    changes: dict[str, Any] = {"env": env_changes} if env_changes else {}
    if args.threads is not None:
        changes["env_threads"] = args.threads
    if changes:
        cfg = config_from_dict(merge(saved, changes))
    matches = args.matches or EVAL_MATCHES
    env: Any = env_factory_for(cfg)(min(args.worlds, matches), args.seed)
    if args.record is not None:
        if not hasattr(env, "record"):
            fail("--record needs the Echelon simulator (not a custom env)")
        worlds = int(env.num_worlds)
        result_red_name = red or args.opponent or "idle"
        env.record(
            worlds=range(worlds),
            episodes=math.ceil(matches / worlds),  # the episodes evaluate_policy counts
            directory=args.record,
            # --ladder writes a pairing per level into one folder: the level names its files
            name="eval_{red}_w{world:03d}_ep{episode:05d}" if args.ladder else DEFAULT_EVAL_NAME,
            max_replays=args.record_max,
        )
        for w in range(worlds):
            env.set_replay_meta(
                w,
                {"source": "eval", "checkpoint": str(checkpoint), "red": result_red_name},
            )
    opponent: Any = None
    if getattr(env, "team_slices", {}).get("red") is not None:
        if args.opponent == "self":
            opponent = SelfPlayOpponent(model, torch.Generator(device).manual_seed(args.seed))
        else:
            opponent = IdleOpponent(env.action_dim)
    result = evaluate_policy(
        env, model, matches, device, opponent, deterministic=not args.stochastic
    )
    result_red = {"red": red or args.opponent or "idle"}
    report: dict[str, Any] = {
        **result,
        **result_red,
        "checkpoint": str(checkpoint),
        "seed": args.seed,
        "deterministic": not args.stochastic,
    }
    if "wins" in report:
        report.update(_intervals(report))
    if args.record is not None:
        report["replays"] = len(env.replay_files)
    return report


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


def _eval_table(reports: list[dict[str, Any]]) -> str:
    """Markdown table, one row per evaluation (a checkpoint against one red)."""
    lines = [
        "| checkpoint | red | episodes | W | D | L | win rate [95% Wilson] | "
        "score [95% Wilson] | mean return | mean length |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        if "wins" not in r:
            lines.append(
                f"| {r['checkpoint']} | {r['red']} | {r['episodes']:.0f} | - | - | - | - | - | "
                f"{r['mean_return']:.2f} | {r['mean_length']:.0f} |"
            )
            continue
        (lo, hi), (slo, shi) = r["win_interval"], r["score_interval"]
        lines.append(
            f"| {r['checkpoint']} | {r['red']} | {r['episodes']:.0f} | {r['wins']:.0f} | "
            f"{r['draws']:.0f} | {r['losses']:.0f} | {r['win_rate']:.2f} [{lo:.2f}, {hi:.2f}] | "
            f"{r['score']:.2f} [{slo:.2f}, {shi:.2f}] | {r['mean_return']:.2f} | "
            f"{r['mean_length']:.0f} |"
        )
    return "\n".join(lines)


def register(subparsers: Any) -> None:
    train = subparsers.add_parser(
        "train",
        help="train a PPO-LSTM policy",
        description="Train a recurrent PPO policy for the blue team (see docs/training.md). "
        "A new run writes to a fresh folder runs/train-<date>-<time> unless --run-dir names "
        "one; Ctrl-C stops after the current update and saves a checkpoint.",
    )
    train.add_argument(
        "--preset", choices=sorted(PRESETS), help=f"starting config (default {DEFAULT_PRESET})"
    )
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
    add_map_size_argument(train, help_text="map size in voxels (the env's map_size field)")
    train.add_argument("--device", type=device_name, default=None, help=DEVICE_HELP)
    train.add_argument("--seed", type=non_negative_int)
    train.add_argument("--num-worlds", type=positive_int)
    train.add_argument("--total-steps", type=positive_int, help="learner agent-steps to train for")
    train.add_argument(
        "--run-dir",
        help="run folder (default: a new runs/train-<date>-<time>); one that holds another run "
        "is refused unless --resume or --force",
    )
    train.add_argument(
        "--force",
        action="store_true",
        help="start over in a --run-dir that holds a run (deletes it), or resume from a "
        "checkpoint that has later ones (deletes those)",
    )
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
        type=non_negative_int,
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
    train.add_argument(
        "--resume",
        metavar="DIR",
        help="continue a run: its folder (latest checkpoint) or a checkpoint folder; writes "
        "into that run folder (or --run-dir)",
    )
    train.add_argument(
        "--init-from",
        metavar="CHECKPOINT",
        help="start a new run from another run's weights and value normaliser (a checkpoint "
        "folder); unlike --resume, the env config may differ and counters start at 0",
    )
    train.add_argument("--wandb", action="store_true", help="log to Weights & Biases")
    train.add_argument("--compile", action="store_true", help="torch.compile the model")
    train.add_argument("--threads", type=positive_int, help="torch CPU threads")
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
    train.add_argument(
        "--env-threads",
        type=positive_int,
        help="simulator worker threads (per process; default: the process's share of the cores)",
    )
    train.add_argument(
        "--nproc",
        type=positive_int,
        metavar="N",
        help="train in N processes on this machine (torch.distributed.run; one GPU each with "
        "--device cuda); num_worlds is split between them. Several machines: see "
        "docs/training.md, 'Several processes and machines'",
    )
    train.add_argument(
        "--time-limit",
        dest="time_limit_minutes",
        type=positive_float,
        metavar="MINUTES",
        help="stop and save after this much wall time (total steps still cap the run)",
    )
    train.set_defaults(func=handle_train)

    ev = subparsers.add_parser(
        "eval",
        help="evaluate a checkpoint, or play core controllers against each other",
        description="Evaluate a checkpoint against the heuristic (or an idle or self-play red): "
        "a table of wins, draws and losses with 95% Wilson intervals, or JSON with --json. "
        "Without a checkpoint: matches between core controllers (--blue/--red, --ladder).",
    )
    ev.add_argument(
        "checkpoint",
        type=Path,
        nargs="?",
        help="checkpoint folder, a file inside one, or a run folder (its best/, else its latest "
        "checkpoint); omit it for --blue/--red or --ladder matches",
    )
    ev.add_argument(
        "--matches",
        "--episodes",
        dest="matches",
        type=positive_int,
        default=None,
        help=f"matches to play (per pairing with --ladder; default {EVAL_MATCHES} with a "
        "checkpoint, 100 without); --episodes is an alias",
    )
    ev.add_argument("--worlds", type=positive_int, default=16, help="matches played at once")
    ev.add_argument("--seed", type=non_negative_int, default=12345)
    ev.add_argument(
        "--device",
        type=device_name,
        default=None,
        help="device of the checkpoint's policy: " + DEVICE_HELP,
    )
    ev.add_argument(
        "--opponent",
        choices=["self", "idle"],
        default=None,
        help="red when no heuristic drives it (default idle)",
    )
    ev.add_argument("--stochastic", action="store_true", help="sample actions instead of the mean")
    ev.add_argument(
        "--env-factory",
        help="custom env 'module:function' for a checkpoint trained on one (a checkpoint names "
        "its factory but never chooses code itself: docs/security.md)",
    )
    ev.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="write replays of the evaluated matches to DIR (watch: echelon replay view DIR)",
    )
    ev.add_argument(
        "--record-max",
        type=positive_int,
        default=16,
        metavar="N",
        help="at most N replays per pairing (default 16)",
    )
    ev.set_defaults(func=handle_eval)
    from echelon.heuristic.cli import add_match_arguments

    add_match_arguments(ev)  # --blue/--red heuristic:N, --ladder, env flags (docs/heuristic.md)
