"""``echelon train --opponent league:PATH`` and ``--submit``: the trainer end to end on the
toy env (exact resume) and on the real simulator (tiny map)."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import torch
from _league_helpers import make_league
from _train_toy_envs import ZoneWalkEnv

from echelon.arena.checkpoint_store import content_hash
from echelon.arena.league import LeagueStore
from echelon.train import cli
from echelon.train.config import resolve_config
from echelon.train.league_opponent import LeagueOpponent
from echelon.train.run_logger import RunLogger
from echelon.train.trainer import Trainer


def _toy(num_worlds: int, seed: int) -> ZoneWalkEnv:
    # 7-step episodes: a 32-step rollout ends mid-episode in most worlds.
    return ZoneWalkEnv(num_worlds, seed, per_team=2, max_steps=7, hazard=0.02)


def _config(league: Path, **flags: Any) -> Any:
    base = {
        "num_worlds": 6,
        "opponent": f"league:{league}",
        "eval_every": 0,
        "save_every": 2,
        "seed": 3,
        "ppo": {"rollout_steps": 32, "chunk_length": 16},
        "league": {"mode": "uniform", "max_models": 2},
    }
    return resolve_config("smoke", flags={**base, **flags})


def _records(run: Path, kind: str) -> list[dict[str, Any]]:
    lines = (run / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == kind]


def test_league_training_logs_win_rates_and_resumes_exactly(tmp_path: Path) -> None:
    league = make_league(tmp_path)
    run = tmp_path / "run"
    logger = RunLogger(run, tensorboard=True, console=False)
    trainer = Trainer(_config(league), _toy, run_dir=run, logger=logger)
    assert isinstance(trainer.opponent, LeagueOpponent)
    history = trainer.train(3)
    logger.close()

    opp = trainer.opponent
    # One draw per world at the start and one per finished episode, except for worlds
    # whose episode ended on the last step (they draw at their next step).
    pending = int(trainer.collector.world_start.sum())
    assert opp.samples_drawn == trainer.cfg.num_worlds + trainer.episodes - pending
    assert len(opp.cache) <= 2

    reports = _records(run, "league")
    assert [r["update"] for r in reports] == [1, 2, 3]
    games = sum(r["games"] for r in reports)
    assert games == trainer.episodes
    for report in reports:
        per_opponent = {k: v for k, v in report.items() if k.startswith("win_rate/")}
        assert per_opponent and set(per_opponent) <= {f"win_rate/{i}" for i in "abc"}
        assert 0.0 <= report["win_rate_vs_commander"] <= 1.0
    assert all("league_games" in m for m in history)
    tb_files = list((run / "tb").glob("events.out.tfevents.*"))
    assert tb_files and b"league/win_rate/" in b"".join(p.read_bytes() for p in tb_files)

    # Resume from update 2: the league sampler, each world's opponent and its LSTM state
    # come back, so update 3 is replayed exactly.
    resumed = Trainer(_config(league), _toy)
    resumed.load(run / "checkpoints" / "update_000002")
    assert isinstance(resumed.opponent, LeagueOpponent)
    assert any(a is not None for a in resumed.opponent.assignment)  # mid-episode worlds
    again = resumed.train(1)[0]
    for key in ("policy_loss", "value_loss", "league_games", "league_win_rate", "episodes"):
        assert again[key] == history[2][key], key
    twin = resumed.opponent
    assert (twin.samples_drawn, twin.assignment) == (opp.samples_drawn, opp.assignment)
    assert twin.sampler.rng.bit_generator.state == opp.sampler.rng.bit_generator.state
    assert sorted(twin.in_play) == sorted(opp.in_play)
    for opp_id, entry in opp.in_play.items():
        assert torch.equal(twin.in_play[opp_id].state.h, entry.state.h), opp_id


def test_submit_adds_a_candidate_whose_hash_is_the_checkpoints(tmp_path: Path) -> None:
    league = make_league(tmp_path, ids=("a",))
    run = tmp_path / "zone-run"
    trainer = Trainer(_config(league, save_every=0), _toy, run_dir=run)
    trainer.train(1)
    submission = trainer.submit_to_league()
    entry = submission.entry
    assert submission.created and entry.kind == "candidate" and entry.id == "zone-run-u000001"
    assert (entry.rating.mu, entry.rating.rd, entry.games) == (1500.0, 350.0, 0)
    source = run / "checkpoints" / "update_000001"
    # Directory hash by hand: sorted "name NUL sha256(file) LF" lines of the policy files.
    lines = b"".join(
        name.encode()
        + b"\0"
        + hashlib.sha256((source / name).read_bytes()).hexdigest().encode()
        + b"\n"
        for name in sorted(("meta.json", "model.safetensors"))
    )
    assert entry.sha256 == hashlib.sha256(lines).hexdigest()
    store = LeagueStore(league)
    stored = store.checkpoint_path(entry.id)
    assert content_hash(stored) == entry.sha256
    assert (stored / "model.safetensors").read_bytes() == (
        source / "model.safetensors"
    ).read_bytes()
    assert not (stored / "trainer.safetensors").exists()
    assert entry.meta["update"] == 1 and entry.meta["run_dir"] == str(run.resolve())
    # Submitting the same weights again returns the existing entry.
    again = trainer.submit_to_league()
    assert not again.created and again.entry.id == entry.id
    assert len(store.load().entries) == 2
    # The candidate is not an opponent while commanders exist.
    assert [c.id for c in trainer.opponent.pool] == ["a"]  # type: ignore[union-attr]


def test_submit_needs_a_league(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"league\.submit"):
        resolve_config("smoke", flags={"opponent": "idle", "league": {"submit": True}})
    with pytest.raises(ValueError, match="league:"):
        resolve_config("smoke", flags={"opponent": "leag:x.json"})
    with pytest.raises(ValueError, match="differ"):
        resolve_config("smoke", flags={"opponent": "league:a.json", "league": {"path": "b.json"}})


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_league_opponent_switches_the_presets_curriculum_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    LeagueStore.create("l.json")  # train checks the league exists before it writes anything
    args = _parse(["train", "--opponent", "league:l.json", "--submit"])
    cfg = cli.plan_run(args).cfg
    assert (cfg.opponent, cfg.curriculum.enabled, cfg.league.submit) == (
        "league:l.json",
        False,
        True,
    )
    assert cfg.league_path() == "l.json"
    with pytest.raises(ValueError, match="curriculum"):
        cli.plan_run(_parse(["train", "--opponent", "league:l.json", "--curriculum"]))


def test_cli_trains_against_the_league_and_submits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    league = make_league(tmp_path, ids=("a", "b"))
    run = tmp_path / "cli-run"
    per_update = 4 * 2 * 32
    argv = [
        "train",
        "--preset",
        "smoke",
        "--env-factory",
        "_train_toy_envs:make_zone_walk",
        "--env",
        "max_steps=8",
        "--run-dir",
        str(run),
        "--device",
        "cpu",
        "--num-worlds",
        "4",
        "--opponent",
        f"league:{league}",
        "--league-mode",
        "hard",
        "--submit",
        "--total-steps",
        str(2 * per_update),
    ]
    args = _parse(argv)
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "submitted candidate cli-run-u000002" in out
    entry = LeagueStore(league).load().get("cli-run-u000002")
    assert entry.kind == "candidate" and entry.meta["update"] == 2
    start = _records(run, "start")[0]
    assert start["config"]["league"]["mode"] == "hard"
    assert len(_records(run, "league")) == 2


def _real_env_available() -> bool:
    try:
        import echelon

        return hasattr(echelon, "VecEnv")
    except ImportError:
        return False


@pytest.mark.skipif(not _real_env_available(), reason="echelon.VecEnv (the C++ core) not built")
def test_real_env_league_training_resamples_per_world(tmp_path: Path) -> None:
    env_kwargs = {
        "map_size": [32, 32, 8],
        "map_type": "empty",
        "max_episode_seconds": 3.0,
    }
    make_env = cli.echelon_env_factory(env_kwargs, num_threads=1)
    probe = make_env(1, 0)
    league = make_league(
        tmp_path,
        obs_dim=probe.obs_dim,
        action_dim=probe.action_dim,
        ids=("a", "b"),
        obs_layout=None,
    )
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 4,
            "opponent": f"league:{league}",
            "eval_every": 0,
            "save_every": 0,
            "env": env_kwargs,
            "ppo": {"rollout_steps": 32, "chunk_length": 16},
        },
    )
    trainer = Trainer(cfg, make_env)
    history = trainer.train(2)
    opp = trainer.opponent
    assert isinstance(opp, LeagueOpponent)
    assert trainer.episodes >= cfg.num_worlds  # 12-decision episodes, 64 steps
    pending = int(trainer.collector.world_start.sum())
    assert opp.samples_drawn == cfg.num_worlds + trainer.episodes - pending
    assert sum(m["league_games"] for m in history) == trainer.episodes
    assert torch.isfinite(torch.tensor([m["policy_loss"] for m in history])).all()
