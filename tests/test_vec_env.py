"""VecEnv: API contract, bad input, determinism, auto-reset, episode end, zone and rewards."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from gymnasium import spaces

from echelon import EnvConfig, RewardConfig, VecEnv
from helpers import clear_world, empty_env, park_all, zero_actions


def small_cfg(**kw: object) -> EnvConfig:
    base: dict[str, object] = {"map_size": (40, 40, 10), "max_episode_seconds": 15.0}
    base.update(kw)
    return EnvConfig(**base)  # type: ignore[arg-type]


def test_shapes_dtypes_and_spaces() -> None:
    env = VecEnv(small_cfg(packs_per_team=1), num_worlds=3, seed=1)
    obs = env.reset()
    assert obs.shape == (3, 10, env.obs_dim) and obs.dtype == torch.float32
    assert (
        env.action_dim == 26
        and env.agent_ids[:2] == ["blue_0", "blue_1"]
        and env.agent_ids[5] == "red_0"
    )
    assert env.team_slices == {"blue": slice(0, 5), "red": slice(5, 10)}
    layout = env.obs_layout
    assert list(layout) == [
        "contacts",
        "contacts_mask",
        "comm",
        "local_map",
        "telemetry",
        "acoustic",
        "hull",
        "self",
        "zone",
        "squad",
        "squad_mask",
        "suite",
        "panel",
    ]
    assert sum(b.size for b in layout.values()) == env.obs_dim
    assert layout["zone"].take(obs).shape == (3, 10, 11)
    assert isinstance(env.observation_space, spaces.Box) and env.observation_space.shape == (
        env.obs_dim,
    )
    assert env.action_space.low.min() == -1.0 and env.action_space.high.max() == 1.0
    obs2, rew, term, trunc, info = env.step(zero_actions(env))
    assert rew.shape == (3, 10) and term.dtype == torch.bool and trunc.dtype == torch.bool
    assert info["alive"].all() and info["final_obs"].shape == obs2.shape
    assert info["episode_end"].shape == (3,) and info["winner"].dtype == torch.int8
    assert info["episode_stats"].shape == (3, len(env.episode_stat_names))
    assert env.observation_space.contains(obs2[0, 0].numpy())


def test_bad_actions_are_rejected_with_clear_errors() -> None:
    env = VecEnv(small_cfg(), num_worlds=2)
    env.reset()
    good = zero_actions(env)
    with pytest.raises(ValueError, match=r"shape \(2, 10, 26\).*got \(2, 10, 25\)"):
        env.step(good[..., :25])
    with pytest.raises(ValueError, match="float32"):
        env.step(good.double())
    with pytest.raises(ValueError, match=r"torch\.Tensor"):
        env.step(good.numpy())  # type: ignore[arg-type]


def test_non_finite_actions_become_zero_and_are_counted_without_touching_the_caller() -> None:
    env_a = VecEnv(small_cfg(), num_worlds=2, seed=4)
    env_b = VecEnv(small_cfg(), num_worlds=2, seed=4)
    env_a.reset()
    env_b.reset()
    a = torch.rand((2, 10, 26)) * 2 - 1
    bad = a.clone()
    bad[0, 1, 0] = float("nan")
    bad[1, 7, 3] = float("inf")
    bad[1, 2, 1] = 7.5  # out of range: clipped, not counted
    clean = bad.clone()
    clean[0, 1, 0] = 0.0
    clean[1, 7, 3] = 0.0
    clean[1, 2, 1] = 1.0
    snapshot = bad.clone()
    _, _, _, _, info = env_a.step(bad)
    assert torch.equal(bad.nan_to_num(123.0), snapshot.nan_to_num(123.0)), (
        "caller's tensor was modified"
    )
    assert info["bad_action_entries"] == 2
    env_b.step(clean)
    assert np.array_equal(env_a.sim.mech_pos(), env_b.sim.mech_pos())
    # a non-contiguous view is accepted too
    env_a.step(torch.zeros((10, 2, 26)).transpose(0, 1))


def test_config_errors_name_the_field_and_range() -> None:
    with pytest.raises(ValueError, match=r"packs_per_team must be an integer in \[1, 8\]"):
        EnvConfig(packs_per_team=0)
    with pytest.raises(ValueError, match=r"map_size\[2\] \(z\) must be an integer in \[6, 64\]"):
        EnvConfig(map_size=(100, 100, 3))
    with pytest.raises(ValueError, match="map_type must be one of"):
        EnvConfig(map_type="caves")
    with pytest.raises(ValueError, match=r"rewards.gamma must be in \[0.0, 1.0\]"):
        RewardConfig(gamma=1.5)
    with pytest.raises(ValueError, match="too small for packs_per_team=2"):
        EnvConfig(map_size=(32, 32, 10), packs_per_team=2)
    with pytest.raises(ValueError, match="red must be 'external' or 'heuristic:N'"):
        EnvConfig(red="heuristic:9")
    with pytest.raises(ValueError, match="num_worlds"):
        VecEnv(small_cfg(), num_worlds=0)
    with pytest.raises(ValueError, match="device"):
        VecEnv(small_cfg(), device="tpu")
    assert EnvConfig.from_dict(small_cfg().to_dict()) == small_cfg()


def run(env: VecEnv, steps: int, seed: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    trace = [env.reset().clone()]
    for _ in range(steps):
        a = torch.rand((env.num_worlds, env.num_agents, env.action_dim), generator=gen) * 2 - 1
        obs, rew, term, trunc, info = env.step(a)
        trace += [
            obs.clone(),
            rew.clone(),
            term.clone(),
            trunc.clone(),
            info["final_obs"].clone(),
            info["episode_end"].clone(),
            torch.from_numpy(env.sim.mech_pos().copy()),
        ]
    return trace


def test_identical_for_one_and_two_threads_and_different_across_seeds() -> None:
    cfg = small_cfg(max_episode_seconds=5.0)  # 20 decisions: several auto-resets in 70 steps
    one = run(VecEnv(cfg, num_worlds=12, seed=9, num_threads=1), 70, seed=0)
    two = run(VecEnv(cfg, num_worlds=12, seed=9, num_threads=2), 70, seed=0)
    assert all(torch.equal(x, y) for x, y in zip(one, two, strict=True))
    other = run(VecEnv(cfg, num_worlds=12, seed=10, num_threads=2), 70, seed=0)
    assert not torch.equal(one[0], other[0])
    env = VecEnv(cfg, num_worlds=4, seed=9, num_threads=2)
    env.reset()
    assert not np.array_equal(env.sim.voxels(0), env.sim.voxels(1)), "worlds draw different maps"


def test_auto_reset_starts_a_fresh_episode_with_a_fresh_map() -> None:
    cfg = small_cfg(max_episode_seconds=2.5)  # 10 decisions
    env = VecEnv(cfg, num_worlds=2, seed=2)
    env.reset()
    first_map = env.sim.voxels(0).copy()
    a = zero_actions(env)
    for t in range(1, 11):
        obs, _rew, term, trunc, info = env.step(a)
        if t < 10:
            assert not info["episode_end"].any() and not trunc.any()
    assert info["episode_end"].all()
    assert trunc.all() and not term.any(), "the time limit truncates, never both"
    assert (
        info["episode_stats"][0, 0] == 10 and info["episode_stats"][0, 1] == 3
    )  # length, time limit
    assert env.sim.episode_index(0) == 1 and env.sim.step_count(0) == 0
    assert not np.array_equal(env.sim.voxels(0), first_map)
    assert not torch.equal(info["final_obs"], obs), (
        "final_obs holds the ended episode, obs the new one"
    )
    assert info["alive"].all()
    # time fraction (self[33]): 1.0 in the final observation, 0 in the new one
    tf = env.obs_layout["self"].slice.start + 33
    assert torch.allclose(info["final_obs"][..., tf], torch.ones(2, 10))
    assert torch.all(obs[..., tf] == 0)


def zone_scene(max_seconds: float = 15.0):  # type: ignore[no-untyped-def]
    env = empty_env((40, 40, 10), max_episode_seconds=max_seconds)
    clear_world(env)
    park_all(env)
    env.sim.set_zone(0, 20.0, 25.0, 5.0)
    return env


def test_zone_ticks_alone_contested_and_rewards() -> None:
    env = zone_scene()
    pos = env.sim.mech_pos()
    pos[0, 4, :2] = (20.0, 25.0)  # blue scout (20 t) alone in the zone
    _, rew, _, _, _ = env.step(zero_actions(env))
    assert env.sim.zone_scores(0) == pytest.approx((0.25, 0.0))
    gamma = 0.99
    # in the zone: zone tick 3.0 x 1.0, plus approach shaping with Phi = 0 before and after
    assert rew[0, 4].item() == pytest.approx(3.0, abs=1e-6)
    # a parked mech outside: reward is only shaping, gamma*Phi(s') - Phi(s) with Phi = -d_edge/40
    p = pos[0, 0]
    d_edge = math.hypot(p[0] - 20.0, p[1] - 25.0) - 5.0
    assert rew[0, 0].item() == pytest.approx(1.5 * (gamma - 1.0) * (-d_edge / 40.0), abs=1e-5)
    pos[0, 9, :2] = (22.0, 25.0)  # red scout joins: contested, equal tonnage -> 0.25 each
    pos[0, 8, :2] = (18.0, 25.0)  # and red light (35 t): margin (20 - 55) / 75 for blue
    env.step(zero_actions(env))
    margin = (20 - 55) / 75
    blue_tick, red_tick = 0.25, 0.25 + 0.75 * -margin
    assert env.sim.zone_scores(0) == pytest.approx((0.25 + 0.25 * blue_tick, 0.25 * red_tick))


def test_approach_shaping_is_potential_based() -> None:
    env = zone_scene()
    pos = env.sim.mech_pos()
    start = (20.0, 5.0)
    pos[0, 4, :2] = start
    env.sim.mech_yaw()[0, 4] = math.pi / 2  # facing the zone
    a = zero_actions(env)
    a[0, 4, env.action_layout.index("forward")] = 1.0
    _, rew, _, _, _ = env.step(a)
    y1 = env.sim.mech_pos()[0, 4, 1]
    phi0, phi1 = -(20.0 - 5.0) / 40.0, -(25.0 - 5.0 - y1) / 40.0
    assert rew[0, 4].item() == pytest.approx(1.5 * (0.99 * phi1 - phi0), abs=1e-5)
    assert rew[0, 4].item() > 0


def test_zone_win_terminates_and_elimination_ends_the_episode() -> None:
    env = zone_scene(max_seconds=4.0)  # score to win = 2 s = 8 decisions alone in the zone
    env.sim.mech_pos()[0, 4, :2] = (20.0, 25.0)
    for t in range(8):
        _, _rew, term, trunc, info = env.step(zero_actions(env))
        if t < 7:
            assert not info["episode_end"][0]
    assert info["episode_end"][0] and info["winner"][0] == 0
    assert term.all() and not trunc.any()
    assert info["episode_stats"][0, 1] == 1  # zone
    assert info["episode_stats"][0, 2] == pytest.approx(2.0)

    env = zone_scene()
    env.sim.mech_alive()[0, 5:] = 0  # red wiped out (combat arrives later; flags set by hand)
    env.sim.refresh_observation(0)
    _, _, term, _, info = env.step(zero_actions(env))
    assert info["episode_end"][0] and info["winner"][0] == 0 and info["episode_stats"][0, 1] == 2
    assert term[0, :5].all()


def test_dead_rows_are_zero_padding() -> None:
    env = zone_scene()
    env.sim.mech_alive()[0, 2] = 0
    env.sim.refresh_observation(0)
    obs, rew, term, trunc, info = env.step(zero_actions(env))
    assert not info["alive"][0, 2] and torch.all(obs[0, 2] == 0)
    assert rew[0, 2] == 0 and not term[0, 2] and not trunc[0, 2]


def test_bare_batchsim_keeps_its_bound_buffers_alive() -> None:
    """The core writes into the bound arrays on every step: dropping the caller's references
    must not free them (it did, and a reset then wrote into freed memory)."""
    import gc
    import weakref

    from echelon import _core
    from echelon.env.numpy_buffers import bind_numpy_buffers

    cfg = _core.SimConfig()
    cfg.size_x, cfg.size_y, cfg.size_z = 32, 32, 8
    sim = _core.BatchSim(cfg, 2, 0, 1)
    obs_ref = weakref.ref(bind_numpy_buffers(sim)["obs"])
    gc.collect()
    assert obs_ref() is not None
    sim.reset()
    assert np.abs(obs_ref()).sum() > 0  # the reset wrote observations into the live array
    del sim
    gc.collect()
    assert obs_ref() is None  # released with the sim


def test_action_layout_names_every_slot_once() -> None:
    env = VecEnv(EnvConfig(map_size=(32, 32, 8), comm_dim=3))
    layout = env.action_layout
    assert list(layout) == [
        "movement",
        "triggers",
        "focus_target",
        "sort_mode",
        "hostile_filter",
        "comm",
    ]
    covered = [i for b in layout.values() for i in range(b.slice.start, b.slice.stop)]
    assert covered == list(range(env.action_dim))  # the blocks tile the row, in order
    assert [layout.index(c) for c in ("forward", "yaw_rate", "primary", "vent", "special")] == [
        0,
        3,
        4,
        5,
        8,
    ]
    assert layout["focus_target"].slice == slice(9, 14)
    assert [layout.index(c) for c in ("closest", "most_damaged", "hostile_only")] == [14, 16, 17]
    assert layout["comm"].channels == ("comm_0", "comm_1", "comm_2")
    with pytest.raises(KeyError, match="unknown action channel"):
        layout.index("fire")
