"""From the core's episode records to replays: the header every replay carries, and the recording
session behind ``VecEnv.record`` (which worlds, how many episodes, where finished replays go).

The C++ recorder (cpp/echelon/replay/recorder.hpp) captures; this module only names things and
writes files. A session costs nothing per step for worlds it does not record, and one call into
the core per step while any world is recorded.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from echelon import _core
from echelon.config import EnvConfig
from echelon.replay.format import FILE_SUFFIX
from echelon.replay.replay import Replay

MATERIAL_NAMES = (
    "air",
    "solid",
    "lava",
    "water",
    "debris_field",
    "solid_debris",
    "dirt",
    "glass",
    "reinforced",
    "foliage",
)
END_REASONS = ("none", "zone", "elimination", "time_limit")
CORNERS = ("BL", "BR", "TL", "TR")
MAP_TYPES = ("simple", "empty", "procedural")  # echelon::MapType ids
STABILITY_MAX = 100.0  # mirrors combat/stability.hpp
DEFAULT_NAME = "w{world:03d}_ep{episode:05d}"


def _stat_names() -> list[str]:
    return list(_core.episode_stat_names)


def replay_from_record(
    record: Mapping[str, Any], config: EnvConfig, meta: Mapping[str, Any] | None = None
) -> Replay:
    """A ``Replay`` from one of ``BatchSim.take_records()``'s dicts (its arrays are adopted)."""
    from echelon import __version__

    arrays = dict(record["arrays"])
    stats = arrays.pop("stats")
    complete = bool(record["complete"])
    sx, sy, sz = (int(v) for v in record["size"])
    recipe = json.loads(record["recipe_json"]) if record["recipe_json"] else None
    map_type = MAP_TYPES[int(record["map_type"])]
    header: dict[str, Any] = {
        "format": "echelon-replay",
        "echelon_version": __version__,
        "created_unix": round(time.time(), 3),
        "world": int(record["world"]),
        "episode": int(record["episode"]),
        "sim_seed": int(record["sim_seed"]),
        "frames": int(record["frames"]),
        "agents": int(record["agents"]),
        "config": config.to_dict(),
        "map": {
            "size": [sx, sy, sz],
            "type": map_type,
            # A decimal string: u64 seeds do not survive JSON numbers in a browser.
            "seed": str(record["map_seed"]) if map_type == "procedural" else None,
            "recipe": recipe,
            "content_hash": str(record["content_hash"]),
            "zone": [float(v) for v in record["zone"]],
            "spawn_corners": [CORNERS[int(c)] for c in record["spawn_corners"]],
        },
        "timing": {
            "dt": config.dt,
            "decision_repeat": config.decision_repeat,
            "decision_seconds": config.dt * config.decision_repeat,
        },
        "zone_score_to_win": config.max_episode_seconds / 2.0,
        "classes": [dict(c) for c in _core.class_table()],
        "stability_max": STABILITY_MAX,
        "names": {
            "event_types": list(_core.event_type_names),
            "weapons": list(_core.weapon_names),
            "mech_flags": list(_core.mech_flag_names),
            "materials": list(MATERIAL_NAMES),
            "end_reasons": list(END_REASONS),
            "teams": ["blue", "red"],
        },
        "outcome": {
            "complete": complete,
            "winner": int(record["winner"]) if complete else -1,
            "end_reason": END_REASONS[int(record["end_reason"])] if complete else None,
            "stats": (
                {n: float(v) for n, v in zip(_stat_names(), stats.tolist(), strict=True)}
                if complete
                else None
            ),
            "dropped_events": int(record["dropped_events"]),
        },
        "meta": dict(meta or {}),
    }
    for c in header["classes"]:
        c["half_size"] = [float(v) for v in c["half_size"]]
    replay = Replay(header, arrays)
    replay.validate("recorded episode")
    return replay


class _Placeholder:
    def __format__(self, spec: str) -> str:
        return "x"


class _AnyField(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> _Placeholder:
        return _Placeholder()


def _safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "replay"
    return name[:160]


def _check_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    try:
        json.dumps(dict(meta), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"replay meta must be JSON-serialisable (finite numbers): {exc}") from None
    return dict(meta)


class Recording:
    """A recording session over some worlds of one ``BatchSim`` (``VecEnv.record``)."""

    def __init__(self, sim: Any, config: EnvConfig) -> None:
        self._sim = sim
        self._config = config
        self._worlds: set[int] = set()
        self._left: dict[int, int] = {}  # episodes still to come per world (absent: unlimited)
        self._meta: dict[int, dict[str, Any]] = {}
        self.directory: Path | None = None
        self.name = DEFAULT_NAME
        self.max_replays: int | None = None
        self.count = 0  # replays produced (kept or written) so far
        self.files: list[Path] = []
        self._kept: list[Replay] = []

    @property
    def active(self) -> bool:
        return bool(self._worlds)

    def start(
        self,
        worlds: Iterable[int],
        episodes: int | None,
        directory: str | Path | None,
        name: str,
        max_replays: int | None,
    ) -> None:
        chosen = sorted({int(w) for w in worlds})
        num_worlds = int(self._sim.num_worlds)
        bad = [w for w in chosen if not 0 <= w < num_worlds]
        if not chosen or bad:
            raise ValueError(f"worlds must be indices in [0, {num_worlds}), got {list(worlds)!r}")
        if episodes is not None and (isinstance(episodes, bool) or int(episodes) < 1):
            raise ValueError(f"episodes must be a positive integer or None, got {episodes!r}")
        if max_replays is not None and int(max_replays) < 1:
            raise ValueError(f"max_replays must be a positive integer or None, got {max_replays!r}")
        try:  # meta keys are only known per replay: any other field name passes here
            name.format_map(_AnyField(world=0, episode=0, index=0, winner=0))
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ValueError(
                f"name {name!r} is not a valid template (fields: world, episode, index, winner "
                f"and meta keys): {exc}"
            ) from None
        if directory is not None:
            d = Path(directory)
            if d.exists() and not d.is_dir():
                raise ValueError(f"replay directory {d} exists and is not a directory")
            self.directory = d
        self.name = name
        self.max_replays = None if max_replays is None else int(max_replays)
        if self.max_replays is not None and self.count >= self.max_replays:
            return  # this session has written all it may: recording again would be wasted work
        for w in chosen:
            self._sim.record(w, -1 if episodes is None else int(episodes))
            self._worlds.add(w)
            if episodes is None:
                self._left.pop(w, None)
            else:
                self._left[w] = int(episodes)

    def set_meta(self, world: int, meta: Mapping[str, Any]) -> None:
        self._meta[int(world)] = _check_meta(meta)

    def collect(self) -> None:
        """Takes the core's finished records and turns them into replays (after every step)."""
        for record in self._sim.take_records():
            self._accept(record)

    def _accept(self, record: Mapping[str, Any]) -> None:
        world = int(record["world"])
        if world in self._left:
            self._left[world] -= 1
            if self._left[world] <= 0:  # the core's recorder has stopped itself
                self._worlds.discard(world)
                del self._left[world]
        if self.max_replays is not None and self.count >= self.max_replays:
            return
        replay = replay_from_record(record, self._config, self._meta.get(world))
        self.count += 1
        if self.directory is not None:
            self.files.append(replay.save(self._path_for(replay)))
        else:
            self._kept.append(replay)
        if self.max_replays is not None and self.count >= self.max_replays:
            self.stop(keep_partial=False)

    def _path_for(self, replay: Replay) -> Path:
        assert self.directory is not None
        fields = {
            **{k: v for k, v in replay.meta.items() if isinstance(v, (str, int, float))},
            "world": replay.header["world"],
            "episode": replay.header["episode"],
            "index": self.count - 1,
            "winner": replay.winner,
        }
        try:
            stem = _safe_name(self.name.format(**fields))
        except (KeyError, IndexError, ValueError):
            stem = _safe_name(DEFAULT_NAME.format(**fields))
        path = self.directory / f"{stem}{FILE_SUFFIX}"
        n = 1
        while path.exists():  # never overwrite: a second run into the same folder gets -1, -2 ...
            path = self.directory / f"{stem}-{n}{FILE_SUFFIX}"
            n += 1
        return path

    def stop(self, worlds: Iterable[int] | None = None, keep_partial: bool = True) -> None:
        """Stops recording ``worlds`` (default all); with ``keep_partial`` the episodes in
        progress become incomplete replays."""
        chosen = sorted(self._worlds if worlds is None else {int(w) for w in worlds})
        for w in chosen:
            if w in self._worlds:
                self._sim.record(w, 0)
                self._worlds.discard(w)
                self._left.pop(w, None)
        records = self._sim.take_records()
        for record in records:
            if keep_partial or record["complete"]:
                self._accept(record)

    def rebind(self, sim: Any) -> None:
        """The env rebuilt its simulator (``reset(seed=...)``): episodes in progress end as
        incomplete replays, as a reset ends them, and the recorded worlds go on being recorded
        (with the episodes they have left) in the new simulator."""
        for w in sorted(self._worlds):
            self._sim.record(w, 0)
        for record in self._sim.take_records():
            self._accept(record)
        self._sim = sim
        for w in sorted(self._worlds):
            sim.record(w, self._left.get(w, -1))

    def take(self) -> list[Replay]:
        out, self._kept = self._kept, []
        return out
