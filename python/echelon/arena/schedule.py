"""Which matches to play next: focal players, their sampled opponents, and sides.

* Focal players are the entries being measured: the ids asked for, else every candidate
  and exploiter, else (a league of commanders only) every commander.
* Focal players take turns (round robin, fewest games first), so each gets an equal share.
* An exploiter's opponent is always its target (while the target is active); everyone else
  draws from the opponent pool (commanders and exploiters, falling back to the other
  candidates) with :class:`echelon.arena.sampling.OpponentSampler` (PFSP / cold start).
* Sides alternate for each focal player: the environment need not be symmetric, and the
  reference trained and rated only as blue.
"""

from __future__ import annotations

from collections.abc import Sequence

from echelon.arena.league import OPPONENT_KINDS, League, LeagueEntry
from echelon.arena.match import Pairing
from echelon.arena.sampling import Contender, OpponentSampler


def _contender(entry: LeagueEntry) -> Contender:
    return Contender(entry.id, entry.rating, entry.games)


def focal_entries(league: League, ids: Sequence[str] | None = None) -> list[LeagueEntry]:
    if ids:
        return [league.get(i) for i in ids]
    focal = league.of_kind("candidate", "exploiter") or league.of_kind("commander")
    if not focal:
        raise ValueError("the league has no active entries to play (add checkpoints first)")
    return focal


def opponent_pool(league: League, focal: LeagueEntry) -> list[LeagueEntry]:
    pool = [e for e in league.of_kind(*OPPONENT_KINDS) if e.id != focal.id]
    if not pool:
        pool = [e for e in league.of_kind("candidate") if e.id != focal.id]
    if not pool:
        raise ValueError(f"no opponent for {focal.id!r}: the league needs a second active entry")
    return pool


def schedule_pairings(
    league: League,
    num_matches: int,
    sampler: OpponentSampler,
    focal_ids: Sequence[str] | None = None,
) -> list[Pairing]:
    """``num_matches`` pairings (blue id, red id) for the current league state."""
    if num_matches < 0:
        raise ValueError(f"num_matches must be >= 0, got {num_matches}")
    focal = sorted(focal_entries(league, focal_ids), key=lambda e: (e.games, e.id))
    turns = {e.id: 0 for e in focal}
    pairings: list[Pairing] = []
    for i in range(num_matches):
        player = focal[i % len(focal)]
        opponent_id = _opponent_for(league, player, sampler)
        as_blue = turns[player.id] % 2 == 0
        turns[player.id] += 1
        pairings.append((player.id, opponent_id) if as_blue else (opponent_id, player.id))
    return pairings


def _opponent_for(league: League, player: LeagueEntry, sampler: OpponentSampler) -> str:
    if player.kind == "exploiter" and player.target_id is not None:
        target = league.entries.get(player.target_id)
        if target is not None and target.kind != "retired":
            return target.id
    pool = opponent_pool(league, player)
    return sampler.sample(_contender(player), [_contender(e) for e in pool])[0]
