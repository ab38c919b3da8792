"""PPO update throughput: chunked LSTM paths vs the step-by-step reference.

Times one full PPO update (GAE, normalisers, every epoch and minibatch: forward, backward,
optimiser step) on a synthetic rollout, for each recurrence mode of
``echelon.rl.recurrence`` and for two reset patterns (no episode boundary inside chunks,
and 2% of rows starting a new episode, i.e. boundaries inside almost every chunk), and
prints a table of samples/s (agent-steps of rollout processed per second of update time,
counting every epoch). Writes the results and the machine description as JSON.

    python bench/bench_ppo.py                  # CPU, reference dimensions (589 -> 26)
    python bench/bench_ppo.py --device cuda --columns 4096
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import torch

from echelon.rl import ActorCriticLSTM
from echelon.train.buffer import RolloutBuffer
from echelon.train.ppo import PPOConfig, PPOLearner


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(device: torch.device) -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "device": str(device),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
        info["cudnn"] = torch.backends.cudnn.version()
    return info


def filled_buffer(
    args: argparse.Namespace, reset_rate: float, device: torch.device
) -> RolloutBuffer:
    g = torch.Generator(device="cpu").manual_seed(0)
    t, b = args.steps, args.columns
    buf = RolloutBuffer(t, b, args.obs_dim, args.action_dim, args.chunk, 1, args.lstm, device)
    buf.obs.copy_(torch.randn(t, b, args.obs_dim, generator=g))
    buf.actions.copy_(torch.rand(t, b, args.action_dim, generator=g) * 2 - 1)
    buf.rewards.copy_(torch.randn(t, b, generator=g))
    buf.values.copy_(torch.randn(t, b, generator=g))
    buf.logprobs.fill_(-float(args.action_dim))
    buf.valid.fill_(True)
    starts = torch.rand(t, b, generator=g) < reset_rate
    buf.episode_start.copy_(starts)
    buf.dones[:-1].copy_(starts[1:])
    return buf


def time_update(
    args: argparse.Namespace, mode: str, reset_rate: float, device: torch.device
) -> dict[str, Any]:
    torch.manual_seed(0)
    model = ActorCriticLSTM(
        args.obs_dim, args.action_dim, hidden=args.hidden, lstm_hidden=args.lstm, recurrence=mode
    ).to(device)
    cfg = PPOConfig(
        rollout_steps=args.steps,
        chunk_length=args.chunk,
        num_minibatches=args.minibatches,
        update_epochs=args.epochs,
    )
    learner = PPOLearner(model, cfg, device)
    buf = filled_buffer(args, reset_rate, device)
    learner.update(buf)  # warm-up (allocator, cuDNN plans)
    times = []
    for _ in range(args.repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        learner.update(buf)
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    best = min(times)
    samples = args.steps * args.columns * args.epochs
    return {
        "mode": mode,
        "reset_rate": reset_rate,
        "update_seconds_best": best,
        "update_seconds_all": times,
        "samples_per_second": samples / best,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=128, help="rollout length T")
    p.add_argument("--columns", type=int, default=320, help="worlds x learning agents B")
    p.add_argument("--chunk", type=int, default=32, help="TBPTT chunk length L")
    p.add_argument("--minibatches", type=int, default=4)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--obs-dim", type=int, default=589)
    p.add_argument("--action-dim", type=int, default=26)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--lstm", type=int, default=128)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--modes", default="reference,steps,segments,packed")
    p.add_argument("--reset-rates", default="0,0.02")
    p.add_argument("--out", type=Path, default=Path("bench/results/bench_ppo.json"))
    args = p.parse_args()
    device = torch.device(args.device)
    rows = [
        time_update(args, mode, float(rate), device)
        for rate in args.reset_rates.split(",")
        for mode in args.modes.split(",")
    ]
    ref = {r["reset_rate"]: r["samples_per_second"] for r in rows if r["mode"] == "reference"}
    print(
        f"PPO update, T={args.steps} B={args.columns} L={args.chunk} epochs={args.epochs} "
        f"obs={args.obs_dim} act={args.action_dim} hidden={args.hidden} lstm={args.lstm} "
        f"on {device} ({cpu_model() if device.type == 'cpu' else torch.cuda.get_device_name()})"
    )
    print("| resets/row | recurrence | update s | samples/s | vs reference |")
    print("|---:|---|---:|---:|---:|")
    for r in rows:
        speedup = (
            r["samples_per_second"] / ref[r["reset_rate"]]
            if r["reset_rate"] in ref
            else float("nan")
        )
        print(
            f"| {r['reset_rate']:.2f} | {r['mode']} | {r['update_seconds_best']:.3f} | "
            f"{r['samples_per_second']:,.0f} | {speedup:.2f}x |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": machine(device),
        "args": {k: str(v) for k, v in vars(args).items()},
        "results": rows,
    }
    args.out.write_text(json.dumps(payload, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
