"""Heuristic opponents and the win-rate curriculum: parsing, promotion rule, trainer wiring,
checkpoint/resume, and the real core's heuristic driving red during training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import Tensor

from echelon.train.config import resolve_config
from echelon.train.curriculum import (
    CurriculumConfig,
    HeuristicCurriculum,
    parse_heuristic_opponent,
    set_red_heuristic,
)
from echelon.train.run_logger import RunLogger
from echelon.train.trainer import Trainer


class LadderEnv:
    """One blue and one red agent per world; every step is a whole episode.

    Blue wins exactly when red's heuristic level is below ``beats_below``. Like the core, a
    level set with ``set_heuristic_level`` applies from each world's next reset.
    """

    def __init__(self, num_worlds: int, seed: int = 0, beats_below: int = 2) -> None:
        self.num_worlds, self.num_agents, self.obs_dim, self.action_dim = num_worlds, 2, 2, 1
        self.obs_layout = {"self": (slice(0, 2), (2,))}
        self.team_slices = {"blue": slice(0, 1), "red": slice(1, 2)}
        self.beats_below = beats_below
        self.level = torch.zeros(num_worlds, dtype=torch.long)
        self.pending: int | None = None
        self.calls: list[tuple[str, int | None]] = []

    def set_heuristic_level(self, team: str, level: int | None) -> None:
        self.calls.append((team, level))
        self.pending = level

    def _obs(self) -> Tensor:
        return torch.stack([self.level.float(), torch.ones(self.num_worlds)], -1).unsqueeze(1)

    def reset(self) -> Tensor:
        if self.pending is not None:
            self.level.fill_(self.pending)
        return self._obs().expand(-1, 2, -1).clone()

    def step(self, actions: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor, dict[str, Tensor]]:
        blue_wins = self.level < self.beats_below
        winner = torch.where(blue_wins, 0, 1).to(torch.int8)
        reward = torch.stack([blue_wins.float(), (~blue_wins).float()], -1)
        final_obs = self.reset()
        ones = torch.ones(self.num_worlds, 2, dtype=torch.bool)
        info = {
            "alive": ones,
            "final_obs": final_obs,
            "episode_end": torch.ones(self.num_worlds, dtype=torch.bool),
            "winner": winner,
        }
        return self.reset(), reward, ones, torch.zeros_like(ones), info


def test_parse_heuristic_opponent() -> None:
    assert parse_heuristic_opponent("heuristic:0") == 0
    assert parse_heuristic_opponent("heuristic:4") == 4
    assert parse_heuristic_opponent("self") is None
    for bad in ("heuristic:5", "heuristic:-1", "heuristic:x", "heuristic:"):
        with pytest.raises(ValueError, match="heuristic level"):
            parse_heuristic_opponent(bad)


def test_promotes_when_the_window_is_full_and_the_rate_reaches_the_threshold() -> None:
    cur = HeuristicCurriculum(CurriculumConfig(enabled=True, window=4, threshold=0.75), 0, 2)
    assert cur.record([0, 0, 1], update=1, agent_steps=10) is None  # window not full
    assert cur.win_rate() == pytest.approx(2 / 3)
    assert cur.record([0], update=2, agent_steps=20) == 1  # 3 wins of the last 4 = 0.75
    assert (cur.level, cur.skip, len(cur.recent)) == (1, 2, 0)
    # The next num_worlds (2) finished episodes were played at level 0: ignored.
    assert cur.record([0, 0, 0, 1, 0, 1], update=3, agent_steps=30) is None
    assert list(cur.recent) == [True, False, True, False] and cur.win_rate() == 0.5
    # A rolling window: the oldest results drop out.
    assert cur.record([0, 0], update=4, agent_steps=40) == 2  # [T, F, T, T]: 0.75
    assert cur.promotions == [
        {"level": 1, "update": 2, "agent_steps": 20},
        {"level": 2, "update": 4, "agent_steps": 40},
    ]


def test_draws_and_losses_are_not_wins_and_the_level_stops_at_max() -> None:
    cfg = CurriculumConfig(enabled=True, window=2, threshold=1.0, max_level=1)
    cur = HeuristicCurriculum(cfg, 0, 1)
    assert cur.record([0, -1], 1, 1) is None  # a draw is not a win
    assert cur.record([0], 2, 2) is None  # [draw, win]: 0.5
    assert cur.record([0], 3, 3) == 1
    assert cur.record([1, 0, 0, 0, 0], 4, 4) is None and cur.level == 1  # max_level


def test_state_round_trips_through_json() -> None:
    cfg = CurriculumConfig(enabled=True, window=3, threshold=0.5)
    cur = HeuristicCurriculum(cfg, 1, 4)
    cur.record([0, 0, 0], 7, 70)
    cur.record([1, 0], 8, 80)
    state = json.loads(json.dumps(cur.state_dict()))
    other = HeuristicCurriculum(cfg, 0, 4)
    other.load_state_dict(state)
    assert other.state_dict() == cur.state_dict()
    assert (other.level, other.skip) == (2, 2)


def test_config_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"curriculum\.threshold"):
        CurriculumConfig(threshold=1.5)
    with pytest.raises(ValueError, match=r"curriculum\.window"):
        CurriculumConfig(window=0)
    with pytest.raises(ValueError, match="opponent must be self, idle or heuristic:N"):
        resolve_config("smoke", flags={"opponent": "scripted"})
    with pytest.raises(ValueError, match=r"heuristic level must be an integer in \[0, 4\]"):
        resolve_config("smoke", flags={"opponent": "heuristic:9"})
    with pytest.raises(ValueError, match=r"curriculum\.enabled needs a heuristic opponent"):
        resolve_config("smoke", flags={"opponent": "self", "curriculum": {"enabled": True}})
    cfg = resolve_config("smoke", flags={"opponent": "self", "env": {"red": "heuristic:3"}})
    assert cfg.heuristic_level() == 3
    assert resolve_config("smoke", flags={"opponent": "heuristic:2"}).heuristic_level() == 2


def test_set_red_heuristic_needs_a_capable_env() -> None:
    with pytest.raises(ValueError, match="set_heuristic_level"):
        set_red_heuristic(object(), 1)


def _ladder_config(run_dir: Path) -> object:
    return resolve_config(
        "smoke",
        flags={
            "num_worlds": 4,
            "total_steps": 10**6,
            "opponent": "heuristic:0",
            "curriculum": {"enabled": True, "window": 8, "threshold": 0.75},
            "eval_every": 0,
            "save_every": 0,
            "run_dir": str(run_dir),
            "ppo": {"rollout_steps": 8, "chunk_length": 4},
        },
    )


def test_trainer_climbs_the_ladder_logs_the_level_and_resumes_it(tmp_path: Path) -> None:
    cfg = _ladder_config(tmp_path)
    logger = RunLogger(tmp_path, tensorboard=False, console=False)
    trainer = Trainer(cfg, lambda n, s: LadderEnv(n, s), logger=logger)  # type: ignore[arg-type]
    env = trainer.env
    assert trainer.opponent is None  # the core drives red: no opponent policy
    history = trainer.train(3)
    logger.close()
    # Level 0 and 1 are beaten in every episode: one promotion per update, then it holds.
    assert [m["opponent_level"] for m in history] == [1.0, 2.0, 2.0]
    assert env.calls == [("red", 0), ("red", 1), ("red", 2)]  # type: ignore[attr-defined]
    assert history[-1]["curriculum_win_rate"] == 0.0  # loses every episode at level 2
    records = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [(r["update"], r["level"]) for r in records if r["kind"] == "curriculum"] == [
        (1, 1),
        (2, 2),
    ]

    path = trainer.save(tmp_path / "ckpt")
    resumed = Trainer(cfg, lambda n, s: LadderEnv(n, s))  # type: ignore[arg-type]
    resumed.load(path)
    assert resumed.curriculum is not None and resumed.curriculum.level == 2
    assert resumed.curriculum.promotions == trainer.curriculum.promotions  # type: ignore[union-attr]
    assert resumed.env.calls[-1] == ("red", 2)  # type: ignore[attr-defined]
    assert resumed.env.level.tolist() == [2, 2, 2, 2]  # type: ignore[attr-defined]


def test_fixed_heuristic_level_without_curriculum(tmp_path: Path) -> None:
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 2,
            "opponent": "heuristic:3",
            "eval_every": 0,
            "save_every": 0,
            "ppo": {"rollout_steps": 8, "chunk_length": 4},
        },
    )
    trainer = Trainer(cfg, lambda n, s: LadderEnv(n, s, beats_below=5))  # type: ignore[arg-type]
    history = trainer.train(2)
    assert [m["opponent_level"] for m in history] == [3.0, 3.0]
    assert trainer.env.calls == [("red", 3)]  # type: ignore[attr-defined]


def _real_env_available() -> bool:
    try:
        import echelon

        return hasattr(echelon, "VecEnv")
    except ImportError:
        return False


@pytest.mark.skipif(not _real_env_available(), reason="echelon.VecEnv (the C++ core) not built")
def test_core_heuristic_drives_red_during_training() -> None:
    from echelon.train import cli

    env_kwargs = {"map_size": [48, 48, 12], "max_episode_seconds": 10.0}
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 2,
            "opponent": "heuristic:0",
            "env": env_kwargs,
            "eval_every": 0,
            "save_every": 0,
            "ppo": {"rollout_steps": 16, "chunk_length": 8},
        },
    )
    trainer = Trainer(cfg, cli.echelon_env_factory(env_kwargs))
    env = trainer.env
    red = env.team_slices["red"]
    start = torch.as_tensor(env.sim.mech_pos())[:, red, :2].clone()  # type: ignore[attr-defined]
    zone = torch.tensor([env.sim.zone(w)[:2] for w in range(2)])  # type: ignore[attr-defined]
    trainer.train(1)  # 16 decisions: the walker (level 0) heads for the zone
    now = torch.as_tensor(env.sim.mech_pos())[:, red, :2]  # type: ignore[attr-defined]
    before = (start - zone[:, None]).norm(dim=-1)
    after = (now - zone[:, None]).norm(dim=-1)
    closer = (after < before - 1.0).double().mean()
    assert closer >= 0.8, (before, after)


@pytest.mark.skipif(not _real_env_available(), reason="echelon.VecEnv (the C++ core) not built")
def test_cli_trains_against_a_heuristic_and_eval_defaults_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from echelon.train import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command", required=True))
    run = tmp_path / "run"
    small = ["--env", "map_size=[48,48,12]", "--env", "max_episode_seconds=5"]
    args = parser.parse_args(
        ["train", "--preset", "smoke", "--opponent", "heuristic:1", "--curriculum",
         "--num-worlds", "2", "--total-steps", str(2 * 5 * 32 * 2), "--run-dir", str(run),
         "--device", "cpu", *small]
    )  # fmt: skip
    assert args.func(args) == 0
    records = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["opponent_level"] for r in records if r["kind"] == "update"] == [1.0, 1.0]
    meta = json.loads((run / "checkpoints" / "update_000002" / "meta.json").read_text())
    assert meta["curriculum"]["level"] == 1
    capsys.readouterr()
    ckpt = str(run / "checkpoints" / "update_000002")
    args = parser.parse_args(["eval", ckpt, "--episodes", "2", "--worlds", "2", "--json"])
    assert args.func(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["red"] == "heuristic:1" and result["episodes"] == 2


def test_eval_ladder_plays_the_checkpoint_against_every_level(tmp_path, capsys):
    """`eval CHECKPOINT --ladder`: one row per heuristic level, each from the same seeds, with
    W/D/L that add up to the matches and Wilson intervals around the win rate."""
    import argparse

    from echelon.train import cli

    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command", required=True))
    run = tmp_path / "run"
    small = ["--env", "map_size=[48,48,12]", "--env", "max_episode_seconds=5"]
    args = parser.parse_args(
        ["train", "--preset", "smoke", "--opponent", "heuristic:0", "--num-worlds", "2",
         "--total-steps", str(2 * 5 * 32), "--run-dir", str(run), "--device", "cpu", *small]
    )  # fmt: skip
    assert args.func(args) == 0
    capsys.readouterr()
    ckpt = str(run / "checkpoints" / "update_000001")
    args = parser.parse_args(
        ["eval", ckpt, "--ladder", "--matches", "3", "--worlds", "3", "--json"]
    )
    assert args.func(args) == 0
    captured = capsys.readouterr()
    reports = json.loads(captured.out)
    assert [r["red"] for r in reports] == [f"heuristic:{n}" for n in range(5)]
    for r in reports:
        assert r["episodes"] == 3 and r["wins"] + r["draws"] + r["losses"] == 3
        lo, hi = r["win_interval"]
        assert 0.0 <= lo <= r["win_rate"] <= hi <= 1.0
        assert r["seed"] == 12345
    assert captured.err.count("W/D/L") == 5  # one progress line per level
    args = parser.parse_args(["eval", ckpt, "--ladder", "--matches", "2", "--worlds", "2"])
    assert args.func(args) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 2 + 5 and all("heuristic:" in row for row in table[2:])
