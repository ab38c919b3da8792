"""The league: rated policies in one JSON file, shared safely between processes.

Layout on disk (``league_dir`` is the folder holding the league file)::

    league.json                 the store (schema below), replaced atomically
    league.json.lock            the inter-process lock
    checkpoints/<sha256>/NAME   read-only, content-addressed copies of submitted checkpoints

Every mutation is a read-modify-write under an exclusive lock: ``filelock.FileLock`` (a
maintained cross-platform wrapper over ``fcntl``/``msvcrt`` locks, released by the OS when
a holder dies, so a crashed trainer never leaves a stale lock as a hand-made O_EXCL
lockfile would). The new file is written to a temp file in the same folder, flushed,
fsynced and moved over the old one with ``os.replace``, so readers and a crash mid-write
only ever see the old or the new complete file. The lock is only as good as the filesystem's
``flock``: ``locking.py`` says what sharing a league between machines needs and refuses a
filesystem without locks (on first use) instead of letting ``filelock`` fall back to a lock file.

Entry kinds:

* ``candidate``: a submitted learner snapshot; rated, may be promoted.
* ``commander``: a member of the opponent pool; may be retired when the pool is over size.
* ``retired``: former commanders; history kept, no longer offered as opponents.
* ``exploiter``: a policy trained against one chosen entry (``target_id``); rated and
  offered as an opponent, never promoted.

Ratings change only through :meth:`League.apply_period` (one Glicko-2 rating period from a
snapshot, see :mod:`echelon.arena.glicko2`).

The league file is untrusted input (docs/security.md): every field is checked for type and
range when it is read (unknown keys, negative or inconsistent game counts, non-finite ratings
are refused, never dropped or kept silently), and an entry's checkpoint path must be the
``checkpoints/<sha256>/<name>`` its submission created, so a file cannot point the league at
anything outside its folder. Commands that change the league refuse a league with a bad entry;
read-only ones (``list``, ``ladder``, ``verify``) load it with ``strict=False`` and report the
bad entries next to the good ones.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from filelock import FileLock

from echelon.arena.checkpoint_store import (
    CHECKPOINT_DIR,
    CheckpointHashMismatch,
    content_hash,
    remove_stored_checkpoint,
    store_checkpoint,
    verify_checkpoint,
)
from echelon.arena.glicko2 import DEFAULT_RD, Game, Rating, rate_period
from echelon.arena.locking import probe_lock
from echelon.fileio import read_regular, remove_orphans, write_atomic, write_atomic_temp_pattern

SCHEMA_VERSION = 1
_FILE_KEYS = {"format", "schema_version", "config", "period", "env_signature", "entries"}
T = TypeVar("T")
FILE_FORMAT = "echelon-league"
Kind = Literal["candidate", "commander", "retired", "exploiter"]
KINDS: tuple[str, ...] = ("candidate", "commander", "retired", "exploiter")
OPPONENT_KINDS: tuple[str, ...] = ("commander", "exploiter")
MAX_LEAGUE_BYTES = 256 << 20  # a league of 10,000 entries with long histories is a few MB
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class LeagueConfig:
    """Rules of a league; stored in the league file so every process applies the same ones.

    tau: Glicko-2 volatility constraint. conservative_k: rank by mu - k * rd.
    promote_min_games: games a candidate needs before promotion is considered.
    retire_min_games: games played *as a commander* before it may be retired (protects
    new commanders while their rating settles). max_commanders: pool size kept by
    retirement. max_rd: deviation cap for idle entries (None: no cap, as in the paper).
    """

    tau: float = 0.5
    conservative_k: float = 2.0
    promote_min_games: int = 20
    retire_min_games: int = 50
    max_commanders: int = 16
    max_rd: float | None = DEFAULT_RD

    def __post_init__(self) -> None:
        _require(math.isfinite(self.tau) and self.tau > 0, "tau", self.tau, "a number > 0")
        _require(
            math.isfinite(self.conservative_k) and self.conservative_k >= 0,
            "conservative_k",
            self.conservative_k,
            "a number >= 0",
        )
        for name in ("promote_min_games", "retire_min_games"):
            value = getattr(self, name)
            _require(isinstance(value, int) and value >= 0, name, value, "an integer >= 0")
        _require(
            isinstance(self.max_commanders, int) and self.max_commanders >= 1,
            "max_commanders",
            self.max_commanders,
            "an integer >= 1",
        )
        if self.max_rd is not None:
            _require(math.isfinite(self.max_rd) and self.max_rd > 0, "max_rd", self.max_rd, "> 0")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LeagueConfig:
        if not isinstance(data, Mapping):
            raise ValueError(f"league config must be an object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown league config field(s) {unknown}; known: {sorted(known)}")
        return cls(**dict(data))


def _require(ok: bool, name: str, value: object, wanted: str) -> None:
    if not ok:
        raise ValueError(f"league config field {name!r} must be {wanted}, got {value!r}")


@dataclass(frozen=True)
class HistoryPoint:
    """An entry's rating after a rating period in which it played."""

    period: int
    mu: float
    rd: float
    vol: float
    games: int
    kind: str
    time: str


@dataclass(frozen=True)
class LeagueEntry:
    id: str
    kind: str
    checkpoint: str  # relative to the league folder
    sha256: str
    rating: Rating = field(default_factory=Rating)
    games: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    created_at: str = ""
    updated_at: str = ""
    target_id: str | None = None
    commander_since_games: int | None = None
    history: tuple[HistoryPoint, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    def conservative(self, k: float) -> float:
        return self.rating.conservative(k)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["rating"] = self.rating.to_dict()
        data["history"] = [asdict(point) for point in self.history]
        data["meta"] = dict(self.meta)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LeagueEntry:
        if not isinstance(data, Mapping):
            raise ValueError(f"a league entry must be an object, got {type(data).__name__}")
        where = f"league entry {data.get('id', '?')!r}"
        for key in ("id", "kind", "checkpoint", "sha256", "rating"):
            if key not in data:
                raise ValueError(f"{where} is missing field {key!r}")
        values = dict(data)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{where} has unknown field(s) {unknown}")
        _check_types(values, _ENTRY_TYPES, where)
        values["rating"] = _rating_from_dict(values["rating"], where)
        history = values.get("history", [])
        if not isinstance(history, list):
            raise ValueError(f"{where}: history must be a list")
        values["history"] = tuple(_history_point(point, where) for point in history)
        values["meta"] = dict(values.get("meta", {}))
        entry = cls(**values)
        _validate_entry(entry)
        return entry


# JSON types of the entry fields (bool is refused where an int is wanted).
_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "kind": (str,),
    "checkpoint": (str,),
    "sha256": (str,),
    "rating": (dict,),
    "games": (int,),
    "wins": (int,),
    "draws": (int,),
    "losses": (int,),
    "created_at": (str,),
    "updated_at": (str,),
    "target_id": (str, type(None)),
    "commander_since_games": (int, type(None)),
    "history": (list,),
    "meta": (dict,),
}
_HISTORY_TYPES: dict[str, tuple[type, ...]] = {
    "period": (int,),
    "mu": (int, float),
    "rd": (int, float),
    "vol": (int, float),
    "games": (int,),
    "kind": (str,),
    "time": (str,),
}
_CHECKPOINT_NAME = re.compile(r"^[A-Za-z0-9_+=-][A-Za-z0-9._+=-]{0,254}$")


def _check_types(
    values: Mapping[str, Any], types: Mapping[str, tuple[type, ...]], where: str
) -> None:
    for key, value in values.items():
        wanted = types.get(key)
        if wanted is None:
            continue
        if (isinstance(value, bool) and bool not in wanted) or not isinstance(value, wanted):
            names = " or ".join("null" if t is type(None) else t.__name__ for t in wanted)
            raise ValueError(f"{where}: field {key!r} must be {names}, got {value!r}")


def _rating_from_dict(data: Mapping[str, Any], where: str) -> Rating:
    unknown = sorted(set(data) - {"mu", "rd", "vol"})
    if unknown:
        raise ValueError(f"{where}: rating has unknown field(s) {unknown}")
    for key in ("mu", "rd", "vol"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{where}: rating.{key} must be a number, got {value!r}")
    try:
        return Rating.from_dict(data)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


def _history_point(point: Any, where: str) -> HistoryPoint:
    if not isinstance(point, Mapping):
        raise ValueError(f"{where}: history points must be objects, got {point!r}")
    names = set(_HISTORY_TYPES)
    if set(point) != names:
        raise ValueError(
            f"{where}: a history point must have exactly the fields {sorted(names)}, "
            f"got {sorted(point)}"
        )
    _check_types(point, _HISTORY_TYPES, where)
    for key in ("mu", "rd", "vol"):
        if not math.isfinite(point[key]):
            raise ValueError(f"{where}: history {key} must be finite, got {point[key]!r}")
    if point["period"] < 0 or point["games"] < 0:
        raise ValueError(f"{where}: history period and games must be >= 0")
    return HistoryPoint(**point)


def _validate_entry(entry: LeagueEntry) -> None:
    if not _ID_PATTERN.match(entry.id):
        raise ValueError(
            f"league entry id {entry.id!r} is invalid: use letters, digits and . _ : + - "
            "(at most 128 characters, starting with a letter or digit)"
        )
    if entry.kind not in KINDS:
        raise ValueError(f"league entry {entry.id!r}: kind {entry.kind!r} not in {KINDS}")
    if entry.kind == "exploiter" and not entry.target_id:
        raise ValueError(f"league entry {entry.id!r}: an exploiter needs a target_id")
    if entry.kind not in ("exploiter", "retired") and entry.target_id is not None:
        raise ValueError(f"league entry {entry.id!r}: only exploiters have a target_id")
    if not re.fullmatch(r"[0-9a-f]{64}", entry.sha256):
        raise ValueError(f"league entry {entry.id!r}: sha256 {entry.sha256!r} is not a hex digest")
    counts = {k: getattr(entry, k) for k in ("games", "wins", "draws", "losses")}
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in counts.values()):
        raise ValueError(f"league entry {entry.id!r}: game counts must be integers >= 0: {counts}")
    if entry.wins + entry.draws + entry.losses > entry.games:
        raise ValueError(f"league entry {entry.id!r}: wins + draws + losses exceed games: {counts}")
    since = entry.commander_since_games
    if since is not None and not 0 <= since <= entry.games:
        raise ValueError(
            f"league entry {entry.id!r}: commander_since_games {since} is not in [0, games]"
        )
    # The only path a submission creates (checkpoint_store.store_checkpoint): a file cannot
    # point the league at anything outside its checkpoint folder.
    parts = entry.checkpoint.split("/")
    if (
        len(parts) != 3
        or parts[0] != CHECKPOINT_DIR
        or parts[1] != entry.sha256
        or not _CHECKPOINT_NAME.match(parts[2])
    ):
        raise ValueError(
            f"league entry {entry.id!r}: checkpoint path {entry.checkpoint!r} is not "
            f"{CHECKPOINT_DIR}/<its sha256>/<name>"
        )


@dataclass
class League:
    """In-memory league state. Pure: no I/O (see :class:`LeagueStore` for persistence)."""

    config: LeagueConfig = field(default_factory=LeagueConfig)
    entries: dict[str, LeagueEntry] = field(default_factory=dict)
    period: int = 0
    env_signature: dict[str, Any] | None = None
    # Entries that failed validation in a non-strict load (id or "#index" -> problem). A league
    # with any is never saved (LeagueStore loads strictly for changes).
    invalid: dict[str, str] = field(default_factory=dict)

    # -- queries -------------------------------------------------------------------------
    def get(self, entry_id: str) -> LeagueEntry:
        try:
            return self.entries[entry_id]
        except KeyError:
            raise KeyError(
                f"no league entry {entry_id!r}; known ids: {sorted(self.entries)}"
            ) from None

    def of_kind(self, *kinds: str) -> list[LeagueEntry]:
        for kind in kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown entry kind {kind!r}; kinds are {KINDS}")
        return [e for e in self.entries.values() if e.kind in kinds]

    def ranked(self, kinds: Sequence[str] = KINDS) -> list[LeagueEntry]:
        """Entries sorted by conservative rating, best first (ties: more games, then id)."""
        k = self.config.conservative_k
        return sorted(self.of_kind(*kinds), key=lambda e: (-e.conservative(k), -e.games, e.id))

    # -- changes -------------------------------------------------------------------------
    def add(self, entry: LeagueEntry) -> LeagueEntry:
        _validate_entry(entry)
        if entry.id in self.entries:
            raise ValueError(f"league already has an entry with id {entry.id!r}")
        same = [e.id for e in self.entries.values() if e.sha256 == entry.sha256]
        if same:
            raise ValueError(
                f"checkpoint {entry.checkpoint} (sha256 {entry.sha256[:12]}...) is already in "
                f"the league as {same[0]!r}"
            )
        if entry.kind == "exploiter":
            target = self.get(str(entry.target_id))
            if target.kind in ("retired", "exploiter"):
                raise ValueError(
                    f"exploiter {entry.id!r}: target {target.id!r} is a {target.kind}; "
                    "target a candidate or commander"
                )
        if entry.kind == "commander" and entry.commander_since_games is None:
            entry = replace(entry, commander_since_games=entry.games)
        self.entries[entry.id] = entry
        return entry

    def remove(self, entry_id: str) -> LeagueEntry:
        """Take an entry out of the league (its games stay in its opponents' ratings). An entry
        that an exploiter targets cannot go while the exploiter refers to it."""
        entry = self.get(entry_id)
        targeting = sorted(e.id for e in self.entries.values() if e.target_id == entry_id)
        if targeting:
            raise ValueError(
                f"cannot remove {entry_id!r}: exploiter(s) {targeting} target it; remove them first"
            )
        del self.entries[entry_id]
        return entry

    def set_kind(self, entry_id: str, kind: str) -> LeagueEntry:
        """Manual kind change (e.g. retire by hand). Exploiters keep their own kind."""
        entry = self.get(entry_id)
        if kind not in ("candidate", "commander", "retired"):
            raise ValueError(f"cannot change {entry_id!r} to kind {kind!r}")
        if entry.kind == "exploiter" and kind != "retired":
            raise ValueError(f"exploiter {entry_id!r} can only be retired")
        since = entry.games if kind == "commander" else entry.commander_since_games
        new = replace(
            entry,
            kind=kind,
            target_id=entry.target_id if kind == "retired" else None,
            commander_since_games=since,
            updated_at=utc_now(),
        )
        self.entries[entry_id] = new
        return new

    def apply_period(self, games: Sequence[Game]) -> dict[str, Rating]:
        """One Glicko-2 rating period. Every non-retired entry (and any retired entry that
        played) is updated from the pre-period snapshot; idle ones only gain deviation."""
        games = [(str(a), str(b), float(s)) for a, b, s in games]
        playing = {pid for a, b, _ in games for pid in (a, b)}
        for pid in playing:
            self.get(pid)
        ids = [e.id for e in self.entries.values() if e.kind != "retired" or e.id in playing]
        snapshot = {pid: self.entries[pid].rating for pid in ids}
        cfg = self.config
        new_ratings = rate_period(snapshot, games, tau=cfg.tau, max_rd=cfg.max_rd)

        tallies = {pid: [0, 0, 0] for pid in playing}  # wins, draws, losses
        for a, b, score in games:
            for pid, s in ((a, score), (b, 1.0 - score)):
                tallies[pid][0 if s > 0.5 else 1 if s == 0.5 else 2] += 1
        self.period += 1
        now = utc_now()
        for pid, rating in new_ratings.items():
            entry = self.entries[pid]
            if pid not in playing:
                self.entries[pid] = replace(entry, rating=rating)
                continue
            wins, draws, losses = tallies[pid]
            games_played = entry.games + wins + draws + losses
            point = HistoryPoint(
                self.period, rating.mu, rating.rd, rating.vol, games_played, entry.kind, now
            )
            self.entries[pid] = replace(
                entry,
                rating=rating,
                games=games_played,
                wins=entry.wins + wins,
                draws=entry.draws + draws,
                losses=entry.losses + losses,
                updated_at=now,
                history=(*entry.history, point),
            )
        return new_ratings

    def promotion_bar(self) -> float:
        """A candidate must reach this conservative rating: the lowest mu among the active
        commanders (-inf while there are none, so the first qualified candidate starts the
        pool)."""
        commanders = self.of_kind("commander")
        return min((c.rating.mu for c in commanders), default=-math.inf)

    def promote(self) -> list[str]:
        """Promote every candidate with enough games whose conservative rating reaches the
        bar (computed once, before any promotion, so the result is order-independent)."""
        bar = self.promotion_bar()
        cfg = self.config
        chosen = [
            e.id
            for e in self.ranked(["candidate"])
            if e.games >= cfg.promote_min_games and e.conservative(cfg.conservative_k) >= bar
        ]
        for entry_id in chosen:
            self.set_kind(entry_id, "commander")
        return chosen

    def retirable(self, entry: LeagueEntry) -> bool:
        since = entry.commander_since_games or 0
        return entry.kind == "commander" and entry.games - since >= self.config.retire_min_games

    def retire(self) -> list[str]:
        """Shrink the commander pool to ``max_commanders`` by retiring the lowest
        conservative ratings among commanders that played ``retire_min_games`` as
        commanders. Protected newcomers may leave the pool over size for a while."""
        commanders = self.of_kind("commander")
        excess = len(commanders) - self.config.max_commanders
        if excess <= 0:
            return []
        worst_first = [e for e in reversed(self.ranked(["commander"])) if self.retirable(e)]
        chosen = [e.id for e in worst_first[:excess]]
        for entry_id in chosen:
            self.set_kind(entry_id, "retired")
        return chosen

    # -- serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "config": asdict(self.config),
            "period": self.period,
            "env_signature": self.env_signature,
            "entries": [e.to_dict() for e in self.entries.values()],
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], source: str = "league", strict: bool = True
    ) -> League:
        """Parse a league file's JSON. ``strict=False`` (read-only commands) moves entries that
        fail validation to :attr:`invalid` instead of refusing the whole league."""
        if not isinstance(data, Mapping) or data.get("format") != FILE_FORMAT:
            raise ValueError(f"{source} is not an echelon league file (format field missing)")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(
                f"{source} has schema_version {version!r}; this echelon reads {SCHEMA_VERSION}"
            )
        unknown = sorted(set(data) - _FILE_KEYS)
        if unknown:
            raise ValueError(f"{source} has unknown top-level field(s) {unknown}")
        period = data.get("period", 0)
        if isinstance(period, bool) or not isinstance(period, int) or period < 0:
            raise ValueError(f"{source}: period must be an integer >= 0, got {period!r}")
        signature = data.get("env_signature")
        if signature is not None and not isinstance(signature, dict):
            raise ValueError(f"{source}: env_signature must be an object or null")
        raw_entries = data.get("entries", [])
        if not isinstance(raw_entries, list):
            raise ValueError(f"{source}: entries must be a list")
        league = cls(
            config=LeagueConfig.from_dict(data.get("config", {})),
            period=period,
            env_signature=signature,
        )
        for index, raw in enumerate(raw_entries):
            try:
                entry = LeagueEntry.from_dict(raw)
                if entry.id in league.entries:
                    raise ValueError(f"duplicate entry id {entry.id!r}")
            except (ValueError, TypeError) as err:
                if strict:
                    raise ValueError(f"{source}: {err}") from None
                name = raw.get("id") if isinstance(raw, Mapping) else None
                key = name if isinstance(name, str) and name not in league.invalid else f"#{index}"
                league.invalid[key] = str(err)
                continue
            league.entries[entry.id] = entry
        for entry in list(league.entries.values()):
            if entry.target_id is not None and entry.target_id not in league.entries:
                problem = f"exploiter {entry.id!r} targets unknown id {entry.target_id!r}"
                if strict:
                    raise ValueError(f"{source}: {problem}")
                league.invalid[entry.id] = problem
                del league.entries[entry.id]
        return league


class LeagueStore:
    """The league file plus its checkpoint folder. Every method takes the lock itself."""

    def __init__(self, path: str | os.PathLike[str], lock_timeout: float = 120.0) -> None:
        self.path = Path(path)
        self.dir = self.path.parent
        self._lock_path = str(self.path) + ".lock"
        self._lock_file = FileLock(self._lock_path, timeout=lock_timeout)
        self._lock_probed = False

    @property
    def _lock(self) -> FileLock:
        """The lock, after checking once that the filesystem can lock at all (locking.py)."""
        if not self._lock_probed:
            probe_lock(self._lock_path)
            self._lock_probed = True
        return self._lock_file

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        config: LeagueConfig | None = None,
        env_signature: Mapping[str, Any] | None = None,
        exist_ok: bool = False,
    ) -> LeagueStore:
        store = cls(path)
        store.dir.mkdir(parents=True, exist_ok=True)
        with store._lock:
            if store.path.exists():
                if exist_ok:
                    return store
                raise FileExistsError(f"league file already exists: {store.path}")
            league = League(
                config=config or LeagueConfig(),
                env_signature=dict(env_signature) if env_signature is not None else None,
            )
            store._save_unlocked(league)
        return store

    def _load_unlocked(self, strict: bool = True) -> League:
        try:
            text = read_regular(self.path, MAX_LEAGUE_BYTES, "league file").decode("utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no league at {self.path}; create one with `echelon arena init {self.path}`"
            ) from None
        except UnicodeDecodeError as err:
            raise ValueError(f"league file {self.path} is not UTF-8 text: {err}") from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as err:
            raise ValueError(f"league file {self.path} is not valid JSON: {err}") from err
        return League.from_dict(data, source=str(self.path), strict=strict)

    def _save_unlocked(self, league: League) -> None:
        text = json.dumps(league.to_dict(), indent=1, sort_keys=False) + "\n"
        # Temp files of writers killed mid-save (only a lock holder writes one, and we hold it).
        remove_orphans(self.dir, write_atomic_temp_pattern(self.path))
        write_atomic(self.path, text)  # temp file named .<league>.<pid>-*.tmp

    def _require_file(self) -> None:
        """Fail before taking the lock: locking a league that does not exist would create its
        ``.lock`` file (and filelock its folders) as a side effect of a read or a typo."""
        if not self.path.is_file():
            raise FileNotFoundError(
                f"no league at {self.path}; create one with `echelon arena init {self.path}`"
            )

    def load(self, strict: bool = True) -> League:
        """A consistent snapshot (read under the lock, so never half of a concurrent save).
        ``strict=False``: bad entries go to ``League.invalid`` (read-only use only)."""
        self._require_file()
        with self._lock:
            return self._load_unlocked(strict)

    @contextmanager
    def transaction(self) -> Iterator[League]:
        """Lock, load, let the caller mutate, save atomically if no exception was raised."""
        self._require_file()
        with self._lock:
            league = self._load_unlocked()
            yield league
            self._save_unlocked(league)

    def update(self, change: Callable[[League], T]) -> T:
        with self.transaction() as league:
            return change(league)

    # -- entries -------------------------------------------------------------------------
    def add_checkpoint(
        self,
        source: str | os.PathLike[str],
        kind: str = "candidate",
        entry_id: str | None = None,
        target_id: str | None = None,
        meta: Mapping[str, Any] | None = None,
        rating: Rating | None = None,
    ) -> LeagueEntry:
        """Copy ``source`` into the content-addressed folder and add an entry for it."""
        if kind == "retired":
            raise ValueError("new entries cannot be added as 'retired'")
        rel_path, sha = store_checkpoint(source, self.dir)
        now = utc_now()
        stem = Path(source).resolve().name.split(".")[0] or "ckpt"
        entry = LeagueEntry(
            id=entry_id or f"{_sanitise(stem)}-{sha[:8]}",
            kind=kind,
            checkpoint=rel_path,
            sha256=sha,
            rating=rating or Rating(),
            created_at=now,
            updated_at=now,
            target_id=target_id,
            meta={"source": str(Path(source).resolve()), **dict(meta or {})},
        )
        return self.update(lambda league: league.add(entry))

    def remove(self, entry_id: str) -> LeagueEntry:
        """Delete an entry, and its stored checkpoint copy once no entry refers to it."""
        entry = self.update(lambda league: league.remove(entry_id))
        if all(e.checkpoint != entry.checkpoint for e in self.load().entries.values()):
            remove_stored_checkpoint(self.dir, entry.checkpoint)
        return entry

    def record_results(self, games: Sequence[Game]) -> dict[str, Rating]:
        """Apply one rating period with ``games`` (a_id, b_id, score_a)."""
        return self.update(lambda league: league.apply_period(games))

    def promote(self) -> list[str]:
        return self.update(lambda league: league.promote())

    def retire(self, entry_ids: Iterable[str] | None = None) -> list[str]:
        """Retire by the pool-size rule, or exactly ``entry_ids`` when given."""
        if entry_ids is None:
            return self.update(lambda league: league.retire())
        ids = list(entry_ids)
        self.update(lambda league: [league.set_kind(i, "retired") for i in ids])
        return ids

    # -- checkpoints ---------------------------------------------------------------------
    def checkpoint_path(self, entry: LeagueEntry | str) -> Path:
        """Absolute path of an entry's checkpoint, verified against its recorded hash."""
        if isinstance(entry, str):
            entry = self.load().get(entry)
        return verify_checkpoint(self.dir, entry.checkpoint, entry.sha256)

    def verify(self) -> dict[str, str]:
        """Map of entry id -> problem, for every entry that is invalid or whose checkpoint is
        missing, changed or unreadable. One bad entry never hides the others."""
        league = self.load(strict=False)
        problems: dict[str, str] = {k: f"invalid entry: {v}" for k, v in league.invalid.items()}
        for entry in league.entries.values():
            try:
                verify_checkpoint(self.dir, entry.checkpoint, entry.sha256)
            except (OSError, ValueError, CheckpointHashMismatch) as err:
                problems[entry.id] = str(err)
        return problems


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"the league file holds {name}, which is not a number JSON allows")


def _sanitise(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._+-]+", "_", text).strip("._-")
    return (cleaned or "ckpt")[:64]


__all__ = [
    "KINDS",
    "OPPONENT_KINDS",
    "CheckpointHashMismatch",
    "HistoryPoint",
    "League",
    "LeagueConfig",
    "LeagueEntry",
    "LeagueStore",
    "content_hash",
    "utc_now",
]
