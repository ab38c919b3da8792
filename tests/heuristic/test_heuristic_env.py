"""Config, curriculum hook, per-episode reset and determinism of the heuristic teams."""

from __future__ import annotations

import pytest
import torch

from echelon import EnvConfig, VecEnv


@pytest.mark.parametrize("value", ["heuristic:5", "heuristic:-1", "heuristic:", "scripted", 3])
def test_bad_controller_names_the_field(value: object) -> None:
    with pytest.raises(ValueError, match="red must be 'external' or 'heuristic:N'"):
        EnvConfig(red=value)  # type: ignore[arg-type]


def test_levels_reach_the_core() -> None:
    env = VecEnv(EnvConfig(map_size=(40, 40, 12), blue="heuristic:4", red="heuristic:0"), 2, seed=0)
    env.reset()
    assert env.sim.heuristic_level(0) == 4 and env.sim.heuristic_level(1) == 0
    env.step(torch.zeros(2, env.num_agents, env.action_dim))
    assert env.sim.heuristic_episode_levels(0) == (4, 0)


def run(threads: int, steps: int = 80) -> tuple[torch.Tensor, ...]:
    cfg = EnvConfig(map_size=(48, 48, 12), blue="heuristic:4", red="heuristic:3")
    env = VecEnv(cfg, num_worlds=4, seed=3, num_threads=threads)
    env.reset()
    act = torch.zeros(4, env.num_agents, env.action_dim)
    rewards, ends = [], []
    for _ in range(steps):
        _, r, _, _, info = env.step(act)
        rewards.append(r.clone())
        ends.append(info["episode_end"].clone())
    pos = torch.as_tensor(env.sim.mech_pos().copy())
    return torch.stack(rewards), torch.stack(ends), pos


def test_thread_count_does_not_change_results() -> None:
    a, b = run(1), run(2)
    for x, y in zip(a, b, strict=True):
        assert torch.equal(x, y)


def test_caller_rows_for_a_heuristic_team_are_ignored() -> None:
    cfg = EnvConfig(map_size=(48, 48, 12), blue="heuristic:3", red="heuristic:2")

    def final_positions(fill: float) -> torch.Tensor:
        env = VecEnv(cfg, num_worlds=2, seed=5, num_threads=1)
        env.reset()
        act = torch.full((2, env.num_agents, env.action_dim), fill)
        for _ in range(30):
            env.step(act)
        return torch.as_tensor(env.sim.mech_pos().copy())

    assert torch.equal(final_positions(0.0), final_positions(0.7))


def test_curriculum_hook_applies_at_each_worlds_next_reset() -> None:
    cfg = EnvConfig(
        map_size=(40, 40, 12), blue="heuristic:1", red="heuristic:0", max_episode_seconds=2.0
    )  # 8 decisions per episode
    env = VecEnv(cfg, num_worlds=2, seed=0, num_threads=1)
    env.reset()
    act = torch.zeros(2, env.num_agents, env.action_dim)
    env.step(act)
    env.set_heuristic_level("red", 3)
    env.set_heuristic_level("blue", None)  # external from the next episode on
    env.step(act)
    assert env.sim.heuristic_episode_levels(0) == (1, 0), "the running episode keeps its levels"
    for _ in range(8):
        env.step(act)
    env.step(act)
    assert env.sim.heuristic_episode_levels(0) == (-1, 3)
    with pytest.raises(ValueError, match="level must be"):
        env.set_heuristic_level("red", 9)
    with pytest.raises(ValueError, match="team must be"):
        env.set_heuristic_level("green", 1)


def test_minds_reset_every_episode() -> None:
    cfg = EnvConfig(
        map_size=(48, 48, 12), blue="heuristic:2", red="heuristic:2", max_episode_seconds=5.0
    )
    env = VecEnv(cfg, num_worlds=1, seed=0, num_threads=1)
    env.reset()
    act = torch.zeros(1, env.num_agents, env.action_dim)
    replans_before = 0
    for _ in range(40):
        replans_before = sum(m["replans"] for m in env.sim.heuristic_minds(0))
        _, _, _, _, info = env.step(act)
        if bool(info["episode_end"][0]):
            break
    assert bool(info["episode_end"][0]) and replans_before > 10
    env.step(act)  # first decision of the new episode: fresh minds, one plan each at most
    minds = env.sim.heuristic_minds(0)
    assert all(m["replans"] <= 1 and m["unsticks"] == 0 for m in minds)
    assert env.sim.episode_index(0) == 1
