"""The observation mirror, the GPU path's protocol, against the CPU writer.

``obs_backend="cuda"`` runs the mirror on a GPU (tests marked ``cuda``);
``obs_backend="cuda-emulated"`` runs the same upload rules and kernel thread bodies on the host,
so every machine checks the protocol: per-step uploads of mech state and voxel edits, whole grids
after resets and restores, edits made between steps, terrain-map refresh of dirty worlds, pair
line of sight with smoke, assembly and the contact slots handed back to the simulator.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from echelon import EnvConfig, VecEnv

WORLDS = 8
SOLID, GLASS, FOLIAGE = 1, 7, 9


def mirror_env(backend: str, cfg: EnvConfig, seed: int, worlds: int = WORLDS) -> VecEnv:
    if backend == "cuda":
        return VecEnv(cfg, num_worlds=worlds, seed=seed, device="cuda", num_threads=2)
    return VecEnv(cfg, num_worlds=worlds, seed=seed, obs_backend=backend, num_threads=2)


def assert_obs_equal(cpu: torch.Tensor, mirror: torch.Tensor) -> None:
    """Bitwise: both sides run the same arithmetic, without FMA, and the shared host/device
    transcendentals (hd_math.hpp) rather than libm or CUDA's math library."""
    got = mirror.cpu()
    assert torch.equal(cpu, got), f"max |diff| {(cpu - got).abs().max().item()}"


def edit_near_a_living_mech(envs: list[VecEnv], world: int, step: int) -> None:
    """Builds a pillar beside a living mech and chips a wall, between steps, in every env."""
    sim = envs[0].sim
    alive = np.flatnonzero(sim.mech_alive()[world])
    if alive.size == 0:
        return
    agent = int(alive[step % alive.size])
    x, y, _ = (int(v) for v in sim.mech_pos()[world, agent])
    for env in envs:
        for dz in (0, 1, 2):
            env.sim.set_voxel(world, min(x + 2, 47), y, dz, SOLID)
        env.sim.damage_voxel(world, x, min(y + 3, 47), 1, 500.0)


def run_against_cpu_writer(backend: str, observation: str, steps: int = 70) -> int:
    cfg = EnvConfig(map_size=(48, 48, 16), max_episode_seconds=6.0, observation=observation)
    cpu = VecEnv(cfg, num_worlds=WORLDS, seed=4, num_threads=2)
    mir = mirror_env(backend, cfg, seed=4)
    assert mir.obs_backend == backend
    assert_obs_equal(cpu.reset(), mir.reset())
    gen = torch.Generator().manual_seed(0)
    edits_sent = episodes_ended = 0
    saved = None
    for step in range(steps):
        if step % 7 == 3:
            edit_near_a_living_mech([cpu, mir], world=step % WORLDS, step=step)
        if step == 20:
            saved = cpu.state_dict()
        if step == 45:  # rewind both to step 20: the mirror holds other terrain until reloaded
            assert saved is not None
            assert_obs_equal(cpu.load_state_dict(saved), mir.load_state_dict(saved))
        a = torch.rand((WORLDS, cpu.num_agents, cpu.action_dim), generator=gen) * 2 - 1
        oc, rc, tc, uc, ic = cpu.step(a)
        om, rm, tm, um, im = mir.step(a.to(mir.device))
        assert torch.equal(rc, rm.cpu()) and torch.equal(tc, tm.cpu()) and torch.equal(uc, um.cpu())
        assert_obs_equal(oc, om)
        ended = ic["episode_end"]
        assert torch.equal(ended, im["episode_end"].cpu())
        assert_obs_equal(ic["final_obs"][ended], im["final_obs"].cpu()[ended])
        for w in range(WORLDS):
            assert np.array_equal(cpu.sim.contact_slots(w), mir.sim.contact_slots(w)), (step, w)
        edits_sent += mir.sim.mirror_last_edits()
        episodes_ended += int(ended.sum())
    assert episodes_ended > 0, "the run should cross auto-resets"
    return edits_sent


@pytest.mark.parametrize("observation", ["partial", "full"])
def test_emulated_mirror_matches_cpu_writer_exactly(observation: str) -> None:
    edits_sent = run_against_cpu_writer("cuda-emulated", observation)
    assert edits_sent > 0, "some steps should have sent voxel edits rather than whole grids"


@pytest.mark.cuda
@pytest.mark.parametrize("observation", ["partial", "full"])
def test_cuda_mirror_matches_cpu_writer_exactly(observation: str) -> None:
    run_against_cpu_writer("cuda", observation)


def test_mirror_sends_whole_grids_only_when_it_must() -> None:
    cfg = EnvConfig(map_size=(32, 32, 8), max_episode_seconds=60.0)
    env = VecEnv(cfg, num_worlds=4, seed=3, obs_backend="cuda-emulated")
    sim = env.sim
    env.reset()
    assert sim.mirror_last_whole_grids() == 4
    still = torch.zeros((4, env.num_agents, env.action_dim))
    env.step(still)
    assert (sim.mirror_last_whole_grids(), sim.mirror_last_edits()) == (0, 0)
    env.sim.set_voxel(2, 5, 5, 1, SOLID)  # between steps: the step's clear erases the record
    env.step(still)
    assert sim.mirror_last_whole_grids() == 1
    env.step(still)
    assert sim.mirror_last_whole_grids() == 0
    env.load_state_dict(env.state_dict())
    assert sim.mirror_last_whole_grids() == 4


def test_obs_backend_choices_and_errors() -> None:
    cfg = EnvConfig(map_size=(32, 32, 8))
    assert VecEnv(cfg).obs_backend == "cpu"
    assert VecEnv(cfg, obs_backend="cpu").obs_backend == "cpu"
    with pytest.raises(ValueError, match="obs_backend must be one of"):
        VecEnv(cfg, obs_backend="gpu")
    with pytest.raises(ValueError, match="needs device='cuda'"):
        VecEnv(cfg, obs_backend="cuda")
    with pytest.raises(RuntimeError, match="no observation mirror"):
        VecEnv(cfg).gpu_timings()
    env = VecEnv(cfg, obs_backend="cuda-emulated")
    env.reset()
    env.step(torch.zeros((1, env.num_agents, env.action_dim)))
    timings = env.gpu_timings()
    assert set(timings) == {"upload_ms", "terrain_ms", "los_ms", "assemble_ms", "host_ms"}
    assert all(v >= 0.0 for v in timings.values())
    with pytest.raises(ValueError, match="obs buffer has the wrong size"):
        env.sim.bind("obs", torch.zeros(3))


@pytest.mark.parametrize("backend", ["cuda-emulated", pytest.param("cuda", marks=pytest.mark.cuda)])
def test_mirror_tracks_in_step_destruction(backend: str) -> None:
    """A field of glass and foliage posts that random fire knocks down: the mirror must follow
    every in-step edit (the edits path, not whole grids) in the local maps and telemetry."""
    cfg = EnvConfig(map_size=(32, 32, 8), map_type="empty", max_episode_seconds=60.0)
    envs = [VecEnv(cfg, num_worlds=4, seed=9), mirror_env(backend, cfg, seed=9, worlds=4)]
    for env in envs:
        env.reset()
    rng = np.random.default_rng(0)
    field = envs[0].sim.voxels(0).copy()
    posts = (rng.random(field.shape[1:]) < 0.3) & (field[1] == 0) & (field[2] == 0)
    field[1][posts] = GLASS
    field[2][posts] = FOLIAGE
    for env in envs:
        for w in range(4):
            env.sim.set_voxels(w, field)
    gen = torch.Generator().manual_seed(1)
    destroyed_via_edits = 0
    for _ in range(60):
        a = torch.rand((4, envs[0].num_agents, envs[0].action_dim), generator=gen) * 2 - 1
        before = [envs[0].sim.voxels(w).copy() for w in range(4)]
        (oc, *_), (om, *_) = envs[0].step(a), envs[1].step(a.to(envs[1].device))
        assert_obs_equal(oc, om)
        if envs[1].sim.mirror_last_whole_grids() == 0:
            destroyed_via_edits += sum(
                int((before[w] != envs[0].sim.voxels(w)).sum()) for w in range(4)
            )
    assert destroyed_via_edits >= 100, destroyed_via_edits
