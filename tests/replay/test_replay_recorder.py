"""The recorder against the simulator: record -> file -> load gives back the sim's own state views
step by step, and the recorded voxel edits rebuild the terrain exactly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from echelon import EnvConfig, VecEnv
from echelon.maps import episode_map
from echelon.replay import Replay

MAP = (48, 48, 16)


def _fight_env(worlds: int = 3, seed: int = 5, seconds: float = 30.0) -> VecEnv:
    # Expert heuristics on both sides: shots, hits, kills, smoke and destroyed voxels every episode.
    cfg = EnvConfig(
        map_size=MAP, blue="heuristic:4", red="heuristic:4", max_episode_seconds=seconds
    )
    return VecEnv(cfg, num_worlds=worlds, seed=seed, num_threads=1)


def _views(env: VecEnv, w: int) -> dict[str, object]:
    s = env.sim
    return {
        "mech_pos": s.mech_pos()[w].copy(),
        "mech_vel": s.mech_vel()[w].copy(),
        "mech_yaw": s.mech_yaw()[w].copy(),
        "mech_hp": s.mech_hp()[w].copy(),
        "mech_leg_hp": s.mech_leg_hp()[w].copy(),
        "mech_heat": s.mech_heat()[w].copy(),
        "mech_stability": s.mech_stability()[w].copy(),
        "alive": s.mech_alive()[w].copy(),
        "focus": s.mech_state("focus")[w].copy(),
        "zone_score": np.array(s.zone_scores(w), dtype=np.float32),
        "step": s.step_count(w),
        "projectiles": s.projectiles(w),
        "smoke": s.smoke_clouds(w),
        "voxels": s.voxels(w).copy(),
    }


def _assert_frame(rep: Replay, t: int, v: dict[str, object]) -> None:
    a = rep.arrays
    for name in ("mech_pos", "mech_vel", "mech_yaw", "mech_hp", "mech_leg_hp", "mech_heat"):
        np.testing.assert_array_equal(a[name][t], v[name], err_msg=f"{name} frame {t}")
    np.testing.assert_array_equal(a["mech_stability"][t], v["mech_stability"])
    np.testing.assert_array_equal(rep.flags(t)["alive"], v["alive"].astype(bool))
    np.testing.assert_array_equal(a["mech_focus"][t], v["focus"])
    np.testing.assert_array_equal(a["zone_score"][t], v["zone_score"])
    assert int(a["step"][t]) == v["step"]
    proj = rep.projectiles(t)
    live = v["projectiles"]
    assert len(proj["weapon"]) == len(live)
    names = rep.names("weapons")
    for k, p in enumerate(live):
        assert names[int(proj["weapon"][k])] == p["weapon"]
        assert tuple(proj["pos"][k].tolist()) == tuple(p["pos"])
        assert (int(proj["shooter"][k]), int(proj["target"][k])) == (p["shooter"], p["target"])
    smoke = rep.smoke(t)
    assert [tuple(c[:4]) for c in v["smoke"]] == [tuple(float(x) for x in s) for s in smoke]
    np.testing.assert_array_equal(rep.voxels_at(t), v["voxels"], err_msg=f"terrain frame {t}")


def test_record_file_load_matches_the_sim_step_by_step(tmp_path):
    env = _fight_env()
    w = 1
    env.record(worlds=[w], episodes=1, directory=tmp_path)
    env.reset()
    views = [_views(env, w)]
    events, rewards = [[]], [np.zeros(env.num_agents, np.float32)]
    actions = torch.zeros(env.num_worlds, env.num_agents, env.action_dim)
    for _ in range(1000):
        _, reward, _, _, info = env.step(actions)
        events.append(env.sim.events(w))
        rewards.append(reward[w].numpy().copy())
        if bool(info["episode_end"][w]):
            stats_row = info["episode_stats"][w].numpy().copy()
            winner = int(info["winner"][w])
            break
        views.append(_views(env, w))
    else:
        pytest.fail("the episode did not end")
    (path,) = env.replay_files
    rep = Replay.load(path)
    assert rep.frames == len(events) == len(views) + 1
    assert rep.complete and rep.winner == winner
    for t, v in enumerate(views):  # the last frame's state is gone from the views (auto-reset)
        _assert_frame(rep, t, v)
    for t in range(rep.frames):
        assert rep.events(t) == events[t], f"events of decision {t}"
        np.testing.assert_array_equal(rep.arrays["reward"][t], rewards[t])
    stats = rep.header["outcome"]["stats"]
    expected = dict(zip(env.episode_stat_names, stats_row.tolist(), strict=True))
    assert stats == pytest.approx(expected)
    last = rep.frames - 1
    assert rep.arrays["zone_score"][last].tolist() == pytest.approx(
        [expected["zone_score_blue"], expected["zone_score_red"]]
    )
    assert sum(len(e) for e in events) > 0, "the test episode should have combat"
    assert rep.arrays["edit_index"].size > 0, "the test episode should destroy terrain"
    # The initial map is the generated one, with its recipe and hash.
    m = episode_map(env.config, seed=5, world=w, episode=0)
    np.testing.assert_array_equal(rep.arrays["initial_voxels"], m.voxels)
    assert rep.header["map"]["content_hash"] == m.content_hash
    assert rep.header["map"]["recipe"] == m.recipe


def test_edits_rebuild_the_terrain_exactly_including_edits_between_steps():
    env = _fight_env(worlds=2, seed=11, seconds=60.0)
    env.record(worlds=[0], episodes=None)
    env.reset()
    actions = torch.zeros(env.num_worlds, env.num_agents, env.action_dim)
    grids = [env.sim.voxels(0).copy()]
    for step in range(60):
        if step == 20:  # a tool edits the world between steps: the record must still be exact
            env.sim.set_voxel(0, 3, 4, 5, 1)
            env.sim.damage_voxel(0, 3, 4, 5, 10.0)
        _, _, _, _, info = env.step(actions)
        assert not bool(info["episode_end"][0])
        grids.append(env.sim.voxels(0).copy())
    (rep,) = env.stop_recording()
    assert not rep.complete and rep.frames == len(grids)
    for t, g in enumerate(grids):
        np.testing.assert_array_equal(rep.voxels_at(t), g, err_msg=f"frame {t}")
    edits = rep.edits(21)
    assert (5 * MAP[1] + 4) * MAP[0] + 3 in edits[0].tolist()


def test_recording_is_deterministic_and_leaves_the_simulation_unchanged():
    plain, recorded = _fight_env(seed=2), _fight_env(seed=2)
    recorded.record(worlds=[0, 2], episodes=1)
    actions = torch.zeros(plain.num_worlds, plain.num_agents, plain.action_dim)
    o1, o2 = plain.reset(), recorded.reset()
    for _ in range(80):
        o1, r1, *_ = plain.step(actions)
        o2, r2, *_ = recorded.step(actions)
        assert torch.equal(o1, o2) and torch.equal(r1, r2)
    again = _fight_env(seed=2)
    again.record(worlds=[0, 2], episodes=1)
    again.reset()
    for _ in range(80):
        again.step(actions)
    a, b = recorded.stop_recording(), again.stop_recording()
    assert len(a) == len(b) == 2
    for x, y in zip(a, b, strict=True):
        assert x.arrays.keys() == y.arrays.keys()
        for k in x.arrays:
            np.testing.assert_array_equal(x.arrays[k], y.arrays[k])


def test_auto_reset_splits_episodes_and_recording_stops_after_the_count():
    env = _fight_env(worlds=1, seconds=5.0)  # 20 decisions per episode
    env.record(worlds=0, episodes=2)
    env.reset()
    actions = torch.zeros(1, env.num_agents, env.action_dim)
    for _ in range(70):
        env.step(actions)
    reps = env.take_replays()
    assert [r.header["episode"] for r in reps] == [0, 1]
    for r in reps:
        assert r.complete and r.frames == int(r.header["outcome"]["stats"]["length"]) + 1
        assert int(r.arrays["step"][0]) == 0
    assert env.sim.take_records() == []  # the core stopped after two episodes
    assert env.stop_recording() == []


def test_reset_mid_episode_ends_the_record_as_incomplete():
    env = _fight_env(worlds=1)
    env.record(worlds=0, episodes=2)
    env.reset()
    actions = torch.zeros(1, env.num_agents, env.action_dim)
    for _ in range(5):
        env.step(actions)
    env.reset()
    (cut,) = env.take_replays()
    assert not cut.complete and cut.frames == 6
    assert cut.header["outcome"]["stats"] is None


def test_reset_with_a_seed_goes_on_recording_in_the_rebuilt_simulator():
    # reset(seed=...) rebuilds the core simulator: the episode in progress ends as a reset ends
    # it, and the episodes left are recorded in the new one, as a fresh env of that seed plays them.
    env = _fight_env(worlds=1, seconds=5.0)  # 20 decisions per episode
    env.record(worlds=0, episodes=2)
    env.reset()
    actions = torch.zeros(1, env.num_agents, env.action_dim)
    for _ in range(5):
        env.step(actions)
    env.reset(seed=9)
    (cut,) = env.take_replays()
    assert not cut.complete and cut.frames == 6
    assert env.recording and env.sim.record_in_progress(0)["frames"] == 1
    for _ in range(30):
        env.step(actions)
    (after,) = env.take_replays()
    assert after.complete and not env.recording  # the second of two episodes: recording ended

    fresh = _fight_env(worlds=1, seed=9, seconds=5.0)
    fresh.record(worlds=0, episodes=1)
    fresh.reset()
    for _ in range(30):
        fresh.step(actions)
    (want,) = fresh.take_replays()
    assert after.frames == want.frames
    for name in ("mech_pos", "mech_hp", "initial_voxels", "event_type"):
        np.testing.assert_array_equal(after.arrays[name], want.arrays[name])


def test_snapshot_restore_drops_the_record_in_progress():
    env = _fight_env(worlds=1)
    actions = torch.zeros(1, env.num_agents, env.action_dim)
    env.reset()
    state = env.state_dict()
    env.record(worlds=0, episodes=None)
    env.step(actions)  # nothing recorded: recording starts at the next episode start
    assert env.sim.record_in_progress(0) is None
    env.reset()
    env.step(actions)
    assert env.sim.record_in_progress(0)["frames"] == 2
    env.load_state_dict(state)
    env.step(actions)  # the world jumped: the record no longer describes it
    assert env.sim.record_in_progress(0) is None
    assert env.stop_recording() == []


def test_bad_arguments_are_named():
    env = _fight_env(worlds=2)
    with pytest.raises(ValueError, match="worlds must be indices"):
        env.record(worlds=[2])
    with pytest.raises(ValueError, match="episodes must be"):
        env.record(worlds=[0], episodes=0)
    with pytest.raises(ValueError, match="not a valid template"):
        env.record(worlds=[0], name="{nope")
    with pytest.raises(RuntimeError, match=r"call env\.record"):
        VecEnv(EnvConfig(map_size=MAP), num_worlds=1).set_replay_meta(0, {})
    env.record(worlds=[0])
    with pytest.raises(ValueError, match="JSON-serialisable"):
        env.set_replay_meta(0, {"x": float("nan")})


def test_the_observation_backend_does_not_change_a_replay():
    # The mirror backends stage voxel edits and hand contact slots back during the step; the
    # recorder reads the world itself, so a replay is the same whoever writes the observation.
    cfg = EnvConfig(
        map_size=(32, 32, 10), blue="heuristic:4", red="heuristic:4", max_episode_seconds=4.0
    )
    replays = {}
    for backend in ("cpu", "cuda-emulated"):
        env = VecEnv(cfg, num_worlds=2, seed=3, num_threads=1, device="cpu", obs_backend=backend)
        env.record(worlds=[0, 1], episodes=1)
        env.reset()
        actions = torch.zeros(2, env.num_agents, env.action_dim)
        for _ in range(20):
            env.step(actions)
        replays[backend] = env.take_replays()
    assert len(replays["cpu"]) == 2
    for a, b in zip(replays["cpu"], replays["cuda-emulated"], strict=True):
        assert a.complete and b.complete and a.frames == b.frames
        assert a.arrays.keys() == b.arrays.keys()
        for name in a.arrays:
            np.testing.assert_array_equal(a.arrays[name], b.arrays[name], err_msg=name)
