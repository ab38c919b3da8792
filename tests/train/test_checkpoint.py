"""Checkpoints: exact round trip, strict loading, atomic writes, identical resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from _train_toy_envs import ZoneWalkEnv

import echelon.train.checkpoint as ckpt
from echelon.rl import ActorCriticLSTM, RecurrentPolicy, SuiteActorCriticLSTM
from echelon.train.checkpoint import (
    CheckpointError,
    capture_rng_states,
    load_checkpoint,
    load_policy,
    restore_rng_states,
    save_checkpoint,
)
from echelon.train.config import resolve_config
from echelon.train.trainer import Trainer

LAYOUT = {"self": (slice(0, 3), (3,)), "zone": (slice(3, 7), (4,))}


def trained_model_and_optimizer() -> tuple[ActorCriticLSTM, torch.optim.Adam]:
    torch.manual_seed(0)
    model = ActorCriticLSTM(7, 2, LAYOUT, hidden=16, lstm_hidden=8)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-5)
    for _ in range(3):
        out, _ = model.forward_sequence(
            torch.randn(4, 3, 7), model.initial_state(3), torch.zeros(4, 3)
        )
        opt.zero_grad()
        (out.value.pow(2).mean() + out.mean.pow(2).mean()).backward()
        opt.step()
    return model, opt


def test_round_trip_is_exact(tmp_path: Path) -> None:
    model, opt = trained_model_and_optimizer()
    path = save_checkpoint(
        tmp_path / "c", model, {"counters": {"update": 7}}, opt, {"carry/x": torch.arange(5.0)}
    )
    assert sorted(p.name for p in path.iterdir()) == [
        "meta.json",
        "model.safetensors",
        "trainer.safetensors",
    ]
    torch.manual_seed(1)
    other = ActorCriticLSTM(7, 2, LAYOUT, hidden=16, lstm_hidden=8)
    other_opt = torch.optim.Adam(other.parameters(), lr=1e-3, eps=1e-5)
    meta, tensors = load_checkpoint(path, other, other_opt)
    for (k, a), b in zip(model.state_dict().items(), other.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    sa, sb = opt.state_dict(), other_opt.state_dict()
    for idx, slots in sa["state"].items():
        for name, value in slots.items():
            assert torch.equal(value, sb["state"][idx][name]), (idx, name)
    assert sb["param_groups"][0]["lr"] == 1e-3
    assert meta["counters"] == {"update": 7} and torch.equal(tensors["carry/x"], torch.arange(5.0))
    policy, pmeta = load_policy(path)
    assert isinstance(policy, RecurrentPolicy) and not policy.training
    assert pmeta["obs_layout"]["zone"] == [3, 7, [4]]
    obs = torch.randn(3, 7)
    a1, _ = model.act(obs, model.initial_state(3), torch.ones(3), deterministic=True)
    a2, _ = policy.act(obs, policy.initial_state(3), torch.ones(3), deterministic=True)
    assert torch.equal(a1, a2)


def test_rng_states_round_trip_through_json() -> None:
    gen = torch.Generator().manual_seed(5)
    states = json.loads(json.dumps(capture_rng_states({"g": gen})))
    expected = (torch.rand(3), torch.rand(3, generator=gen))
    torch.manual_seed(123)
    gen.manual_seed(99)
    restore_rng_states(states, {"g": gen})
    assert torch.equal(torch.rand(3), expected[0])
    assert torch.equal(torch.rand(3, generator=gen), expected[1])


def test_strict_loading_names_missing_unexpected_and_misshaped_keys(tmp_path: Path) -> None:
    model, _ = trained_model_and_optimizer()
    path = save_checkpoint(tmp_path / "c", model)
    bigger = ActorCriticLSTM(7, 2, LAYOUT, hidden=32, lstm_hidden=8)
    with pytest.raises(
        CheckpointError, match=r"encoder.0.weight: checkpoint \(16, 7\) vs model \(32, 7\)"
    ):
        load_checkpoint(path, bigger)
    deeper = ActorCriticLSTM(7, 2, LAYOUT, hidden=16, lstm_hidden=8, encoder_layers=3)
    with pytest.raises(
        CheckpointError, match=r"missing keys \['encoder.4.bias', 'encoder.4.weight'\]"
    ):
        load_checkpoint(path, deeper)
    suite = SuiteActorCriticLSTM(7, 2, LAYOUT, hidden=16, lstm_hidden=8)
    with pytest.raises(CheckpointError, match="unexpected keys") as err:
        load_checkpoint(path, suite)
    assert "missing keys" in str(err.value)


def test_tampered_file_is_detected(tmp_path: Path) -> None:
    model, _ = trained_model_and_optimizer()
    path = save_checkpoint(tmp_path / "c", model)
    data = bytearray((path / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (path / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="SHA-256"):
        load_policy(path)


def test_failure_mid_write_leaves_the_old_checkpoint(tmp_path: Path, monkeypatch) -> None:
    model, _ = trained_model_and_optimizer()
    path = save_checkpoint(tmp_path / "c", model, {"counters": {"update": 1}})
    calls = {"n": 0}
    real_save = ckpt.save_file

    def failing_save(tensors, filename):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real_save(tensors, filename)

    monkeypatch.setattr(ckpt, "save_file", failing_save)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, model, {"counters": {"update": 2}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]  # no temp dir left behind
    _, meta = load_policy(path)
    assert meta["counters"] == {"update": 1}


def test_interrupted_swap_falls_back_to_previous(tmp_path: Path) -> None:
    model, _ = trained_model_and_optimizer()
    path = save_checkpoint(tmp_path / "c", model, {"counters": {"update": 1}})
    path.rename(tmp_path / "c.previous")  # crash between the two renames
    _, meta = load_policy(tmp_path / "c")
    assert meta["counters"] == {"update": 1}


def test_nothing_calls_torch_load() -> None:
    root = Path(ckpt.__file__).parents[1]
    offenders = [
        str(p)
        for sub in ("rl", "train")
        for p in (root / sub).rglob("*.py")
        if "torch.load(" in p.read_text() or "import pickle" in p.read_text()
    ]
    assert offenders == []


def _zone_config(run_dir: Path):
    return resolve_config(
        "smoke",
        flags={
            "num_worlds": 4,
            "total_steps": 10**6,
            "seed": 3,
            "opponent": "self",
            "opponent_refresh": 1,
            "eval_every": 0,
            "save_every": 0,
            "run_dir": str(run_dir),
            "ppo": {
                "rollout_steps": 16,
                "chunk_length": 8,
                "num_minibatches": 2,
                "update_epochs": 2,
            },
            "model": {"hidden": 16, "lstm_hidden": 8},
        },
    )


def test_resume_continues_identically(tmp_path: Path) -> None:
    make_env = lambda n, s: ZoneWalkEnv(n, s, hazard=0.05)  # noqa: E731
    straight = Trainer(_zone_config(tmp_path / "a"), make_env)
    straight.train(4)

    first = Trainer(_zone_config(tmp_path / "b"), make_env)
    first.train(2)
    path = first.save(tmp_path / "b" / "mid")
    torch.manual_seed(777)  # the resumed process starts from unrelated RNG states
    resumed = Trainer(_zone_config(tmp_path / "b"), make_env)
    resumed.load(path)
    resumed.train(2)

    assert resumed.update == straight.update == 4
    for (k, a), b in zip(
        straight.model.state_dict().items(), resumed.model.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), k
    assert torch.equal(straight.collector.obs, resumed.collector.obs)
    assert resumed.learner.value_norm.state_dict() == straight.learner.value_norm.state_dict()


def _real_env_config(run_dir: Path):
    return resolve_config(
        "smoke",
        flags={
            "num_worlds": 2,
            "total_steps": 10**6,
            "seed": 5,
            "opponent": "heuristic:3",
            "eval_every": 0,
            "save_every": 0,
            "heatmap_every": 0,
            "env_threads": 2,
            "run_dir": str(run_dir),
            "env": {"map_size": [32, 32, 10], "max_episode_seconds": 2.0},
            "ppo": {
                "rollout_steps": 8,
                "chunk_length": 4,
                "num_minibatches": 2,
                "update_epochs": 1,
            },
            "model": {"hidden": 16, "lstm_hidden": 8},
        },
    )


def test_resume_on_the_real_env_continues_identically(tmp_path: Path) -> None:
    """2 updates + checkpoint + resume in a fresh trainer + 2 updates == 4 straight updates, on
    the C++ simulator: the env snapshot (worlds mid-episode, heuristic minds) and the rollout
    carry are restored, so weights and every logged metric match bit for bit."""
    from echelon.train.cli import env_factory_for

    cfg_a = _real_env_config(tmp_path / "a")
    straight = Trainer(cfg_a, env_factory_for(cfg_a))
    history = straight.train(4)

    cfg_b = _real_env_config(tmp_path / "b")
    first = Trainer(cfg_b, env_factory_for(cfg_b))
    first.train(2)
    path = first.save(tmp_path / "b" / "mid")
    torch.manual_seed(777)
    resumed = Trainer(cfg_b, env_factory_for(cfg_b))
    resumed.load(path)
    resumed_history = resumed.train(2)

    assert resumed.update == straight.update == 4
    for (k, a), b in zip(
        straight.model.state_dict().items(), resumed.model.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), k
    assert torch.equal(straight.collector.obs, resumed.collector.obs)
    assert straight.env.sim.save_state() == resumed.env.sim.save_state()  # type: ignore[attr-defined]
    timing = {"time", "per_second", "sps", "fps", "seconds", "wall", "elapsed"}
    for want, got in zip(history[2:], resumed_history, strict=True):
        keys = {k for k in want if not any(t in k for t in timing)}
        assert keys and {k: want[k] for k in keys} == {k: got[k] for k in keys}
