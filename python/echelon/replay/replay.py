"""``Replay``: one recorded episode of one world, in memory (docs/replay.md).

Arrays are frame-major: frame 0 is the state right after the episode started, frame t >= 1 the
state after decision t, whose events and voxel edits it carries. Ragged per-frame lists
(projectiles, smoke clouds, events, voxel edits) are flat arrays with ``*_offsets`` of T + 1
entries. ``Replay.load`` checks the file's integrity (``format.py``) and then its consistency
(shapes, offsets, ids in range), so code that reads a loaded replay can index without checks.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from echelon.fileio import fsync_path
from echelon.replay.format import FILE_SUFFIX, ReplayError, decode, encode

# The arrays of a version-1 replay. Frame-major ones (name -> dtype code) lead with T; each ragged
# kind has "<kind>_offsets" [T + 1] and arrays that lead with the kind's total count.
FRAME_ARRAYS = {
    "step": "i4",
    "mech_pos": "f4",
    "mech_vel": "f4",
    "mech_yaw": "f4",
    "mech_hp": "f4",
    "mech_leg_hp": "f4",
    "mech_heat": "f4",
    "mech_stability": "f4",
    "mech_focus": "i2",
    "mech_flags": "u2",
    "reward": "f4",
    "zone_score": "f4",
}
RAGGED = {
    "proj": ("proj_weapon", "proj_shooter", "proj_target", "proj_pos", "proj_vel"),
    "smoke": ("smoke", "smoke_ticks"),
    "event": (
        "event_tick",
        "event_type",
        "event_weapon",
        "event_flags",
        "event_shooter",
        "event_target",
        "event_pos",
        "event_value",
    ),
    "edit": ("edit_index", "edit_material"),
}
STATIC_ARRAYS = ("initial_voxels", "team", "class")
NUM_MATERIALS = 10
EVENT_FLAG_BITS = {"crit": 1, "leg": 2, "painted": 4, "splash": 8, "paint_lock": 16}


@dataclass
class Replay:
    """A recorded episode: ``header`` (JSON metadata) and named numpy ``arrays``."""

    header: dict[str, Any]
    arrays: dict[str, np.ndarray]
    path: Path | None = field(default=None, compare=False)

    # -- identity ------------------------------------------------------------------------------
    @property
    def frames(self) -> int:
        return int(self.arrays["step"].shape[0])

    @property
    def agents(self) -> int:
        return int(self.arrays["team"].shape[0])

    @property
    def size(self) -> tuple[int, int, int]:
        z, y, x = self.arrays["initial_voxels"].shape
        return (int(x), int(y), int(z))

    @property
    def decision_seconds(self) -> float:
        return float(self.header["timing"]["decision_seconds"])

    @property
    def complete(self) -> bool:
        return bool(self.header["outcome"]["complete"])

    @property
    def winner(self) -> int:
        """0 blue, 1 red, -1 draw (or not finished)."""
        return int(self.header["outcome"]["winner"])

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.header.get("meta") or {})

    def names(self, kind: str) -> list[str]:
        """Enumeration names stored in the file: event_types, weapons, mech_flags, materials,
        end_reasons."""
        return list(self.header["names"][kind])

    # -- per frame -----------------------------------------------------------------------------
    def _span(self, kind: str, t: int) -> slice:
        off = self.arrays[f"{kind}_offsets"]
        return slice(int(off[t]), int(off[t + 1]))

    def flags(self, t: int) -> dict[str, np.ndarray]:
        """Mech flags of frame t as boolean arrays [A] by name (alive, fallen, ...)."""
        bits = self.arrays["mech_flags"][t]
        return {n: (bits >> i) & 1 == 1 for i, n in enumerate(self.names("mech_flags"))}

    def events(self, t: int) -> list[dict[str, Any]]:
        """The events of decision t (frame t), as the simulator's ``events(w)`` lists them."""
        s = self._span("event", t)
        a = self.arrays
        types, weapons = self.names("event_types"), self.names("weapons")
        out = []
        for k in range(s.start, s.stop):
            flags = int(a["event_flags"][k])
            out.append(
                {
                    "tick": int(a["event_tick"][k]),
                    "type": types[int(a["event_type"][k])],
                    "weapon": weapons[int(a["event_weapon"][k])],
                    "shooter": int(a["event_shooter"][k]),
                    "target": int(a["event_target"][k]),
                    "pos": tuple(float(v) for v in a["event_pos"][k]),
                    "value": float(a["event_value"][k]),
                    **{n: bool(flags & b) for n, b in EVENT_FLAG_BITS.items()},
                }
            )
        return out

    def projectiles(self, t: int) -> dict[str, np.ndarray]:
        s = self._span("proj", t)
        return {n[len("proj_") :]: self.arrays[n][s] for n in RAGGED["proj"]}

    def smoke(self, t: int) -> np.ndarray:
        """Live smoke clouds of frame t: [S, 4] centre x, y, z, radius."""
        return self.arrays["smoke"][self._span("smoke", t)]

    def edits(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Voxel edits of decision t: (linear index (z * Y + y) * X + x, material after)."""
        s = self._span("edit", t)
        return self.arrays["edit_index"][s], self.arrays["edit_material"][s]

    def voxels_at(self, t: int) -> np.ndarray:
        """Materials [Z, Y, X] as of frame t: the initial map with edits 1..t applied."""
        if not 0 <= t < self.frames:
            raise IndexError(f"frame {t} out of range [0, {self.frames})")
        grid = self.arrays["initial_voxels"].copy()
        end = int(self.arrays["edit_offsets"][t + 1])
        flat = grid.reshape(-1)
        flat[self.arrays["edit_index"][:end]] = self.arrays["edit_material"][:end]
        return grid

    def summary(self) -> dict[str, Any]:
        """Short description for listings (also what the viewer's replay list shows)."""
        h = self.header
        return {
            "frames": self.frames,
            "seconds": round((self.frames - 1) * self.decision_seconds, 2),
            "winner": self.winner,
            "complete": self.complete,
            "end_reason": h["outcome"].get("end_reason"),
            "map": {k: h["map"].get(k) for k in ("size", "type", "content_hash")},
            "meta": self.meta,
        }

    # -- files ---------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        return encode(self.header, self.arrays)

    def save(self, path: str | Path) -> Path:
        """Writes the replay atomically (temporary file, fsync, rename), so a watcher never sees
        a partial file. Refuses to replace an existing file."""
        p = Path(path)
        if p.suffix != FILE_SUFFIX:
            raise ValueError(f"replay files end in {FILE_SUFFIX}, got {p.name!r}")
        if p.exists():
            raise FileExistsError(f"{p} exists; replays are never overwritten")
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        try:
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; a replay is for sharing
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.to_bytes())
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, p)  # fails if p appeared meanwhile: never replaces a file
                os.unlink(tmp)
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                if p.exists():
                    raise FileExistsError(f"{p} exists; replays are never overwritten") from None
                os.replace(tmp, p)
            fsync_path(p.parent)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self.path = p
        return p

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<bytes>") -> Replay:
        header, arrays = decode(data, source)
        replay = cls(header, arrays)
        replay.validate(source)
        return replay

    @classmethod
    def load(cls, path: str | Path) -> Replay:
        """Reads and checks a replay file; ``ReplayError`` names the file and the problem."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise ReplayError(f"{p}: cannot read ({exc.strerror or exc})") from None
        replay = cls.from_bytes(data, str(p))
        replay.path = p
        return replay

    # -- consistency ---------------------------------------------------------------------------
    def validate(self, source: str = "<replay>") -> None:
        """Shapes, offsets and ids consistent with each other (beyond the checksums)."""

        def bad(problem: str) -> ReplayError:
            return ReplayError(f"{source}: inconsistent replay: {problem}")

        h, a = self.header, self.arrays
        for key in ("format", "timing", "names", "outcome", "map", "classes"):
            if key not in h:
                raise bad(f"header lacks {key!r}")
        if h["format"] != "echelon-replay":
            raise bad(f"header format is {h['format']!r}, not 'echelon-replay'")
        required = [*STATIC_ARRAYS, *FRAME_ARRAYS, *(f"{k}_offsets" for k in RAGGED)]
        required += [n for names in RAGGED.values() for n in names]
        missing = [n for n in required if n not in a]
        if missing:
            raise bad(f"missing arrays {missing}")
        vox = a["initial_voxels"]
        if vox.ndim != 3 or vox.dtype != np.uint8:
            raise bad("initial_voxels must be uint8 [Z, Y, X]")
        if vox.size and int(vox.max()) >= NUM_MATERIALS:
            raise bad("initial_voxels holds an unknown material id")
        n_agents = a["team"].shape[0]
        if a["class"].shape != (n_agents,) or a["team"].ndim != 1:
            raise bad("team and class must both be [A]")
        if n_agents and (int(a["team"].max()) > 1 or int(a["class"].max()) >= len(h["classes"])):
            raise bad("team or class id out of range")
        t = a["step"].shape[0]
        if t < 1:
            raise bad("no frames")
        for name in FRAME_ARRAYS:
            arr = a[name]
            if arr.shape[0] != t:
                raise bad(f"{name} has {arr.shape[0]} frames, step has {t}")
            per_agent = name.startswith("mech_") or name == "reward"
            if per_agent and (arr.ndim < 2 or arr.shape[1] != n_agents):
                raise bad(f"{name} must be [T, A, ...] with A = {n_agents}")
        for kind, names in RAGGED.items():
            off = a[f"{kind}_offsets"].astype(np.int64)
            count = a[names[0]].shape[0]
            if off.shape != (t + 1,) or off[0] != 0 or off[-1] != count or np.any(np.diff(off) < 0):
                raise bad(f"{kind}_offsets do not partition its {count} entries into {t} frames")
            for n in names:
                if a[n].shape[0] != count:
                    raise bad(f"{n} has {a[n].shape[0]} entries, {names[0]} has {count}")
        if a["edit_index"].size:
            if int(a["edit_index"].min()) < 0 or int(a["edit_index"].max()) >= vox.size:
                raise bad("a voxel edit lies outside the grid")
            if int(a["edit_material"].max()) >= NUM_MATERIALS:
                raise bad("a voxel edit writes an unknown material id")
        for n, names_key in (("event_type", "event_types"), ("event_weapon", "weapons")):
            if a[n].size and int(a[n].max()) >= len(h["names"][names_key]):
                raise bad(f"{n} holds an id without a name")
        for n in ("event_shooter", "event_target", "proj_shooter", "proj_target", "mech_focus"):
            if a[n].size and (int(a[n].min()) < -1 or int(a[n].max()) >= n_agents):
                raise bad(f"{n} names an agent that does not exist")
        if a["proj_weapon"].size and int(a["proj_weapon"].max()) >= len(h["names"]["weapons"]):
            raise bad("proj_weapon holds an id without a name")
