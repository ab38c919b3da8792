"""VecEnv(world_offset=k): a block of worlds plays exactly the games of the same worlds of one
env with all of them (what a rank of a distributed run relies on), across automatic resets and
with the heuristic driving red; snapshots remember the offset."""

from __future__ import annotations

import pytest
import torch

from echelon import EnvConfig, VecEnv

CFG = EnvConfig(
    map_size=(40, 40, 16),
    map_type="procedural",
    red="heuristic:3",  # the heuristic's own stream is per world too
    max_episode_seconds=2.0,  # 8 decisions: 20 steps cross two automatic resets
)


def trajectory(env: VecEnv, actions: list[torch.Tensor]) -> list[list[torch.Tensor]]:
    out = [[env.reset().clone()]]
    for a in actions:
        obs, rew, term, trunc, info = env.step(a)
        out.append(
            [obs.clone(), rew.clone(), term.clone(), trunc.clone(), info["episode_end"].clone()]
        )
    return out


def test_a_block_of_worlds_plays_the_same_games_as_in_the_whole_env() -> None:
    gen = torch.Generator().manual_seed(3)
    whole = VecEnv(CFG, num_worlds=5, seed=21, num_threads=2)
    actions = [
        torch.rand((5, whole.num_agents, whole.action_dim), generator=gen) * 2 - 1
        for _ in range(20)
    ]
    full = trajectory(whole, actions)
    assert sum(int(step[-1].sum()) for step in full[1:]) >= 5, "the run should cross resets"
    for offset, count in ((0, 2), (2, 3), (4, 1)):
        block = VecEnv(CFG, num_worlds=count, seed=21, num_threads=1, world_offset=offset)
        part = trajectory(block, [a[offset : offset + count] for a in actions])
        for t, (x, y) in enumerate(zip(full, part, strict=True)):
            for i, (a, b) in enumerate(zip(x, y, strict=True)):
                assert torch.equal(a[offset : offset + count], b), f"step {t}, output {i}"
    other = trajectory(VecEnv(CFG, num_worlds=2, seed=21, world_offset=1), [a[:2] for a in actions])
    assert not torch.equal(other[0][0], full[0][0][:2]), "another offset plays other games"


def test_the_offset_is_in_the_state_dict_and_checked_on_load() -> None:
    env = VecEnv(CFG, num_worlds=2, seed=5, world_offset=6)
    env.reset()
    state = env.state_dict()
    assert state["world_offset"] == 6
    VecEnv(CFG, num_worlds=2, seed=5, world_offset=6).load_state_dict(state)
    with pytest.raises(ValueError, match="world_offset=6, this env has 0"):
        VecEnv(CFG, num_worlds=2, seed=5).load_state_dict(state)
    old = {k: v for k, v in VecEnv(CFG, num_worlds=2, seed=5).state_dict().items()}
    del old["world_offset"]  # snapshots from before offsets existed are at offset 0
    VecEnv(CFG, num_worlds=2, seed=5).load_state_dict(old)
    with pytest.raises(ValueError, match="world_offset"):
        VecEnv(CFG, num_worlds=2, world_offset=-1)


def test_reseeding_keeps_the_offset() -> None:
    a = VecEnv(CFG, num_worlds=1, seed=1, world_offset=3)
    b = VecEnv(CFG, num_worlds=1, seed=9, world_offset=3)
    assert torch.equal(a.reset(seed=9), b.reset())
    assert a.sim.world_offset == 3
