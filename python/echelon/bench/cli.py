"""``echelon bench env|kernels|replay|train|rays``: tables on stdout, JSON with the machine."""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path
from typing import Any

import torch

from echelon import _core
from echelon.bench.env_bench import bench_env
from echelon.bench.machine import describe_machine
from echelon.bench.rays_bench import bench_rays
from echelon.bench.table import format_table, write_json
from echelon.cli_args import (
    add_device_argument,
    add_map_size_argument,
    non_negative_int,
    positive_int,
    positive_int_list,
    resolve_device,
)
from echelon.cli_errors import UsageError
from echelon.config import MAP_TYPES, EnvConfig
from echelon.distributed import WorldShard
from echelon.env.vec_env import OBS_BACKENDS
from echelon.fileio import require_parent_dir

RESULTS_DIR = Path("bench/results")


def _out(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument(
        "--out",
        default=None,
        help=f"JSON result file (default {RESULTS_DIR / name}, folder created if missing; "
        "another path's folder must exist)",
    )


def _output_path(out: str | None, name: str) -> Path:
    """The JSON file to write, checked before the benchmark runs. Only the documented default
    folder is created; a typo in a chosen path is an error, not a new folder."""
    if out is None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        return RESULTS_DIR / name
    return require_parent_dir(out, "--out")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = subparsers.add_parser("bench", help="measure throughput (prints a table, writes JSON)")
    sub = bench.add_subparsers(dest="bench_command", required=True)

    env = sub.add_parser("env", help="env agent-steps/s against worlds and threads")
    add_device_argument(env)
    env.add_argument("--worlds", type=positive_int_list, default=[1, 16, 64, 256])
    env.add_argument(
        "--threads", type=positive_int_list, default=None, help="default: 1 and all cores"
    )
    env.add_argument("--packs", type=positive_int_list, default=[1])
    add_map_size_argument(env, default=[100, 100, 20])
    env.add_argument("--map-type", choices=MAP_TYPES, default="procedural")
    env.add_argument("--steps", type=positive_int, default=200)
    _out(env, "env.json")
    env.add_argument(
        "--split",
        action="store_true",
        help="also time the simulator alone (without writing or computing observations)",
    )
    env.add_argument(
        "--obs-backend",
        default="auto",
        choices=list(OBS_BACKENDS),
        help="who writes observations (VecEnv obs_backend); cuda-emulated needs --device cpu",
    )
    env.set_defaults(func=run_env_bench)

    kernels = sub.add_parser("kernels", help="CUDA observation kernels against memory bandwidth")
    kernels.add_argument("--worlds", type=positive_int_list, default=[256, 1024, 4096])
    kernels.add_argument("--packs", type=positive_int, default=1)
    add_map_size_argument(kernels, default=[100, 100, 20])
    kernels.add_argument("--steps", type=positive_int, default=50)
    _out(kernels, "kernels.json")
    kernels.add_argument(
        "--obs-backend",
        default="cuda",
        choices=["cuda", "cuda-emulated"],
        help="cuda-emulated: the kernels' host emulation against host memcpy (no GPU needed)",
    )
    kernels.set_defaults(func=run_kernels_bench)

    replay = sub.add_parser(
        "replay", help="the replay recorder's cost per step (off vs on) and replay sizes"
    )
    replay.add_argument("--worlds", type=positive_int, default=16)
    replay.add_argument("--threads", type=positive_int, default=1)
    replay.add_argument("--steps", type=positive_int, default=240, help="steps per round and mode")
    replay.add_argument("--rounds", type=positive_int, default=3)
    add_map_size_argument(replay, default=[100, 100, 20])
    _out(replay, "replay.json")
    replay.set_defaults(func=run_replay_bench)

    train = sub.add_parser(
        "train",
        help="end-to-end training agent-steps/s beside the env alone, same config",
        description="Times training updates of a preset (with its split: env, policy acting, "
        "learner, other) and the environment alone for the same config, and prints their ratio.",
    )
    train.add_argument("--preset", default="ladder", help="training preset (echelon train)")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.FIELD=VALUE",
        help="override a training config field, e.g. ppo.update_epochs=2 (repeatable)",
    )
    train.add_argument("--updates", type=positive_int, default=5, help="timed updates (default 5)")
    train.add_argument("--warmup", type=non_negative_int, default=1, help="untimed updates first")
    train.add_argument(
        "--nproc",
        type=positive_int_list,
        default=[1],
        metavar="N[,N...]",
        help="also time the job in N processes on this machine (torch.distributed.run, the "
        "worlds split between them), e.g. 1,2 (default 1)",
    )
    add_device_argument(train)
    _out(train, "train.json")
    train.set_defaults(func=run_train_bench)

    rays = sub.add_parser("rays", help="raycast rays/s and voxel-steps/s")
    rays.add_argument("--rays", type=positive_int, default=1_000_000)
    add_device_argument(
        rays, "auto (default: the CPU, and the GPU too when there is one), cpu, cuda"
    )
    _out(rays, "rays.json")
    rays.set_defaults(func=run_rays_bench)


def run_env_bench(args: argparse.Namespace) -> int:
    emulated = args.obs_backend == "cuda-emulated"
    device = "cpu" if emulated and args.device == "auto" else resolve_device(args.device)
    configs = {  # every config checked before the first row runs
        packs: EnvConfig(
            map_size=tuple(args.map_size), packs_per_team=packs, map_type=args.map_type
        )
        for packs in args.packs
    }
    out = _output_path(args.out, "env.json")
    cores = len(os.sched_getaffinity(0))
    threads = args.threads or sorted({1, cores})
    rows, records = [], []
    total = len(args.packs) * len(args.worlds) * len(threads)
    done = 0
    for packs, cfg in configs.items():
        for worlds in args.worlds:
            base = None
            for t in threads:
                done += 1
                print(f"[{done}/{total}] packs={packs} worlds={worlds} threads={t} ...", flush=True)
                r = bench_env(
                    cfg,
                    worlds,
                    t,
                    device,
                    args.steps,
                    split=args.split,
                    obs_backend=args.obs_backend,
                )
                base = base or r.agent_steps_per_s
                scaling = r.agent_steps_per_s / base
                shown = f"{device} ({r.obs_backend} obs)"
                row = [packs, worlds, t, shown, r.agent_steps_per_s, f"{scaling:.2f}x"]
                rows.append([*row, _split_text(r)])
                records.append(
                    {
                        "packs_per_team": packs,
                        "worlds": worlds,
                        "threads": t,
                        "device": device,
                        "obs_backend": r.obs_backend,
                        "steps": r.steps,
                        "seconds": r.seconds,
                        "sim_only_seconds": r.sim_seconds,
                        "gpu_ms_per_step": r.gpu_ms,
                        "agent_steps_per_s": r.agent_steps_per_s,
                    }
                )
    print()
    print(
        f"map {tuple(args.map_size)} ({args.map_type}), random actions, {args.steps} steps per row"
    )
    print(
        format_table(
            ["packs/team", "worlds", "threads", "device", "agent-steps/s", "vs 1 thread", "split"],
            rows,
        )
    )
    write_json(
        out,
        {
            "benchmark": "env",
            "time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": describe_machine(),
            "map_size": args.map_size,
            "results": records,
        },
    )
    print(f"\nwritten to {out}")
    return 0


SPLIT_KEYS = ("time_env", "time_inference", "time_learner", "time_other")


def run_train_bench(args: argparse.Namespace) -> int:
    from echelon.bench.train_bench import bench_train
    from echelon.train.config import resolve_config

    try:
        cfg = resolve_config(
            args.preset, flags={"device": resolve_device(args.device)}, overrides=args.set
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for n in args.nproc:
        WorldShard.split(cfg.num_worlds, n)  # a world for every process, checked up front
    out = _output_path(args.out, "train.json")
    print(
        f"preset {args.preset}: {cfg.num_worlds} worlds, map {cfg.env.get('map_size', 'default')}, "
        f"model {cfg.model.kind} {cfg.model.hidden}/{cfg.model.lstm_hidden}, "
        f"{args.updates} timed updates ...",
        flush=True,
    )
    r = bench_train(cfg, args.updates, args.warmup)
    split = r.time_env + r.time_inference + r.time_learner + r.time_other
    rows = [
        ["training (end to end)", r.train_steps_per_s, r.seconds],
        ["environment alone", r.env_steps_per_s, r.env_only_seconds],
    ]
    print(format_table(["what", "learner agent-steps/s", "seconds"], rows))
    print(
        f"ratio train / env: {r.ratio:.2f}   split of training time: "
        f"env {r.time_env / split:.0%}, policy acting {r.time_inference / split:.0%}, "
        f"learner {r.time_learner / split:.0%}, other {r.time_other / split:.0%}"
    )
    processes = _process_rows(cfg, args, r) if args.nproc != [1] else []
    write_json(
        out,
        {
            "benchmark": "train",
            "time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": describe_machine(),
            "preset": args.preset,
            "overrides": args.set,
            "config": {
                "num_worlds": cfg.num_worlds,
                "env": cfg.env,
                "ppo": dataclasses.asdict(cfg.ppo),
                "model": dataclasses.asdict(cfg.model),
                "torch_threads": cfg.torch_threads,
                "env_threads": cfg.env_threads,
            },
            "result": r.as_dict(),
            "processes": processes,
        },
    )
    print(f"\nwritten to {out}")
    return 0


def _process_rows(cfg: Any, args: argparse.Namespace, single: Any) -> list[dict[str, Any]]:
    """The job in 1, 2, ... processes side by side (one process: the run above)."""
    from echelon.bench.train_bench import bench_train_processes

    records: list[dict[str, Any]] = []
    for n in args.nproc:
        if n == 1:
            record = {
                "processes": 1,
                "worlds_per_process": [cfg.num_worlds],
                "learner_steps_per_s": single.train_steps_per_s,
                "seconds": single.seconds,
                "split": {k: getattr(single, k) for k in SPLIT_KEYS},
                "env_threads_per_process": single.env_threads,
                "torch_threads_per_process": single.torch_threads,
            }
        else:
            print(f"{n} processes ...", flush=True)
            t = bench_train_processes(cfg, n, args.updates, args.warmup)
            record = {
                "processes": n,
                "worlds_per_process": t.worlds_per_process,
                "learner_steps_per_s": t.steps_per_s,
                "seconds": t.seconds,
                "split": t.split,
                "env_threads_per_process": t.env_threads,
                "torch_threads_per_process": t.torch_threads,
            }
        records.append(record)
    base = records[0]["learner_steps_per_s"] if records[0]["processes"] == 1 else None
    rows = []
    for rec in records:
        total = sum(rec["split"].values()) or 1.0
        shares = " ".join(
            f"{name} {rec['split'][key] / total:.0%}"
            for name, key in zip(("env", "act", "learn", "other"), SPLIT_KEYS, strict=True)
        )
        speedup = f"{rec['learner_steps_per_s'] / base:.2f}x" if base else "-"
        worlds = "+".join(map(str, rec["worlds_per_process"]))
        rows.append([rec["processes"], worlds, rec["learner_steps_per_s"], speedup, shares])
    print()
    print(
        format_table(
            ["processes", "worlds", "learner agent-steps/s", "vs 1 process", "split (rank 0)"],
            rows,
        )
    )
    return records


def run_rays_bench(args: argparse.Namespace) -> int:
    devices = ["cpu"]
    if args.device.startswith("cuda") and not (_core.has_cuda and torch.cuda.is_available()):
        raise UsageError(
            f"--device {args.device}: this build has no CUDA kernels or torch sees no GPU; "
            "use --device cpu"
        )
    if args.device == "auto" and _core.has_cuda and torch.cuda.is_available():
        devices.append("cuda")
    if args.device.startswith("cuda"):
        devices = ["cuda"]
    out = _output_path(args.out, "rays.json")
    rows, records = [], []
    for dev in devices:
        n = args.rays if dev == "cuda" else min(args.rays, 200_000)
        r = bench_rays(dev, n)
        rows.append([r.device, r.rays, r.rays_per_s, r.voxel_steps_per_s])
        records.append(
            {
                "device": r.device,
                "rays": r.rays,
                "seconds": r.seconds,
                "rays_per_s": r.rays_per_s,
                "voxel_steps_per_s": r.voxel_steps_per_s,
            }
        )
    print("100x100x20 grid, 10% solid, random rays below z = 6 (LOS test, end cell excluded)")
    print(format_table(["device", "rays", "rays/s", "voxel-steps/s (upper bound)"], rows))
    write_json(
        out,
        {
            "benchmark": "rays",
            "time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": describe_machine(),
            "results": records,
        },
    )
    print(f"\nwritten to {out}")
    return 0


def run_replay_bench(args: argparse.Namespace) -> int:
    from echelon.bench.replay_bench import MODES, bench_recorder_cost, measure_size, record_match

    size = tuple(args.map_size)
    fight = EnvConfig(map_size=size, blue="heuristic:4", red="heuristic:4")
    out = _output_path(args.out, "replay.json")
    print(
        f"recorder cost: {args.worlds} worlds, {args.threads} thread(s), heuristic:4 both sides, "
        f"{args.rounds} alternating rounds of {args.steps} steps ...",
        flush=True,
    )
    cost = bench_recorder_cost(fight, args.worlds, args.threads, args.steps, args.rounds)
    off = cost.median("off")
    rows = []
    for mode in MODES:
        ms = cost.median(mode)
        recorded = {"off": 0, "one world": 1, "all worlds": args.worlds}[mode]
        extra_us = (ms - off) * 1000 / max(1, recorded)
        rows.append(
            [mode, recorded, ms, f"{ms / off - 1:+.1%}", "-" if not recorded else f"{extra_us:.1f}"]
        )
    print(
        format_table(
            ["recording", "worlds recorded", "ms/step", "vs off", "µs per recorded world-step"],
            rows,
        )
    )
    print(f"\nreplay sizes: one full episode, {size[0]}x{size[1]}x{size[2]}, 10 mechs ...")
    matches = [
        ("random actions (external)", EnvConfig(map_size=size), True),
        ("heuristic:4 vs heuristic:4", fight, False),
        (
            "heuristic:0 vs heuristic:0",
            EnvConfig(map_size=size, blue="heuristic:0", red="heuristic:0"),
            False,
        ),
    ]
    sizes = [
        measure_size(label, record_match(c, seed=1, random_actions=r)) for label, c, r in matches
    ]
    print(
        format_table(
            [
                "match",
                "seconds",
                "bytes",
                "events",
                "voxel edits",
                "encode ms",
                "load ms",
                "largest",
            ],
            [
                [
                    z.label,
                    z.seconds,
                    z.bytes,
                    z.events,
                    z.voxel_edits,
                    z.encode_ms,
                    z.load_ms,
                    ", ".join(f"{n} {b:,}" for n, b in z.largest_sections[:2]),
                ]
                for z in sizes
            ],
        )
    )
    write_json(
        out,
        {
            "benchmark": "replay",
            "time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": describe_machine(),
            "map_size": list(size),
            "cost": {
                "worlds": args.worlds,
                "threads": args.threads,
                "steps": args.steps,
                "ms_per_step_rounds": cost.ms_per_step,
                "ms_per_step_median": {m: cost.median(m) for m in MODES},
            },
            "sizes": [z.as_dict() for z in sizes],
        },
    )
    print(f"\nwritten to {out}")
    return 0


def _split_text(r: Any) -> str:
    """Where a step's time goes: simulation vs observation (CPU) or the GPU phases."""
    if r.gpu_ms is not None:
        step_ms = 1000 * r.seconds / r.steps
        g = r.gpu_ms
        sim = "" if r.sim_seconds is None else f"sim {1000 * r.sim_seconds / r.steps:.2f}; "
        return (
            f"step {step_ms:.2f} ms: {sim}upload {g['upload_ms']:.2f}, "
            f"terrain {g['terrain_ms']:.2f}, los {g['los_ms']:.2f}, "
            f"assemble {g['assemble_ms']:.2f}; host {g['host_ms']:.3f}"
        )
    if r.sim_seconds is not None:
        obs = max(0.0, r.seconds - r.sim_seconds)
        return f"sim {r.sim_seconds / r.seconds:.0%} / obs {obs / r.seconds:.0%}"
    return "-"


def run_kernels_bench(args: argparse.Namespace) -> int:
    from echelon.bench.kernels_bench import bench_kernels, measure_copy_bandwidth

    emulated = args.obs_backend == "cuda-emulated"
    if not emulated and not (_core.has_cuda and torch.cuda.is_available()):
        raise UsageError(
            "bench kernels needs a CUDA build of echelon and a visible GPU "
            "(--obs-backend cuda-emulated runs the host emulation instead)"
        )
    EnvConfig(map_size=tuple(args.map_size), packs_per_team=args.packs)  # checked up front
    out = _output_path(args.out, "kernels.json")
    memory = "host" if emulated else "device"
    bandwidth = measure_copy_bandwidth(
        "cpu" if emulated else "cuda", nbytes=(1 << 26) if emulated else (1 << 30)
    )
    print(f"{memory} copy bandwidth (read + write): {bandwidth / 1e9:,.1f} GB/s")
    if emulated:
        print("host emulation of the kernels on one CPU thread: not GPU figures")
    rows, records = [], []
    for worlds in args.worlds:
        print(f"worlds={worlds} ...", flush=True)
        k = bench_kernels(tuple(args.map_size), args.packs, worlds, args.steps, args.obs_backend)
        rows.append(
            [
                worlds,
                k.los_rays_per_s,
                k.voxel_steps_per_s,
                k.assemble_gbps,
                f"{k.assemble_gbps * 1e9 / bandwidth:.0%}",
                k.terrain_ms,
                k.upload_ms,
            ]
        )
        records.append(k.as_dict())
    print(
        format_table(
            [
                "worlds",
                "LOS rays/s",
                "voxel-steps/s",
                "assembly GB/s",
                "of bandwidth",
                "terrain ms",
                "upload ms",
            ],
            rows,
        )
    )
    write_json(
        out,
        {
            "benchmark": "kernels",
            "time": time.strftime("%Y-%m-%d %H:%M:%S"),
            "machine": describe_machine(),
            "obs_backend": args.obs_backend,
            "copy_bandwidth_bytes_per_s": bandwidth,
            "results": records,
        },
    )
    print(f"\nwritten to {out}")
    return 0
