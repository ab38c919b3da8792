"""The replay recorder's cost per step (off, one world recorded, every world recorded, measured
side by side in alternating rounds so machine noise hits all three alike) and the size of
recorded matches, with encode and load times (``echelon bench replay``)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import torch

from echelon.config import EnvConfig
from echelon.env.vec_env import VecEnv
from echelon.replay.replay import Replay

MODES = ("off", "one world", "all worlds")


@dataclass
class CostResult:
    worlds: int
    threads: int
    steps: int
    ms_per_step: dict[str, list[float]] = field(default_factory=dict)  # mode -> per round

    def median(self, mode: str) -> float:
        return statistics.median(self.ms_per_step[mode])


def _env(cfg: EnvConfig, worlds: int, threads: int, seed: int, mode: str) -> VecEnv:
    env = VecEnv(cfg, num_worlds=worlds, seed=seed, num_threads=threads)
    if mode == "one world":
        env.record(worlds=[0], episodes=None)
    elif mode == "all worlds":
        env.record(worlds=range(worlds), episodes=None)
    env.reset()
    return env


def bench_recorder_cost(
    cfg: EnvConfig,
    worlds: int,
    threads: int,
    steps: int,
    rounds: int = 3,
    seed: int = 0,
    chunk: int = 10,
) -> CostResult:
    """Steps three identical envs (same seed, same actions) that differ only in what they record;
    the controllers are the config's (core heuristics: the actions cost nothing). Each round steps
    every env ``steps`` times in alternating chunks of ``chunk`` steps, so load from other
    processes falls on all three alike, and times are the process's CPU time (all threads), which
    such load disturbs far less than wall-clock time. Episodes end and restart inside the measured
    steps, so per-episode work (initial map copy, recipe, the Python replay objects) counts."""
    result = CostResult(worlds, threads, steps, {m: [] for m in MODES})
    envs = {m: _env(cfg, worlds, threads, seed, m) for m in MODES}
    actions = torch.zeros(worlds, envs["off"].num_agents, envs["off"].action_dim)
    for _ in range(rounds):
        spent = dict.fromkeys(MODES, 0.0)
        for _ in range(max(1, steps // chunk)):
            for mode in MODES:
                env = envs[mode]
                start = time.process_time()
                for _ in range(chunk):
                    env.step(actions)
                spent[mode] += time.process_time() - start
        for mode in MODES:
            result.ms_per_step[mode].append(1000 * spent[mode] / (max(1, steps // chunk) * chunk))
            envs[mode].take_replays()  # keep memory flat between rounds
    for env in envs.values():
        env.close()
    return result


@dataclass(frozen=True)
class SizeResult:
    label: str
    frames: int
    seconds: float
    bytes: int
    events: int
    voxel_edits: int
    encode_ms: float
    load_ms: float
    largest_sections: list[tuple[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "largest_sections": dict(self.largest_sections)}


def record_match(cfg: EnvConfig, seed: int, random_actions: bool) -> Replay:
    """One full episode of world 0; random actions in [-1, 1] for the external teams."""
    env = VecEnv(cfg, num_worlds=1, seed=seed, num_threads=1)
    env.record(worlds=0, episodes=1)
    env.reset()
    gen = torch.Generator().manual_seed(seed)
    shape = (1, env.num_agents, env.action_dim)
    while True:
        actions = torch.rand(shape, generator=gen) * 2 - 1 if random_actions else torch.zeros(shape)
        env.step(actions)
        replays = env.take_replays()
        if replays:
            return replays[0]


def measure_size(label: str, replay: Replay) -> SizeResult:
    from echelon.replay.format import encode

    start = time.perf_counter()
    data = replay.to_bytes()
    encode_ms = 1000 * (time.perf_counter() - start)
    start = time.perf_counter()
    Replay.from_bytes(data)
    load_ms = 1000 * (time.perf_counter() - start)
    per_section = sorted(
        ((name, len(encode({}, {name: arr}))) for name, arr in replay.arrays.items()),
        key=lambda kv: -kv[1],
    )
    return SizeResult(
        label,
        replay.frames,
        (replay.frames - 1) * replay.decision_seconds,
        len(data),
        int(replay.arrays["event_type"].size),
        int(replay.arrays["edit_index"].size),
        encode_ms,
        load_ms,
        per_section[:4],
    )
