"""The training loop end to end: returns rise, CLI run directories, config resolution."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from _train_toy_envs import ZoneWalkEnv

from echelon.cli import main
from echelon.train import cli
from echelon.train.config import TrainConfig, resolve_config
from echelon.train.trainer import Trainer


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def test_returns_rise_on_the_toy_zone_env() -> None:
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 16,
            "total_steps": 10**7,
            "opponent": "idle",
            "eval_every": 0,
            "save_every": 0,
            "ppo": {"rollout_steps": 32, "chunk_length": 16},
        },
    )
    trainer = Trainer(cfg, lambda n, s: ZoneWalkEnv(n, s))
    history = trainer.train(30)
    first = _mean([m["rollout_episode_return"] for m in history[:3]])
    last = _mean([m["rollout_episode_return"] for m in history[-3:]])
    assert last > first + 0.3, (first, last)
    assert _mean([m["win_rate"] for m in history[-3:]]) > 0.3


def _real_env_available() -> bool:
    try:
        import echelon

        return hasattr(echelon, "VecEnv")
    except ImportError:
        return False


@pytest.mark.skipif(not _real_env_available(), reason="echelon.VecEnv (the C++ core) not built")
def test_returns_rise_on_the_real_env() -> None:
    env = {"map_size": [48, 48, 20], "max_episode_seconds": 15.0}
    cfg = resolve_config(
        "smoke",
        flags={
            "num_worlds": 16,
            "total_steps": 10**8,
            "opponent": "idle",
            "eval_every": 0,
            "save_every": 0,
            "env": env,
            "seed": 0,
            "ppo": {
                "rollout_steps": 64,
                "chunk_length": 16,
                "num_minibatches": 4,
                "update_epochs": 4,
                "lr": 1e-3,
            },
            "model": {"hidden": 64, "lstm_hidden": 64},
        },
    )
    trainer = Trainer(cfg, cli.echelon_env_factory(env))
    history = trainer.train(20)
    first = _mean([m["rollout_episode_return"] for m in history[:2]])
    last = _mean([m["rollout_episode_return"] for m in history[-3:]])
    print(f"real env: episode return {first:.3f} -> {last:.3f}")
    assert last > max(2.0 * first, first + 3.0), (first, last)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_train_resume_and_eval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    common = [
        "--env-factory",
        "_train_toy_envs:make_zone_walk",
        "--run-dir",
        str(run),
        "--device",
        "cpu",
        "--opponent",
        "self",
        "--num-worlds",
        "4",
    ]
    per_update = 4 * 2 * 32  # worlds x blue agents x rollout steps
    args = _parse(
        [
            "train",
            "--preset",
            "smoke",
            *common,
            "--env",
            "hazard=0.02",
            "--set",
            "ppo.lr=0.001",
            "--set",
            "keep_checkpoints=2",
            "--set",
            "eval_every=2",
            "--set",
            "save_every=2",
            "--total-steps",
            str(4 * per_update),
        ]
    )
    assert args.func(args) == 0
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    kinds = [r["kind"] for r in records]
    assert kinds[0] == "start" and kinds.count("update") == 4 and "eval" in kinds
    update = next(r for r in records if r["kind"] == "update")
    for key in (
        "policy_loss",
        "value_loss",
        "entropy",
        "approx_kl",
        "clipfrac",
        "grad_norm",
        "steps_per_second",
        "episode_return",
        "lr",
        "explained_variance",
    ):
        assert key in update, key
    assert records[0]["config"]["ppo"]["lr"] == 0.001 and records[0]["config"]["env"] == {
        "hazard": 0.02
    }
    assert list((run / "tb").glob("events.out.tfevents.*"))
    ckpts = sorted(p.name for p in (run / "checkpoints").iterdir())
    assert ckpts == ["update_000002", "update_000004"]
    assert (run / "best" / "meta.json").is_file()
    assert "upd     4/4" in capsys.readouterr().out

    # A checkpoint never chooses code: resuming without naming the env factory is refused (one
    # line, exit 2, through the echelon command's error layer).
    assert main(["train", "--resume", str(run), "--total-steps", str(8 * per_update)]) == 2
    assert "--env-factory _train_toy_envs:make_zone_walk" in capsys.readouterr().err
    factory = ["--env-factory", "_train_toy_envs:make_zone_walk"]
    args = _parse(["train", "--resume", str(run), *factory, "--total-steps", str(8 * per_update)])
    assert args.func(args) == 0
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["update"] for r in records if r["kind"] == "update"] == [1, 2, 3, 4, 5, 6, 7, 8]

    capsys.readouterr()
    args = _parse(
        ["eval", str(run / "best"), *factory, "--episodes", "8", "--worlds", "4", "--json"]
    )
    assert args.func(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["episodes"] == 8 and 0 <= result["win_rate"] <= 1
    assert result["wins"] + result["draws"] + result["losses"] == 8
    lo, hi = result["win_interval"]
    assert lo <= result["win_rate"] <= hi
    args = _parse(["eval", str(run / "best"), *factory, "--episodes", "8", "--worlds", "4"])
    assert args.func(args) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("| checkpoint | red | episodes | W | D | L |") and len(table) == 3


def test_config_layers_and_errors(tmp_path: Path) -> None:
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text(
        "num_worlds: 8\nppo:\n  lr: 0.0005\n  target_kl: 0.02\nmodel:\n  kind: suite\n"
    )
    cfg = resolve_config("large", yaml_file, {"seed": 4}, ["ppo.clip_coef=0.1"])
    assert isinstance(cfg, TrainConfig)
    assert (cfg.num_worlds, cfg.seed, cfg.model.kind, cfg.model.hidden) == (8, 4, "suite", 256)
    assert (cfg.ppo.lr, cfg.ppo.clip_coef, cfg.ppo.rollout_steps) == (0.0005, 0.1, 256)
    with pytest.raises(ValueError, match=r"unknown config field\(s\) \['ppo.lrr'\]"):
        resolve_config(overrides=["ppo.lrr=1"])
    with pytest.raises(ValueError, match="num_worlds must be an integer"):
        resolve_config(flags={"num_worlds": "many"})
    with pytest.raises(ValueError, match=r"ppo\.chunk_length"):
        resolve_config(overrides=["ppo.chunk_length=33"])
    with pytest.raises(ValueError, match="preset"):
        resolve_config("huge")
    assert resolve_config("smoke").model.hidden == 32


def test_update_metrics_split_the_wall_time() -> None:
    cfg = resolve_config(
        "smoke",
        flags={"num_worlds": 4, "opponent": "idle", "eval_every": 0, "save_every": 0},
    )
    trainer = Trainer(cfg, lambda n, s: ZoneWalkEnv(n, s))
    m = trainer.run_update()
    parts = [m["time_env"], m["time_inference"], m["time_learner"], m["time_other"]]
    assert all(p >= 0 for p in parts) and m["time_env"] > 0 and m["time_learner"] > 0
    total = m["rollout_seconds"] + m["update_seconds"]
    assert sum(parts) == pytest.approx(total, rel=0.05, abs=1e-3)
    assert m["steps_per_second"] == pytest.approx(trainer.samples_per_update / total, rel=0.05)
