"""Simulator snapshots that pass the checksum but carry impossible state (docs/security.md, 3).

The blob's FNV checksum catches accidents, not edits: each test edits a field and reseals the
checksum the way an attacker would. The load must refuse it (naming the field) and leave the env
exactly as it was; no state may make a step loop forever (the raycast walks are bounded); and a
snapshot made under other rules is refused even when the config dict beside it is edited."""

from __future__ import annotations

import dataclasses
import struct
from typing import Any

import numpy as np
import pytest
import torch
from hostile import run_python

from echelon import EnvConfig, VecEnv

CFG = EnvConfig(map_size=(32, 32, 12), map_type="procedural", red="heuristic:3", blue="heuristic:2")
MECH_FLOATS = ("pos", "vel", "yaw", "hp", "leg_hp", "heat", "stability")  # mech_fields.hpp order
MECH_TIMERS = ("fallen_ticks", "cd_laser")


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def reseal(payload: bytes) -> bytes:
    return payload + fnv1a64(payload).to_bytes(8, "little")


def mech_field(blob: bytes, name: str) -> int:
    """Byte offset of the first value of a mech-table field in a snapshot."""
    offset = 8 + 4 + 4
    (fields,) = struct.unpack_from("<I", blob, offset)
    offset += 4 + 8 * fields + 8  # config fields, seed
    for field in (*MECH_FLOATS, *MECH_TIMERS):
        (count,) = struct.unpack_from("<Q", blob, offset)
        offset += 8
        if field == name:
            return offset
        offset += count * (12 if field in ("pos", "vel") else 4)
    raise KeyError(name)


def edited(blob: bytes, name: str, index: int, fmt: str, value: Any) -> bytes:
    body = bytearray(blob[:-8])
    struct.pack_into(fmt, body, mech_field(blob, name) + index, value)
    return reseal(bytes(body))


@pytest.fixture(scope="module")
def env_and_blob() -> tuple[VecEnv, bytes]:
    env = VecEnv(CFG, num_worlds=2, seed=3, num_threads=1)
    env.reset()
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        env.step(torch.rand(2, env.num_agents, env.action_dim, generator=g) * 2 - 1)
    return env, env.sim.save_state()


@pytest.fixture(scope="module")
def untouched_target() -> tuple[VecEnv, bytes]:
    """An env every refused load must leave exactly as it was, and its state."""
    target = VecEnv(CFG, num_worlds=2, seed=9, num_threads=1)
    target.reset()
    return target, target.sim.save_state()


@pytest.mark.parametrize(
    ("field", "index", "fmt", "value", "message"),
    [
        ("pos", 3 * 12, "<f", float("nan"), "mech pos ="),
        ("pos", 12 + 4, "<f", 1e30, "mech pos ="),
        ("pos", 8, "<f", -50.0, "mech pos ="),
        ("vel", 0, "<f", float("inf"), "mech vel ="),
        ("yaw", 4, "<f", float("nan"), "mech yaw ="),
        ("hp", 0, "<f", float("nan"), "mech hp ="),
        ("hp", 0, "<f", 1e9, "mech hp ="),
        ("heat", 8, "<f", -1.0, "mech heat ="),
        ("stability", 0, "<f", float("-inf"), "mech stability ="),
        ("fallen_ticks", 0, "<i", -7, "mech fallen_ticks ="),
        ("cd_laser", 4, "<i", -1, "mech cd_laser ="),
    ],
)
def test_impossible_mech_state_is_refused_and_the_env_is_untouched(
    env_and_blob: tuple[VecEnv, bytes],
    untouched_target: tuple[VecEnv, bytes],
    field: str,
    index: int,
    fmt: str,
    value: Any,
    message: str,
) -> None:
    _, blob = env_and_blob
    target, before = untouched_target
    with pytest.raises(ValueError, match=message):
        target.sim.load_state(edited(blob, field, index, fmt, value))
    assert target.sim.save_state() == before


def test_the_unedited_blob_still_loads(env_and_blob: tuple[VecEnv, bytes]) -> None:
    _, blob = env_and_blob
    target = VecEnv(CFG, num_worlds=2, seed=9, num_threads=1)
    target.sim.load_state(reseal(blob[:-8]))
    assert target.sim.save_state() == blob


def test_a_snapshot_of_other_rewards_is_refused_even_with_an_edited_config() -> None:
    """The config fields travel inside the blob: editing the dict beside it does not help."""
    saved = VecEnv(CFG, num_worlds=1, seed=1, num_threads=1)
    saved.reset()
    state = saved.state_dict()
    other = CFG.replace(rewards=dataclasses.replace(CFG.rewards, zone_tick=0.5))
    live = VecEnv(other, num_worlds=1, seed=1, num_threads=1)
    live.reset()
    before = live.sim.save_state()
    forged = dict(state, config=other.to_dict())
    with pytest.raises(
        ValueError, match=r"rewards\.zone_tick=3\.0+, this sim has rewards\.zone_tick=0\.5"
    ):
        live.load_state_dict(forged)
    assert live.sim.save_state() == before
    partial = CFG.replace(observation="partial")
    live = VecEnv(partial, num_worlds=1, seed=1, num_threads=1)
    with pytest.raises(ValueError, match="full_observation=1, this sim has full_observation=0"):
        live.load_state_dict(dict(state, config=partial.to_dict()))


def test_a_format_1_blob_is_refused(env_and_blob: tuple[VecEnv, bytes]) -> None:
    env, blob = env_and_blob
    body = bytearray(blob[:-8])
    struct.pack_into("<I", body, 8, 1)
    with pytest.raises(ValueError, match="format version 1 is not supported"):
        env.sim.load_state(reseal(bytes(body)))


def test_load_state_dict_checks_everything_before_changing_the_env(
    env_and_blob: tuple[VecEnv, bytes],
) -> None:
    env, _ = env_and_blob
    state = env.state_dict()
    target = VecEnv(CFG, num_worlds=2, seed=9, num_threads=1)
    target.reset()
    before = target.sim.save_state()
    for bad, message in (
        ({"seed": -1}, "seed"),
        ({"seed": "11"}, "seed"),
        ({"seed": 2**64}, "seed"),
        ({"config": "x"}, "config"),
    ):
        with pytest.raises(ValueError, match=message):
            target.load_state_dict(dict(state, **bad))
        assert target.sim.save_state() == before and target.seed == 9


def test_no_state_makes_a_step_loop_forever() -> None:
    """A non-finite or absurd position (written straight into the state, past any load check)
    made every line-of-sight walk take billions of cells; now such a ray is blocked at once.
    In a child: a hang in the core holds no GIL a test timeout could interrupt."""
    code = """
import torch
from echelon import EnvConfig, VecEnv
for value in (float("nan"), 1e30, -1e30, float("inf")):
    env = VecEnv(EnvConfig(map_size=(40, 40, 16), map_type="procedural", red="heuristic:3",
                           blue="heuristic:4"), num_worlds=1, seed=1, num_threads=1)
    env.reset()
    for agent in range(env.num_agents):
        env.sim.mech_pos()[0, agent, agent % 3] = value
    a = torch.zeros(1, env.num_agents, env.action_dim)
    for _ in range(5):
        env.step(a)
    print("stepped", value, flush=True)
"""
    out = run_python(code, timeout=300)
    assert out.returncode == 0 and out.stdout.count("stepped") == 4, (out.stdout, out.stderr)


def test_random_play_states_always_pass_validation() -> None:
    """The checks admit every state a step produces: save and reload along random play."""
    env = VecEnv(CFG.replace(max_episode_seconds=4.0), num_worlds=3, seed=5, num_threads=1)
    env.reset()
    g = torch.Generator().manual_seed(1)
    twin = VecEnv(CFG.replace(max_episode_seconds=4.0), num_worlds=3, seed=5, num_threads=1)
    for step in range(40):
        env.step(torch.rand(3, env.num_agents, env.action_dim, generator=g) * 2 - 1)
        if step % 4 == 0:
            blob = env.sim.save_state()
            twin.sim.load_state(blob)
            assert twin.sim.save_state() == blob
    assert np.isfinite(env.sim.mech_pos()).all()
