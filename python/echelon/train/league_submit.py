"""``--submit``: add a training checkpoint to an arena league as a candidate.

The checkpoint's policy files (``model.safetensors`` + ``meta.json``) are copied into the
league's content-addressed folder (:func:`echelon.arena.checkpoint_store.store_checkpoint`:
temp copy, read-only, hashed, renamed into place) and the entry is added in one locked
read-modify-write of the league file (:meth:`echelon.arena.league.LeagueStore.update`), so
several trainers may submit to one league at once.

The entry id is ``<run name>-u<update>`` (the run directory's name, sanitised). Submitting
is idempotent: the same weights already in the league return the existing entry instead of
failing (a resumed run may submit its final checkpoint again), and an id already taken by
other weights (another run with the same directory name) gets the hash prefix appended.

The new candidate starts unrated (1500 / 350); ``echelon arena play`` rates it against the
pool. Its ``meta`` records the run directory, update, agent steps and the source checkpoint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from echelon.arena.checkpoint_store import store_checkpoint
from echelon.arena.league import League, LeagueEntry, LeagueStore, utc_now


@dataclass(frozen=True)
class Submission:
    entry: LeagueEntry
    created: bool  # False: these weights were already in the league
    env_note: str | None  # what happened to the league's env signature, if anything

    def describe(self, league_path: str | Path) -> str:
        e = self.entry
        verb = "submitted" if self.created else "already in league as"
        text = (
            f"{verb} {e.kind} {e.id} to {league_path} (sha256 {e.sha256[:12]}, "
            f"rating {e.rating.mu:.0f}±{e.rating.rd:.0f}, {e.games} games) -> {e.checkpoint}"
        )
        return text + (f"; {self.env_note}" if self.env_note else "")


def submission_id(run_dir: str | Path, update: int, tag: str = "") -> str:
    """``runs/zone-a`` at update 300 -> ``zone-a-u000300`` (``tag`` e.g. ``best``)."""
    name = re.sub(r"[^A-Za-z0-9._+-]+", "_", Path(run_dir).resolve().name).strip("._-+")
    name = (name or "run")[:96]
    return f"{name}-{tag + '-' if tag else ''}u{update:06d}"


def _json_normal(data: Any) -> Any:
    return json.loads(json.dumps(data))  # tuples -> lists, as the league file stores them


def _env_signature_note(
    league: League, env_signature: Mapping[str, Any] | None, own_id: str
) -> str | None:
    """Adopt the run's env for a league that has none and has played no rated games yet;
    otherwise only report a difference (dims are checked when a policy is loaded)."""
    if env_signature is None:
        return None
    signature = _json_normal(dict(env_signature))
    if league.env_signature is None:
        if league.period == 0 and set(league.entries) <= {own_id}:
            league.env_signature = signature
            return "league env signature set from this run"
        return None
    if _json_normal(league.env_signature) != signature:
        differing = sorted(
            k
            for k in set(signature) | set(league.env_signature)
            if signature.get(k) != league.env_signature.get(k)
        )
        return (
            f"warning: this run's env differs from the league's in {differing}; "
            "arena matches use the league's env"
        )
    return None


def submit_checkpoint(
    league_path: str | Path,
    checkpoint: str | Path,
    entry_id: str,
    meta: Mapping[str, Any] | None = None,
    env_signature: Mapping[str, Any] | None = None,
) -> Submission:
    """Copy ``checkpoint`` into the league and add it as a ``candidate`` (see module doc)."""
    store = LeagueStore(league_path)
    store.load()  # a clear error for a missing or bad league before copying anything
    rel_path, sha = store_checkpoint(checkpoint, store.dir)
    now = utc_now()

    def add(league: League) -> Submission:
        for existing in league.entries.values():
            if existing.sha256 == sha:
                return Submission(existing, False, None)
        final_id = entry_id if entry_id not in league.entries else f"{entry_id}-{sha[:8]}"
        entry = LeagueEntry(
            id=final_id,
            kind="candidate",
            checkpoint=rel_path,
            sha256=sha,
            created_at=now,
            updated_at=now,
            meta={"source": str(Path(checkpoint).resolve()), **dict(meta or {})},
        )
        note = _env_signature_note(league, env_signature, final_id)
        return Submission(league.add(entry), True, note)

    return store.update(add)


__all__ = ["Submission", "submission_id", "submit_checkpoint"]
