"""``arena play`` in two processes (``--nproc 2``, torchrun, gloo) rates a league exactly as one
process does: the same matches in the same worlds, one rating period per batch, applied once by
rank 0. Deterministic play, so the only randomness is the simulator's, which world offsets make
the same in both runs."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from echelon import EnvConfig, VecEnv
from echelon.arena.cli import register
from echelon.arena.league import LeagueStore
from echelon.rl import ActorCriticLSTM
from echelon.train.checkpoint import save_checkpoint

ENV = {"map_size": [32, 32, 8], "max_episode_seconds": 6.0}
# Policies whose mean action (deterministic play) leans on fixed slots (0 forward, 1 strafe,
# 3 yaw, 4/6/7 weapons) and, through a scaled-up mean head, strongly on what they observe: the
# outcomes depend on each world's map and spawns, and some matches end early (eliminations).
SPECS = ({0: 3.0, 1: -0.7, 4: 3.0}, {0: 3.0, 3: 0.3, 4: 3.0, 6: 3.0}, {0: 3.0, 1: 0.9}, {0: 2.0})


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="echelon")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    args.argv = argv
    code: int = args.func(args)
    return code


def make_league(folder: Path) -> Path:
    league = folder / "league.json"
    env_flags = [f"--env={k}={v}" for k, v in ENV.items()]
    assert run(["arena", "init", str(league), *env_flags]) == 0
    env = VecEnv(EnvConfig.from_dict(ENV), num_worlds=1)
    for i, spec in enumerate(SPECS):
        torch.manual_seed(i)
        model = ActorCriticLSTM(
            env.obs_dim, env.action_dim, obs_layout=env.obs_layout, hidden=16, lstm_hidden=16
        )
        with torch.no_grad():
            model.actor_mean.weight.mul_(300.0)
            for slot, bias in spec.items():
                model.actor_mean.bias[slot] = bias
        ckpt = save_checkpoint(folder / f"p{i}", model, meta={})
        kind = "candidate" if i == 0 else "commander"
        assert run(["arena", "add", str(league), str(ckpt), "--kind", kind, "--id", f"p{i}"]) == 0
    return league


def test_two_processes_rate_a_league_like_one(tmp_path: Path) -> None:
    one = make_league(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    two = tmp_path / "two" / "league.json"
    # 7 matches on 4 worlds: periods of 4 and 3 matches; rank 0 plays 2 and 2 (worlds 0, 1),
    # rank 1 plays 2, then 1 (worlds 2, 3). Every period resets the worlds, and a world plays
    # at most one match per period (batch <= worlds), so each match is played in the same world
    # and episode as in one process.
    flags = ["--matches", "7", "--worlds", "4", "--seed", "5", "--deterministic"]
    flags += ["--threads", "1", "--player", "p0", "--player", "p1"]
    assert run(["arena", "play", str(one), *flags]) == 0
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-m", "echelon", "arena", "play", str(two), *flags, "--nproc", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "period 2/2" in done.stdout and "matches 7/7" in done.stdout
    a, b = LeagueStore(one).load(), LeagueStore(two).load()
    assert a.period == b.period == 2
    tallies = {e.id: (e.wins, e.draws, e.losses) for e in a.entries.values()}
    assert tallies == {e.id: (e.wins, e.draws, e.losses) for e in b.entries.values()}
    decided = sum(w + loss for w, _, loss in tallies.values())
    assert decided >= 2, f"the matches should not all be draws: {tallies}"
    for entry in a.entries.values():  # Glicko-2 is deterministic: the same games, the same floats
        other = b.get(entry.id)
        assert entry.rating == other.rating, entry.id
        assert [(p.period, p.mu, p.rd) for p in entry.history] == [
            (p.period, p.mu, p.rd) for p in other.history
        ]
