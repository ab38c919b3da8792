"""Metadata that asks for absurd resources or impossible counters (docs/security.md, 1).

Model sizes are checked against echelon.rl.registry limits before anything is allocated (a
4096-wide model spends minutes in its initialisers; absurd sizes ask for hundreds of GB), and
counters must be finite integers in range (``update: Infinity`` resumed and silently did
nothing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hostile import deadline, edit_meta, tiny_checkpoint

from echelon.rl.registry import MAX_PARAMETERS, build_model
from echelon.train.checkpoint import CheckpointError, load_policy, read_meta
from echelon.train.config import resolve_config


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden": 4096}, r"hidden must be an integer in \[1, 2048\]"),
        ({"lstm_hidden": 10**9}, "lstm_hidden must be an integer"),
        ({"obs_dim": 2**40}, "obs_dim must be an integer"),
        ({"lstm_layers": 1000}, "lstm_layers must be an integer"),
        ({"hidden": 2048, "lstm_hidden": 2048, "lstm_layers": 4}, "parameters, more than"),
        ({"hidden": -5}, "hidden must be an integer"),
        ({"hidden": True}, "hidden must be an integer"),
        ({"log_std_min": float("nan")}, "must be finite"),
    ],
)
def test_model_sizes_are_checked_before_building(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    edit_meta(ckpt, lambda m: m["model_spec"]["kwargs"].update(kwargs))
    with deadline(20), pytest.raises(CheckpointError, match=message):
        load_policy(ckpt)  # building a 4096-wide model takes minutes; refused at once


def test_the_limit_admits_real_models() -> None:
    spec = {"class": "ActorCriticLSTM", "kwargs": {"obs_dim": 781, "action_dim": 26}}
    assert sum(p.numel() for p in build_model(spec).parameters()) < MAX_PARAMETERS


@pytest.mark.parametrize(
    ("counters", "message"),
    [
        ('{"update": Infinity, "agent_steps": 0, "episodes": 0}', "counters.update"),
        ('{"update": NaN, "agent_steps": 0, "episodes": 0}', "counters.update"),
        ('{"update": -3, "agent_steps": 0, "episodes": 0}', "counters.update"),
        ('{"update": 1, "agent_steps": 1e300, "episodes": 0}', "counters.agent_steps"),
        ('{"update": 9, "agent_steps": 0, "episodes": 0, "total_updates": 3}', "past"),
        ('{"update": "7", "agent_steps": 0, "episodes": 0}', "counters.update"),
    ],
)
def test_counters_must_be_finite_integers(tmp_path: Path, counters: str, message: str) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    text = json.loads((ckpt / "meta.json").read_text())
    text["counters"] = "@COUNTERS@"
    (ckpt / "meta.json").write_text(json.dumps(text).replace('"@COUNTERS@"', counters))
    with pytest.raises(CheckpointError, match=message):
        read_meta(ckpt)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("best_score", [float("inf")], "best_score"),
        ("recent_returns", [1.0, float("nan")], "recent_returns"),
        ("recent_winners", [7], "recent_winners"),
        ("value_normalizer", {"mean": 0.0, "var": float("inf"), "count": 1.0}, "var"),
        ("curriculum", {"level": 99}, "curriculum.level"),
        ("config", [1, 2], "config must be an object"),
        ("optimizer", {"param_groups": [{"lr": float("nan")}], "scalars": {}}, "lr"),
        # The processes of a distributed run (num_worlds 2): rank r gets the state listed for it.
        ("distributed", {"world_size": 2**70, "worlds": [1, 1], "ranks": [{}]}, "world_size"),
        ("distributed", {"world_size": 2, "worlds": [2], "ranks": [{}]}, "distributed.worlds"),
        ("distributed", {"world_size": 2, "worlds": [2, 0], "ranks": [{}]}, "at least 1"),
        ("distributed", {"world_size": 2, "worlds": [2, 2], "ranks": [{}]}, "add up to 4"),
        ("distributed", {"world_size": 2, "worlds": [1, 1], "ranks": []}, "distributed.ranks"),
        ("distributed", {"world_size": 2, "worlds": [1, 1], "ranks": [7]}, "must be objects"),
    ],
)
def test_restored_numbers_are_checked(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    ckpt = tiny_checkpoint(tmp_path / "c")
    edit_meta(ckpt, lambda m: m.update({field: value}))
    with pytest.raises(CheckpointError, match=message):
        read_meta(ckpt)


@pytest.mark.parametrize("text", ["ppo.lr=.nan", "ppo.lr=.inf", "ppo.clip_coef=-.inf"])
def test_config_floats_must_be_finite(text: str) -> None:
    with pytest.raises(ValueError, match="must be a finite number"):
        resolve_config("smoke", overrides=[text])


def test_model_config_sizes_are_limited() -> None:
    with pytest.raises(ValueError, match=r"model.hidden must be in \[1, 2048\]"):
        resolve_config("smoke", overrides=["model.hidden=4096"])
