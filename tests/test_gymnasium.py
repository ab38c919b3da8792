"""Gymnasium conventions: bounded observation spaces that random play never leaves, reset(seed),
the registered ids, and the VectorEnv adapter's episodes and rewards against VecEnv itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import gymnasium
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from echelon import EnvConfig, VecEnv
from echelon.env.gym_vector import EchelonVectorEnv
from echelon.pettingzoo import parallel_env

SMALL = {"map_size": (32, 32, 8), "max_episode_seconds": 6.0}


@pytest.mark.parametrize(
    "config",
    [
        EnvConfig(map_size=(40, 40, 12), red="heuristic:3", max_episode_seconds=15.0),
        EnvConfig(
            map_size=(48, 48, 12), packs_per_team=2, observation="partial", blue="heuristic:4"
        ),
        EnvConfig(map_size=(32, 32, 8), map_type="simple", comm_dim=4, contact_slots=8),
    ],
    ids=["heuristic-red", "partial-2-packs", "simple-map"],
)
def test_random_play_stays_inside_the_observation_bounds(config: EnvConfig) -> None:
    env = VecEnv(config, num_worlds=8, seed=4, num_threads=1)
    space = env.observation_space
    bounded = int((np.isfinite(space.low) | np.isfinite(space.high)).sum())
    assert bounded > 0.8 * env.obs_dim  # most features have a known range

    def check(rows: np.ndarray) -> None:  # NumPy: elementwise checks without thread start-up
        outside = (rows < space.low) | (rows > space.high)
        assert not outside.any(), np.argwhere(outside)[:10]

    gen = torch.Generator().manual_seed(0)
    obs = env.reset()
    shape = (env.num_worlds, env.num_agents, env.action_dim)
    for _ in range(300):  # several episodes with resets; actions past [-1, 1] are clipped
        check(obs.numpy())
        obs, *_rest, info = env.step(torch.randn(shape, generator=gen) * 1.5)
        check(info["final_obs"][info["episode_end"]].numpy())
    assert space.contains(obs[0, 0].numpy())


def test_reset_seed_replays_the_same_episode_and_a_new_seed_does_not() -> None:
    env = VecEnv(EnvConfig(**SMALL, red="heuristic:2"), num_worlds=3, seed=0, num_threads=1)
    env.set_heuristic_level("red", 1)
    actions = torch.rand(3, env.num_agents, env.action_dim) * 2 - 1

    def play(seed: int) -> list[torch.Tensor]:
        out = [env.reset(seed=seed).clone()]
        for _ in range(20):
            out.append(env.step(actions)[0].clone())
        return out

    first, again, other = play(7), play(7), play(8)
    assert env.seed == 8
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert not torch.equal(first[0], other[0])
    fresh = VecEnv(EnvConfig(**SMALL, red="heuristic:2"), num_worlds=3, seed=7, num_threads=1)
    fresh.set_heuristic_level("red", 1)  # the level set before reset(seed=...) was kept
    assert torch.equal(fresh.reset(), first[0])
    zoo = parallel_env(EnvConfig(**SMALL))
    a, _ = zoo.reset(seed=3)
    b, _ = zoo.reset(seed=3)
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.filterwarnings(
    "ignore:.*Box observation space m:UserWarning"
)  # inf bounds: on purpose
def test_registered_ids_build_the_vector_and_the_world_env() -> None:
    vec = gymnasium.make_vec("echelon/Echelon-v0", num_envs=10, config=SMALL)
    assert isinstance(vec, gymnasium.vector.VectorEnv) and vec.num_envs == 10
    assert vec.observation_space.shape == (10, vec.single_observation_space.shape[0])
    obs, _ = vec.reset(seed=1)
    assert obs.shape == (10, 781) and obs.dtype == np.float32
    vec.close()
    world = gymnasium.make("echelon/EchelonWorld-v0", config=SMALL)
    check_env(world.unwrapped, skip_render_check=True)
    obs, _ = world.reset(seed=2)
    assert obs.shape == (5, 781) and world.action_space.shape == (5, 26)
    with pytest.raises(ValueError, match="multiple of the team size 5"):
        EchelonVectorEnv(7, SMALL)


def test_vector_env_episodes_and_returns_match_vec_env() -> None:
    """Same seed and actions: each sub-environment's return over its episode equals that mech's
    VecEnv return (death row plus late win/loss reward), its episode ends exactly when its world
    does, and a dead mech sees zeros until then."""
    config = EnvConfig(**SMALL, rewards={"win": 5.0, "loss": -5.0}, red="heuristic:3")
    vec = EchelonVectorEnv(10, config, seed=5, num_threads=1)
    ref = VecEnv(config, num_worlds=2, seed=5, num_threads=1)
    gen = torch.Generator().manual_seed(1)
    vec.reset()
    ref.reset()
    blue = ref.team_slices["blue"]
    ret_vec, ret_ref = np.zeros(10), np.zeros(10)
    alive = torch.ones(2, ref.num_agents, dtype=torch.bool)
    finished = 0
    for _ in range(120):
        acts = torch.rand(10, ref.action_dim, generator=gen) * 2 - 1
        full = torch.zeros(2, ref.num_agents, ref.action_dim)
        full[:, blue] = acts.view(2, 5, -1)
        obs, rew, term, trunc, info = vec.step(acts.numpy())
        r_obs, r_rew, _, _, r_info = ref.step(full)
        late = r_info["late_terminal"][:, blue].reshape(10).numpy()
        ret_vec += rew
        ret_ref += r_rew[:, blue].reshape(10).numpy() + late
        ended = r_info["episode_end"].repeat_interleave(5).numpy()
        assert np.array_equal(term | trunc, ended) and not (term & trunc).any()
        dead = ~r_info["alive"][:, blue].reshape(10).numpy() & ~ended
        assert not obs[dead].any() and not rew[dead & ~alive[:, blue].reshape(10).numpy()].any()
        assert np.allclose(obs, r_obs[:, blue].reshape(10, -1).numpy())
        if ended.any():
            assert np.allclose(ret_vec[ended], ret_ref[ended], rtol=1e-5, atol=1e-4)
            final = np.stack(list(info["final_obs"][ended]))
            assert np.allclose(final, r_info["final_obs"][:, blue].reshape(10, -1)[ended])
            ret_vec[ended] = ret_ref[ended] = 0.0
            finished += int(ended.sum())
        alive = r_info["alive"].clone()
    assert finished >= 10  # both worlds ended at least once


@pytest.mark.slow
def test_the_stable_baselines3_example_trains(tmp_path: Path) -> None:
    pytest.importorskip("stable_baselines3")
    example = Path(__file__).resolve().parents[1] / "examples" / "train_sb3.py"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(
        [sys.executable, str(example), "--timesteps", "640", "--worlds", "1", "--n-steps", "64"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "total_timesteps" in done.stdout
