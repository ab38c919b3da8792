"""Config: one source of truth. The core's lists (cpp/echelon/config.hpp) give every default and
range; EnvConfig takes them from there and translates into the core's SimConfig field for field."""

from __future__ import annotations

import dataclasses
import re

import pytest

from echelon import _core
from echelon.config import CombatConfig, EnvConfig, RewardConfig, core_config

FIELDS = list(_core.config_fields)


def _core_value(sc: object, section: str, name: str) -> object:
    if section == "sim":
        value = getattr(sc, name)
        return value.name if name == "map_type" else value
    if section == "heuristic":
        return getattr(sc, f"heuristic_{name}")
    return getattr(getattr(sc, section), name)


@pytest.mark.parametrize(("section", "name"), [(f[0], f[1]) for f in FIELDS])
def test_python_defaults_translate_to_the_core_defaults(section: str, name: str) -> None:
    mine = _core_value(core_config(EnvConfig()), section, name)
    theirs = _core_value(_core.SimConfig(), section, name)
    if isinstance(theirs, float):
        assert mine == pytest.approx(theirs, rel=1e-7)
    else:
        assert mine == theirs


def test_every_core_field_has_a_python_field_and_back() -> None:
    by_section: dict[str, set[str]] = {}
    for section, name, *_ in FIELDS:
        by_section.setdefault(section, set()).add(name)
    assert by_section["rewards"] == {f.name for f in dataclasses.fields(RewardConfig)}
    assert by_section["combat"] == {f.name for f in dataclasses.fields(CombatConfig)}
    env_fields = {f.name for f in dataclasses.fields(EnvConfig)}
    renamed = {"size_x": "map_size", "size_y": "map_size", "size_z": "map_size"}
    assert {renamed.get(n, n) for n in by_section["sim"]} <= env_fields
    assert {"contact_slots", "observation", "blue", "red", "heuristic_omniscient"} <= env_fields


def test_documented_default_map_type_is_the_core_default() -> None:
    # They disagreed once: the core built simple maps, EnvConfig procedural ones.
    assert EnvConfig().map_type == "procedural" == _core.SimConfig().map_type.name


def _make(section: str, name: str, value: float) -> None:
    """A config with one core field set to ``value`` (the rest default)."""
    if section == "rewards":
        RewardConfig(**{name: value})
    elif section == "combat":
        CombatConfig(**{name: value})
    elif name in ("size_x", "size_y", "size_z"):
        size = [200, 200, 20]
        size[("size_x", "size_y", "size_z").index(name)] = int(value)
        EnvConfig(map_size=(size[0], size[1], size[2]), map_type="simple")
    else:
        EnvConfig(**{name: value})


# Numeric fields with a plain range (max_episode_seconds' floor is one decision, not a constant).
NUMERIC = [
    (section, name, kind, lo, hi)
    for section, name, kind, _, lo, hi, _ in FIELDS
    if kind in ("int", "float") and section != "heuristic" and name != "max_episode_seconds"
]


@pytest.mark.parametrize(("section", "name", "kind", "lo", "hi"), NUMERIC)
def test_python_validates_with_the_core_ranges(
    section: str, name: str, kind: str, lo: float, hi: float
) -> None:
    step = 1 if kind == "int" else 1e-3 * max(1.0, hi - lo)
    for bad in (lo - step, hi + step):
        with pytest.raises(ValueError, match=re.escape(f"[{lo}, {hi}]")):
            _make(section, name, bad)
