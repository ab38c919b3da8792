"""Fault and bad-input drills (docs/security.md, 6): slow, randomised, rerunnable.

    pytest -m slow tests/security/test_drills.py -s        # -s shows each drill's counts
    ECHELON_DRILL_SCALE=4 pytest -m slow tests/security -s  # longer runs

* kill -9 at random moments of checkpoint writes, swaps and pruning: every checkpoint under
  its name loads, and the next write removes what the killed writer left;
* concurrent league writers, some killed: the file always parses and no rating period is lost
  or half-applied;
* random VecEnv constructions and step calls (bad shapes, dtypes, devices, values): a clear
  ValueError or a step with finite outputs, nothing else;
* mutated snapshots (random bytes, checksum resealed): refused or loaded, and a loaded one steps
  to finite outputs; in a child with a timeout, so a hang or crash fails the drill;
* random play under heuristic control with invariants, save/load round trips and flat memory.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hostile import child_env, run_python, tiny_checkpoint

from echelon import EnvConfig, VecEnv
from echelon.arena.glicko2 import Rating
from echelon.arena.league import League, LeagueEntry, LeagueStore
from echelon.train.checkpoint import load_policy, resolve_checkpoint_dir

pytestmark = pytest.mark.slow
SCALE = float(os.environ.get("ECHELON_DRILL_SCALE", "1"))


def _scaled(n: int) -> int:
    return max(1, round(n * SCALE))


def _report(name: str, counts: dict[str, Any]) -> None:
    print(f"\n[drill] {name}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


# -- 1. kill -9 during checkpoint writes ----------------------------------------------------
WRITER = """
import sys, torch
from pathlib import Path
sys.path.insert(0, {tests!r})
from hostile import tiny_checkpoint
from echelon.train.checkpoint import remove_checkpoint_dir
folder = Path({folder!r})
print("ready", flush=True)
i = {start}
while True:
    i += 1
    tiny_checkpoint(folder / f"update_{{i:06d}}")
    tiny_checkpoint(folder / "best")  # replaces: the .previous swap
    kept = sorted(p for p in folder.glob("update_*") if "." not in p.name)
    for old in kept[:-2]:
        remove_checkpoint_dir(old)
"""


def test_drill_kill_during_checkpoint_writes(tmp_path: Path) -> None:
    rng = random.Random(18)
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    counts = {"kills": 0, "checkpoints_checked": 0, "previous_fallbacks": 0, "orphans_seen": 0}
    start = 0
    for _ in range(_scaled(12)):
        code = WRITER.format(tests=str(Path(__file__).parent), folder=str(folder), start=start)
        child = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=child_env()
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.6))
        child.kill()
        child.wait()
        counts["kills"] += 1
        counts["orphans_seen"] += sum(1 for p in folder.iterdir() if p.name.startswith("."))
        for path in folder.iterdir():
            if path.name.startswith(".") or path.name.endswith(".previous"):
                continue
            load_policy(path)  # every checkpoint under its own name is whole
            counts["checkpoints_checked"] += 1
        if (folder / "best.previous").exists() and not (folder / "best").exists():
            counts["previous_fallbacks"] += 1
        if (folder / "best").exists() or (folder / "best.previous").exists():
            load_policy(resolve_checkpoint_dir(folder / "best"))
        numbers = [int(p.name[7:]) for p in folder.glob("update_*") if "." not in p.name]
        start = max(numbers, default=start) + 1
    tiny_checkpoint(folder / f"update_{start + 1:06d}")  # a live write cleans up the dead's
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]
    _report("checkpoint kills", counts)


# -- 2. concurrent league writers with kills ----------------------------------------------
LEAGUE_WRITER = """
import random, sys
from echelon.arena.league import LeagueStore
store = LeagueStore({path!r})
rng = random.Random({seed})
ids = {ids!r}
print("ready", flush=True)
for i in range({games}):
    a, b = rng.sample(ids, 2)
    game = [(a, b, rng.choice([0.0, 0.5, 1.0]))]
    period = store.update(lambda league: (league.apply_period(game), league.period)[1])
    print("ok", period, flush=True)
"""


def _league_with_entries(path: Path, count: int) -> list[str]:
    import hashlib

    league = League()
    ids = [f"p{i}" for i in range(count)]
    for entry_id in ids:
        sha = hashlib.sha256(entry_id.encode()).hexdigest()
        league.add(LeagueEntry(entry_id, "candidate", f"checkpoints/{sha}/m", sha, Rating()))
    store = LeagueStore.create(path)
    store.update(lambda lg: lg.entries.update(league.entries))
    return ids


def test_drill_concurrent_league_writers_with_kills(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "league.json"
    ids = _league_with_entries(path, 6)
    writers, games = 8, _scaled(25)
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                LEAGUE_WRITER.format(path=str(path), seed=i, ids=ids, games=games),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for i in range(writers)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    doomed = rng.sample(children, 3)
    time.sleep(rng.uniform(0.5, 2.0))
    for child in doomed:
        child.kill()
    periods: list[int] = []
    for child in children:
        # read(), not communicate(timeout=...): that reads the pipe beneath the text buffer and
        # would miss lines readline() already buffered.
        assert child.stdout is not None
        out = child.stdout.read()
        child.wait(timeout=600)
        periods += [int(line.split()[1]) for line in out.splitlines() if line.startswith("ok")]
        if child not in doomed:
            assert child.returncode == 0
    confirmed = len(periods)
    league = LeagueStore(path).load()  # always parses: every save is whole
    assert len(set(periods)) == confirmed, "two writers committed the same period: one was lost"
    # A killed writer may have committed a period without printing it: at most one each.
    unconfirmed = sorted(set(range(1, league.period + 1)) - set(periods))
    assert len(unconfirmed) <= len(doomed), (league.period, confirmed, unconfirmed)
    assert sum(e.games for e in league.entries.values()) == 2 * league.period
    assert sum(len(e.history) for e in league.entries.values()) == 2 * league.period
    LeagueStore(path).promote()  # a live write removes dead writers' temp files
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    _report(
        "league writers",
        {"writers": writers, "killed": len(doomed), "periods": league.period, "ok": confirmed},
    )


# -- 3. VecEnv fuzz ------------------------------------------------------------------------
def test_drill_vec_env_fuzz() -> None:
    rng = random.Random(3)
    cfg = EnvConfig(map_size=(32, 32, 8), map_type="empty", max_episode_seconds=2.0)
    ctor_values: dict[str, list[Any]] = {
        "num_worlds": [1, 2, 0, -1, 1 << 21, "2", 2.0, True, None],
        "device": ["cpu", "cpu:0", torch.device("cpu"), "gpu", "cuda:7", 3, None, "meta"],
        "seed": [0, 5, -1, 2**63, "x", 1.5, False],
        "num_threads": [None, 1, 2, 0, 5000, "1", 1.0],
        "obs_backend": ["auto", "cpu", "cuda-emulated", "gpu", "cuda"],
    }
    counts = {"ctor_ok": 0, "ctor_refused": 0, "step_ok": 0, "step_refused": 0, "bad_entries": 0}
    env = VecEnv(cfg, num_worlds=2, num_threads=1)
    env.reset()
    valid = {"num_worlds": 1, "device": "cpu", "seed": 0, "num_threads": 1, "obs_backend": "auto"}
    for _ in range(_scaled(60)):
        kwargs = dict(valid)
        for name in rng.sample(sorted(ctor_values), rng.choice([1, 1, 2])):
            kwargs[name] = rng.choice(ctor_values[name])
        try:
            made = VecEnv(cfg, **kwargs)
        except ValueError:
            counts["ctor_refused"] += 1
        else:
            counts["ctor_ok"] += 1
            made.reset()
            zero = torch.zeros(made.num_worlds, made.num_agents, made.action_dim)
            obs, *_ = made.step(zero.to(made.device))
            assert bool(torch.isfinite(obs).all())
    shape = (env.num_worlds, env.num_agents, env.action_dim)
    for _ in range(_scaled(150)):
        dims = list(shape)
        if rng.random() < 0.2:
            dims[rng.randrange(3)] += rng.choice([-1, 1])
        dtype = rng.choice([torch.float32] * 4 + [torch.float64, torch.int64, torch.bool])
        actions = (torch.rand(dims) * 4 - 2).to(dtype)
        if dtype == torch.float32 and rng.random() < 0.5:
            flat = actions.view(-1)
            for _ in range(rng.randrange(1, 6)):
                flat[rng.randrange(flat.numel())] = rng.choice(
                    [float("nan"), float("inf"), -float("inf"), 1e30, -1e30]
                )
        if rng.random() < 0.2 and actions.dim() == 3:
            actions = actions.transpose(0, 1).contiguous().transpose(0, 1)  # not contiguous
        try:
            obs, reward, _, _, info = env.step(actions)
        except ValueError:
            counts["step_refused"] += 1
            continue
        counts["step_ok"] += 1
        counts["bad_entries"] += info["bad_action_entries"]
        assert bool(torch.isfinite(obs).all()) and bool(torch.isfinite(reward).all())
        assert info["bad_action_entries"] == int((~torch.isfinite(actions)).sum())
    _report("VecEnv fuzz", counts)


# -- 4. mutated snapshots ------------------------------------------------------------------
MUTATOR = """
import json, random, sys, torch
from echelon import EnvConfig, VecEnv
sys.path.insert(0, {tests!r})
from test_snapshot_hostile import reseal
cfg = EnvConfig(map_size=(32, 32, 12), map_type="procedural", red="heuristic:4",
                blue="heuristic:3", max_episode_seconds=5.0)
src = VecEnv(cfg, num_worlds=2, seed=1, num_threads=1)
src.reset()
for _ in range(15):
    src.step(torch.rand(2, src.num_agents, src.action_dim) * 2 - 1)
blob = src.sim.save_state()
env = VecEnv(cfg, num_worlds=2, seed=2, num_threads=1)
env.reset()
rng = random.Random({seed})
counts = {{"refused": 0, "loaded": 0, "stepped": 0, "nonfinite": 0}}
zero = torch.zeros(2, env.num_agents, env.action_dim)
for i in range({count}):
    body = bytearray(blob[:-8])
    for _ in range(rng.randrange(1, 9)):
        at = rng.randrange(len(body))
        body[at] = rng.randrange(256) if rng.random() < 0.7 else body[at] ^ (1 << rng.randrange(8))
    print("mutation", i, flush=True)
    try:
        env.sim.load_state(reseal(bytes(body)))
    except ValueError:
        counts["refused"] += 1
        continue
    counts["loaded"] += 1
    for _ in range(3):
        obs, reward, *_ = env.step(zero)
        counts["stepped"] += 1
        if not (torch.isfinite(obs).all() and torch.isfinite(reward).all()):
            counts["nonfinite"] += 1
    env.reset()
print(json.dumps(counts), flush=True)
"""


def test_drill_mutated_snapshots() -> None:
    total: dict[str, int] = {}
    for seed in range(_scaled(4)):
        code = MUTATOR.format(tests=str(Path(__file__).parent), seed=seed, count=150)
        out = run_python(code, timeout=900)
        last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        assert out.returncode == 0, f"seed {seed}: crashed after {last!r}: {out.stderr[-2000:]}"
        counts = json.loads(last)
        assert counts["nonfinite"] == 0, counts
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
    _report("mutated snapshots", total)


# -- 5. random play invariants -------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.parametrize(
    "cfg",
    [
        EnvConfig(map_size=(48, 48, 12), map_type="procedural", red="heuristic:4"),
        EnvConfig(
            map_size=(40, 40, 16),
            map_type="procedural",
            blue="heuristic:3",
            red="heuristic:2",
            observation="partial",
            packs_per_team=2,
        ),
        EnvConfig(map_size=(32, 32, 8), map_type="simple", max_episode_seconds=8.0),
    ],
    ids=["procedural-h4", "partial-2packs", "simple-short"],
)
def test_drill_random_play_invariants(cfg: EnvConfig) -> None:
    worlds, steps = 8, _scaled(1500)
    env = VecEnv(cfg, num_worlds=worlds, seed=11, num_threads=2)
    twin = VecEnv(cfg, num_worlds=worlds, seed=0, num_threads=1)
    env.reset()
    sx, sy, sz = cfg.map_size
    g = torch.Generator().manual_seed(5)
    alive = env.sim.mech_alive().astype(bool)
    counts = {"agent_steps": 0, "episodes": 0, "round_trips": 0}
    rss_start = 0.0
    for t in range(steps):
        actions = torch.rand(worlds, env.num_agents, env.action_dim, generator=g) * 2 - 1
        before = alive.copy()
        obs, reward, terminated, truncated, info = env.step(actions)
        counts["agent_steps"] += worlds * env.num_agents
        assert bool(torch.isfinite(obs).all()) and bool(torch.isfinite(reward).all()), t
        assert not bool((terminated & truncated).any())
        assert not bool(((terminated | truncated) & ~torch.from_numpy(before)).any())
        ended = info["episode_end"]
        counts["episodes"] += int(ended.sum())
        assert set(info["winner"][ended].tolist()) <= {-1, 0, 1}
        pos = env.sim.mech_pos()
        alive = env.sim.mech_alive().astype(bool)
        assert np.array_equal(alive, info["alive"].numpy())
        live = pos[alive]
        assert np.isfinite(pos).all()
        assert (live[:, 0] >= 0).all() and (live[:, 0] <= sx).all()
        assert (live[:, 1] >= 0).all() and (live[:, 1] <= sy).all()
        assert (live[:, 2] >= 0).all() and (live[:, 2] <= sz).all()
        assert (env.sim.mech_hp()[alive] > 0).all()
        if t % 100 == 50:
            blob = env.sim.save_state()
            twin.sim.load_state(blob)
            assert twin.sim.save_state() == blob
            counts["round_trips"] += 1
        if t == min(300, steps // 3):
            rss_start = _rss_mb()
    growth = _rss_mb() - rss_start
    assert growth < 64, f"memory grew by {growth:.0f} MB"
    _report(f"random play {cfg.map_type}", {**counts, "rss_growth_mb": round(growth, 1)})
