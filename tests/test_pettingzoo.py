"""The single-world PettingZoo wrapper passes PettingZoo's own API test."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

from echelon import EnvConfig
from echelon.pettingzoo import parallel_env


def test_parallel_api() -> None:
    parallel_api_test(
        parallel_env(EnvConfig(map_size=(40, 40, 10), max_episode_seconds=5.0)), num_cycles=60
    )


def test_episode_ends_with_empty_agent_list_and_reset_seed_reproduces() -> None:
    env = parallel_env(EnvConfig(map_size=(40, 40, 10), max_episode_seconds=2.5), seed=3)
    obs, _ = env.reset(seed=11)
    steps = 0
    while env.agents:
        acts = {a: env.action_space(a).sample() for a in env.agents}
        _, _, term, trunc, _infos = env.step(acts)
        steps += 1
    assert steps == 10 and all(trunc.values()) and not any(term.values())
    again, _ = env.reset(seed=11)
    assert all(np.array_equal(obs[a], again[a]) for a in obs)


def test_heuristic_team_is_not_among_the_agents() -> None:
    cfg = EnvConfig(map_size=(40, 40, 10), max_episode_seconds=5.0, red="heuristic:1")
    env = parallel_env(cfg)
    assert env.possible_agents == [f"blue_{i}" for i in range(5)]
    obs, _ = env.reset(seed=2)
    assert set(obs) == set(env.possible_agents)
    parallel_api_test(parallel_env(cfg), num_cycles=40)
    with pytest.raises(ValueError, match="unknown agent 'red_0'"):
        env.step({"red_0": env.action_space("red_0").sample()})


def test_two_heuristic_teams_leave_nothing_to_control() -> None:
    cfg = EnvConfig(map_size=(40, 40, 10), blue="heuristic:0", red="heuristic:1")
    with pytest.raises(ValueError, match="no agent is left to act"):
        parallel_env(cfg)
