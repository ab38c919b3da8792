"""Simulator snapshots: VecEnv.state_dict / load_state_dict continue a run bit-identically, and
bad blobs (corrupt, truncated, another config) raise without touching the sim."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from echelon import EnvConfig, VecEnv

CFG = EnvConfig(
    map_size=(40, 40, 16),
    map_type="procedural",
    red="heuristic:3",
    max_episode_seconds=3.0,  # 12 decisions: the recorded steps cross automatic resets
)
WORLDS = 3


def make_env(cfg: EnvConfig = CFG, worlds: int = WORLDS, seed: int = 11) -> VecEnv:
    return VecEnv(cfg, num_worlds=worlds, seed=seed, num_threads=2)


def action_sequence(env: VecEnv, steps: int, seed: int) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shape = (env.num_worlds, env.num_agents, env.action_dim)
    return [torch.rand(shape, generator=g) * 2 - 1 for _ in range(steps)]


def record(env: VecEnv, actions: list[torch.Tensor]) -> list[dict[str, torch.Tensor]]:
    out = []
    for a in actions:
        obs, rew, term, trunc, info = env.step(a)
        ended = info["episode_end"].clone()
        out.append(
            {
                "obs": obs.clone(),
                "reward": rew.clone(),
                "terminated": term.clone(),
                "truncated": trunc.clone(),
                "alive": info["alive"].clone(),
                "episode_end": ended,
                "winner": torch.where(ended, info["winner"], 0),
                "final_obs": info["final_obs"][ended].clone(),
                "episode_stats": info["episode_stats"][ended].clone(),
            }
        )
    return out


Trajectory = list[dict[str, torch.Tensor]]


def assert_same_trajectory(a: Trajectory, b: Trajectory) -> None:
    assert len(a) == len(b)
    for t, (x, y) in enumerate(zip(a, b, strict=True)):
        for k in x:
            assert torch.equal(x[k], y[k]), f"step {t}: {k} differs"


@pytest.fixture(scope="module")
def saved_run() -> dict[str, Any]:
    env = make_env()
    env.reset()
    for a in action_sequence(env, 7, seed=1):
        env.step(a)
    state = env.state_dict()
    obs_at_save = env._out["obs"].clone()
    alive_at_save = env._out["alive"].clone()
    later = action_sequence(env, 20, seed=2)
    return {
        "state": state,
        "obs": obs_at_save,
        "alive": alive_at_save,
        "actions": later,
        "trajectory": record(env, later),
        "final_blob": env.sim.save_state(),
    }


def test_fresh_env_continues_bit_identically(saved_run: dict[str, Any]) -> None:
    env = make_env()
    obs = env.load_state_dict(saved_run["state"])
    assert torch.equal(obs, saved_run["obs"])
    assert torch.equal(env._out["alive"], saved_run["alive"])
    traj = record(env, saved_run["actions"])
    assert_same_trajectory(traj, saved_run["trajectory"])
    # Every piece of state, heuristic minds and pools included, ends up the same.
    assert env.sim.save_state() == saved_run["final_blob"]


def test_recorded_steps_cross_resets_and_use_the_heuristic(saved_run: dict[str, Any]) -> None:
    ends = torch.stack([s["episode_end"] for s in saved_run["trajectory"]])
    assert int(ends.sum()) >= WORLDS  # every world reset at least once inside the recorded steps
    env = make_env()
    env.load_state_dict(saved_run["state"])
    assert env.sim.heuristic_level(1) == 3


def test_save_is_deterministic_and_load_is_a_fixed_point(saved_run: dict[str, Any]) -> None:
    env = make_env(seed=99)  # the snapshot's seed replaces this one
    env.load_state_dict(saved_run["state"])
    assert env.seed == 11
    assert torch.equal(env.state_dict()["sim_state"], saved_run["state"]["sim_state"])


def test_state_dict_metadata(saved_run: dict[str, Any]) -> None:
    s = saved_run["state"]
    assert s["sim_state"].dtype == torch.uint8 and s["sim_state"].dim() == 1
    assert s["config"] == CFG.to_dict()
    assert (s["seed"], s["num_worlds"]) == (11, WORLDS)


def test_restore_in_place_rewinds_the_env(saved_run: dict[str, Any]) -> None:
    env = make_env()
    env.load_state_dict(saved_run["state"])
    for a in action_sequence(env, 5, seed=3):  # wander off, then rewind
        env.step(a)
    env.load_state_dict(saved_run["state"])
    assert_same_trajectory(record(env, saved_run["actions"]), saved_run["trajectory"])


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def test_corrupt_and_truncated_blobs_raise(saved_run: dict[str, Any]) -> None:
    env = make_env()
    env.reset()
    before = env.sim.save_state()
    blob = bytearray(saved_run["state"]["sim_state"].numpy().tobytes())
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0x40
    with pytest.raises(ValueError, match="checksum"):
        env.sim.load_state(bytes(flipped))
    with pytest.raises(ValueError, match="checksum"):
        env.sim.load_state(bytes(blob[:-100]))
    with pytest.raises(ValueError, match="magic"):
        env.sim.load_state(b"\x00" * 64)
    with pytest.raises(ValueError, match="magic"):
        env.sim.load_state(bytes(blob[:10]))
    # A well-formed checksum over a body cut short: found by the validation pass, after the mechs
    # and worlds parsed fine, and the sim is left exactly as it was.
    payload = bytes(blob[:-8])[:-40]
    resealed = payload + fnv1a64(payload).to_bytes(8, "little")
    with pytest.raises(ValueError, match="truncated"):
        env.sim.load_state(resealed)
    assert env.sim.save_state() == before
    flipped_tensor = torch.frombuffer(bytearray(flipped), dtype=torch.uint8)
    bad = dict(saved_run["state"], sim_state=flipped_tensor)
    with pytest.raises(ValueError, match="cannot restore"):
        env.load_state_dict(bad)


def test_mismatched_shape_or_config_raises(saved_run: dict[str, Any]) -> None:
    blob = saved_run["state"]["sim_state"].numpy().tobytes()
    fewer = make_env(worlds=2)
    with pytest.raises(ValueError, match="num_worlds=3, this sim has num_worlds=2"):
        fewer.sim.load_state(blob)
    with pytest.raises(ValueError, match="num_worlds"):
        fewer.load_state_dict(saved_run["state"])
    bigger = make_env(CFG.replace(map_size=(48, 40, 16)))
    with pytest.raises(ValueError, match="size_x=40, this sim has size_x=48"):
        bigger.sim.load_state(blob)
    with pytest.raises(ValueError, match="map_size"):
        bigger.load_state_dict(saved_run["state"])
    other_rewards = make_env(CFG.replace(red="heuristic:1"))
    with pytest.raises(ValueError, match="red"):
        other_rewards.load_state_dict(saved_run["state"])


def test_voxel_damage_change_record_and_views_survive(saved_run: dict[str, Any]) -> None:
    import numpy as np

    src = make_env()
    src.load_state_dict(saved_run["state"])
    vox = src.sim.voxels(0)
    solid = np.argwhere((vox != 0) & (src.sim.voxel_hp(0) > 5.0))
    z, y, x = (int(v) for v in solid[len(solid) // 2])
    assert not src.sim.damage_voxel(0, x, y, z, 1.5)  # damaged, not destroyed
    src.sim.set_voxel(1, 3, 4, 5, 0)
    damaged_hp = float(src.sim.voxel_hp(0)[z, y, x])
    state = src.state_dict()

    dst = make_env()
    hp_view = dst.sim.voxel_hp(0)  # a view taken before the load stays valid and sees the restore
    dst.load_state_dict(state)
    assert float(hp_view[z, y, x]) == damaged_hp
    for w in range(WORLDS):
        assert np.array_equal(dst.sim.voxels(w), src.sim.voxels(w))
        assert np.array_equal(dst.sim.voxel_hp(w), src.sim.voxel_hp(w))
        assert dst.sim.changed_voxels(w) == src.sim.changed_voxels(w)
        assert dst.sim.full_rebuild(w) == src.sim.full_rebuild(w)
    actions = action_sequence(src, 6, seed=4)
    assert_same_trajectory(record(dst, actions), record(src, actions))


@pytest.mark.cuda
def test_cuda_env_continues_bit_identically() -> None:
    """device="cuda": load marks the GPU mirror dirty, so the kernels see the restored worlds."""
    src = VecEnv(CFG, num_worlds=WORLDS, seed=11, num_threads=2, device="cuda")
    src.reset()
    for a in action_sequence(src, 7, seed=1):
        src.step(a.cuda())
    state = src.state_dict()
    later = [a.cuda() for a in action_sequence(src, 20, seed=2)]
    want = record(src, later)
    dst = VecEnv(CFG, num_worlds=WORLDS, seed=11, num_threads=2, device="cuda")
    dst.reset()  # its mirror holds other worlds until the load marks it dirty
    dst.load_state_dict(state)
    assert_same_trajectory(record(dst, later), want)
