"""The match runner and ``arena play`` on the real simulator (tiny maps, short episodes)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import torch

from echelon import EnvConfig, VecEnv
from echelon.arena.cli import register
from echelon.arena.league import LeagueStore
from echelon.arena.match import MatchRunner
from echelon.rl.lstm_state import LSTMState

TINY = {"map_size": (32, 32, 8), "max_episode_seconds": 3.0, "map_type": "empty"}


class ZoneSeeker:
    """Scripted policy: move toward the capture zone using the zone block's mech-frame
    vector (forward, left), found by name in the env's observation layout."""

    def __init__(self, env: VecEnv, gain: float) -> None:
        self.zone = env.obs_layout["zone"].slice
        self.forward = env.action_layout.index("forward")
        self.strafe = env.action_layout.index("strafe")
        self.action_dim = env.action_dim
        self.gain = gain

    def initial_state(self, batch_size: int, device: torch.device) -> LSTMState:
        return LSTMState.zeros(1, batch_size, 1, device)

    def act(
        self,
        obs: torch.Tensor,
        state: LSTMState,
        episode_start: torch.Tensor,
        deterministic: bool = False,
    ) -> tuple[torch.Tensor, LSTMState]:
        zone = obs[:, self.zone]
        actions = torch.zeros(obs.shape[0], self.action_dim, device=obs.device)
        actions[:, self.forward] = (self.gain * zone[:, 3]).clamp(-1.0, 1.0)
        actions[:, self.strafe] = (self.gain * zone[:, 4]).clamp(-1.0, 1.0)  # to the left
        return actions, state


def test_zone_seeker_beats_idle_on_both_sides() -> None:
    env = VecEnv(EnvConfig(**TINY), num_worlds=3, seed=0)  # type: ignore[arg-type]
    policies = {"seek": ZoneSeeker(env, gain=20.0), "idle": ZoneSeeker(env, gain=0.0)}
    pairings = [("seek", "idle"), ("idle", "seek")] * 4  # 8 matches on 3 worlds
    results = MatchRunner(env, policies.__getitem__).play(pairings)
    assert [(b, r) for b, r, _ in results] == pairings
    assert [s for _, _, s in results] == [1.0, 0.0] * 4
    # Idle against idle: nobody reaches the zone, every match is a draw.
    assert {
        s for _, _, s in MatchRunner(env, policies.__getitem__).play([("idle", "idle")] * 3)
    } == {0.5}


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="echelon")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_arena_play_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from echelon.rl import ActorCriticLSTM
    from echelon.train.checkpoint import save_checkpoint

    env = VecEnv(EnvConfig(**TINY), num_worlds=1)  # type: ignore[arg-type]
    league = tmp_path / "league.json"
    assert (
        run(
            [
                "arena",
                "init",
                str(league),
                "--env",
                "map_size=[32,32,8]",
                "--env",
                "max_episode_seconds=3.0",
                "--env",
                "map_type=empty",
            ]
        )
        == 0
    )
    for i, kind in enumerate(["commander", "commander", "candidate"]):
        torch.manual_seed(i)
        model = ActorCriticLSTM(
            env.obs_dim, env.action_dim, obs_layout=env.obs_layout, hidden=16, lstm_hidden=16
        )
        ckpt = save_checkpoint(tmp_path / f"run{i}" / "ckpt", model, meta={})
        assert run(["arena", "add", str(league), str(ckpt), "--kind", kind, "--id", f"p{i}"]) == 0
    capsys.readouterr()
    threads = torch.get_num_threads()
    try:
        code = run(
            [
                "arena",
                "play",
                str(league),
                "--matches",
                "6",
                "--worlds",
                "2",
                "--batch",
                "3",
                "--seed",
                "1",
                "--no-auto-promote",
                "--threads",
                "1",
            ]
        )
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    assert code == 0
    out = capsys.readouterr().out
    assert "period 2/2" in out and "matches 6/6" in out
    state = LeagueStore(league).load()
    assert state.period == 2
    assert sum(e.games for e in state.entries.values()) == 12
    assert state.get("p2").games == 6  # the candidate is the only focal player
    assert len(state.get("p2").history) == 2
