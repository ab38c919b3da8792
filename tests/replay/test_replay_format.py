"""The replay file format: round trips, and clear errors for truncated, corrupt or crafted files."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from echelon import EnvConfig, VecEnv
from echelon.replay import Replay, ReplayError, read_header
from echelon.replay.format import MAGIC, PREFIX_BYTES, decode, encode


@pytest.fixture(scope="module")
def replay_bytes() -> bytes:
    cfg = EnvConfig(map_size=(32, 32, 10), blue="heuristic:4", red="heuristic:3")
    env = VecEnv(cfg, num_worlds=1, seed=4, num_threads=1)
    env.record(worlds=0, episodes=None)
    env.reset()
    actions = torch.zeros(1, env.num_agents, env.action_dim)
    for _ in range(40):
        env.step(actions)
    (rep,) = env.stop_recording()
    return rep.to_bytes()


def test_round_trip_of_every_dtype():
    rng = np.random.default_rng(0)
    arrays = {
        "u1": rng.integers(0, 255, (3, 4), dtype=np.uint8),
        "i1": rng.integers(-100, 100, 7, dtype=np.int8),
        "u2": rng.integers(0, 60000, (2, 2, 2), dtype=np.uint16),
        "i2": rng.integers(-3000, 3000, 5, dtype=np.int16),
        "u4": rng.integers(0, 2**32 - 1, 4, dtype=np.uint32),
        "i4": rng.integers(-(2**31), 2**31 - 1, 4, dtype=np.int32),
        "f4": rng.standard_normal((6, 3)).astype(np.float32),
        "empty": np.zeros((0, 3), np.float32),
    }
    header, back = decode(encode({"format": "x", "n": [1, 2]}, arrays))
    assert header == {"format": "x", "n": [1, 2]}
    for k, v in arrays.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        np.testing.assert_array_equal(back[k], v)


def test_a_real_replay_round_trips_and_its_header_reads_alone(replay_bytes, tmp_path):
    rep = Replay.from_bytes(replay_bytes)
    path = rep.save(tmp_path / "a.echrep")
    again = Replay.load(path)
    assert again.header == rep.header
    for k in rep.arrays:
        np.testing.assert_array_equal(again.arrays[k], rep.arrays[k])
    assert read_header(path)["outcome"] == rep.header["outcome"]
    with pytest.raises(FileExistsError, match="never overwritten"):
        rep.save(path)
    with pytest.raises(ValueError, match=r"end in \.echrep"):
        rep.save(tmp_path / "a.json")


@pytest.mark.parametrize(
    "cut, message",
    [(0, "truncated"), (5, "truncated"), (PREFIX_BYTES + 3, "truncated"), (-1, "truncated")],
)
def test_truncated_files_say_so(replay_bytes, tmp_path, cut, message):
    p = tmp_path / "t.echrep"
    p.write_bytes(replay_bytes[:cut])
    with pytest.raises(ReplayError, match=message) as info:
        Replay.load(p)
    assert str(p) in str(info.value)
    with pytest.raises(ReplayError, match=message):
        read_header(p)


def test_corruption_is_named(replay_bytes):
    data = bytearray(replay_bytes)
    with pytest.raises(ReplayError, match="not an Echelon replay"):
        Replay.from_bytes(b"PK\x03\x04" + bytes(data[4:]))
    header_len = struct.unpack_from("<I", data, 12)[0]
    flipped = bytearray(data)
    flipped[PREFIX_BYTES + header_len // 2] ^= 0x20
    with pytest.raises(ReplayError, match="header checksum"):
        Replay.from_bytes(bytes(flipped))
    flipped = bytearray(data)
    flipped[-10] ^= 0x01
    with pytest.raises(ReplayError, match="checksum mismatch in section"):
        Replay.from_bytes(bytes(flipped))
    newer = bytearray(data)
    struct.pack_into("<I", newer, 8, 99)
    with pytest.raises(ReplayError, match="newer than this Echelon"):
        Replay.from_bytes(bytes(newer))
    with pytest.raises(ReplayError, match="unexpected bytes"):
        Replay.from_bytes(bytes(data) + b"\0")


def _rewrite(data: bytes, edit_header=None, edit_arrays=None) -> bytes:
    header, arrays = decode(data)
    arrays = {k: v.copy() for k, v in arrays.items()}
    if edit_header:
        edit_header(header)
    if edit_arrays:
        edit_arrays(arrays)
    return encode(header, arrays)


def test_well_formed_but_inconsistent_files_are_refused(replay_bytes):
    def bad_edit(a):
        a["edit_index"] = np.append(a["edit_index"], np.int32(10**8))
        a["edit_material"] = np.append(a["edit_material"], np.uint8(1))
        a["edit_offsets"][-1] += 1

    cases = [
        (None, bad_edit, "outside the grid"),
        (None, lambda a: a.pop("mech_pos"), "missing arrays"),
        (None, lambda a: a.__setitem__("event_offsets", a["event_offsets"][:-1]), "event_offsets"),
        (None, lambda a: a["mech_focus"].__setitem__((0, 0), 99), "agent that does not exist"),
        (lambda h: h.__setitem__("format", "pickle"), None, "not 'echelon-replay'"),
        (lambda h: h.pop("names"), None, "lacks 'names'"),
    ]
    if Replay.from_bytes(replay_bytes).arrays["event_type"].size:
        cases.append((None, lambda a: a["event_type"].__setitem__(0, 200), "without a name"))
    for eh, ea, message in cases:
        with pytest.raises(ReplayError, match=message):
            Replay.from_bytes(_rewrite(replay_bytes, eh, ea))


def test_a_section_that_inflates_beyond_its_shape_is_refused():
    data = encode({}, {"x": np.zeros(1000, np.uint8)})
    header_len = struct.unpack_from("<I", data, 12)[0]
    header = json.loads(data[PREFIX_BYTES : PREFIX_BYTES + header_len])
    header["sections"][0]["shape"] = [10]  # a "bomb": declares 10 bytes, inflates to 1000
    text = json.dumps(header).encode()
    forged = (
        struct.pack("<8sIII", MAGIC, 1, len(text), zlib.crc32(text))
        + text
        + data[PREFIX_BYTES + header_len :]
    )
    with pytest.raises(ReplayError, match="expected 10"):
        decode(forged)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_damage_raises_replay_error_and_nothing_else(replay_bytes, data):
    raw = bytearray(replay_bytes)
    kind = data.draw(st.sampled_from(["cut", "flip", "splice"]))
    if kind == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif kind == "flip":
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] ^= 1 << data.draw(st.integers(0, 7))
    else:
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
    with pytest.raises(ReplayError):
        Replay.from_bytes(bytes(raw))
