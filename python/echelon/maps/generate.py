"""Generate one procedural map, or reproduce one from its recipe or from a VecEnv episode.

Every map comes with a recipe (the seed and every parameter, plus what the generator decided) and a
content hash over all voxel materials; two maps with the same hash are identical voxel for voxel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from echelon import _core
from echelon.config import EnvConfig

BIOME_NAMES: tuple[str, ...] = tuple(_core.biome_names())
CORNERS: tuple[str, ...] = ("BL", "BR", "TL", "TR")


@dataclass(frozen=True)
class GeneratedMap:
    """One generated map: materials [Z, Y, X], their HP, and what the generator recorded."""

    voxels: np.ndarray
    voxel_hp: np.ndarray
    seed: int
    content_hash: str
    recipe_hash: str
    recipe: dict[str, Any]
    recipe_json: str
    biomes: dict[str, str]
    split: tuple[int, int]
    transform: str
    spawn_corners: tuple[str, str]
    spawn_clear: int
    zone: tuple[float, float, float]
    corridors: tuple[tuple[str, int, tuple[tuple[float, float], ...]], ...]
    fixups: tuple[str, ...]

    @property
    def size(self) -> tuple[int, int, int]:
        z, y, x = self.voxels.shape
        return (int(x), int(y), int(z))


def _check_size(size: tuple[int, int, int]) -> tuple[int, int, int]:
    if len(size) != 3:
        raise ValueError(f"size must be (x, y, z), got {size!r}")
    x, y, z = (int(v) for v in size)
    if not (16 <= x <= 512 and 16 <= y <= 512):
        raise ValueError(f"size x and y must be in [16, 512], got {(x, y)}")
    if not 8 <= z <= 64:
        raise ValueError(f"size z (height) must be in [8, 64] for procedural maps, got {z}")
    return (x, y, z)


def generate_map(size: tuple[int, int, int], seed: int, packs_per_team: int = 1) -> GeneratedMap:
    """Generates the procedural map for ``seed`` at ``size`` (x, y, z) for a roster of packs."""
    if not 0 <= int(seed) < 2**64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed!r}")
    if not 1 <= packs_per_team <= 8:
        raise ValueError(f"packs_per_team must be in [1, 8], got {packs_per_team!r}")
    d = _core.generate_terrain(_check_size(size), int(seed), int(packs_per_team))
    corridors = tuple(
        (str(k), int(w), tuple((float(a), float(b)) for a, b in pts))
        for k, w, pts in d["corridors"]
    )
    return GeneratedMap(
        voxels=d["voxels"],
        voxel_hp=d["voxel_hp"],
        seed=int(d["seed"]),
        content_hash=str(d["content_hash"]),
        recipe_hash=str(d["recipe_hash"]),
        recipe=json.loads(d["recipe_json"]),
        recipe_json=str(d["recipe_json"]),
        biomes={str(k): str(v) for k, v in d["biomes"].items()},
        split=(int(d["split"][0]), int(d["split"][1])),
        transform=str(d["transform"]),
        spawn_corners=(str(d["spawn_corners"][0]), str(d["spawn_corners"][1])),
        spawn_clear=int(d["spawn_clear"]),
        zone=(float(d["zone"][0]), float(d["zone"][1]), float(d["zone"][2])),
        corridors=corridors,
        fixups=tuple(str(f) for f in d["fixups"]),
    )


def reproduce(recipe: dict[str, Any] | str) -> GeneratedMap:
    """Regenerates a map from its recipe (dict or JSON text); raises if the generator differs."""
    r = json.loads(recipe) if isinstance(recipe, str) else recipe
    gen = r.get("generator", {})
    if gen.get("id") != "echelon_procedural":
        raise ValueError(f"recipe generator.id must be 'echelon_procedural', got {gen.get('id')!r}")
    m = generate_map(tuple(r["size"]), int(r["seed"]), int(r["packs_per_team"]))
    if m.recipe != r:
        raise ValueError(
            f"this build's generator (version {m.recipe['generator']['version']}) does not "
            f"reproduce the recipe (version {gen.get('version')!r}): the decisions differ"
        )
    return m


def episode_map(config: EnvConfig, seed: int, world: int, episode: int) -> GeneratedMap:
    """The map ``VecEnv(config, seed=seed)`` builds for ``world`` in its ``episode``-th episode
    (0 = the first reset)."""
    if config.map_type != "procedural":
        raise ValueError(f"episode_map needs map_type='procedural', got {config.map_type!r}")
    map_seed = _core.procedural_map_seed(int(seed), int(world), int(episode))
    return generate_map(config.map_size, map_seed, config.packs_per_team)
