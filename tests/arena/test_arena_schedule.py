"""Match scheduling: focal players, exploiter targets, side alternation, pool fallbacks."""

from __future__ import annotations

import hashlib

import pytest

from echelon.arena.glicko2 import Rating
from echelon.arena.league import League, LeagueEntry
from echelon.arena.sampling import OpponentSampler, SamplingConfig
from echelon.arena.schedule import schedule_pairings


def entry(
    entry_id: str, kind: str, mu: float = 1500.0, games: int = 50, **kw: object
) -> LeagueEntry:
    sha = hashlib.sha256(entry_id.encode()).hexdigest()
    return LeagueEntry(
        id=entry_id,
        kind=kind,
        checkpoint=f"checkpoints/{sha}/m",
        sha256=sha,
        rating=Rating(mu, 60.0),
        games=games,
        **kw,  # type: ignore[arg-type]
    )


def make_league() -> League:
    league = League()
    for e in [
        entry("c1", "commander", 1600),
        entry("c2", "commander", 1500),
        entry("old", "retired", 1900),
        entry("cand", "candidate", 1550, games=30),
        entry("new", "candidate", 1500, games=0),
    ]:
        league.add(e)
    league.add(entry("x", "exploiter", 1400, target_id="c1"))
    return league


def test_focal_players_rotate_and_alternate_sides() -> None:
    league = make_league()
    pairings = schedule_pairings(league, 12, OpponentSampler(seed=0))
    # focal players in order of fewest games: new (0), cand (30), x (50); then round robin,
    # each one's first match as blue, the next as red, and so on.
    for i, (blue, red) in enumerate(pairings):
        focal = ["new", "cand", "x"][i % 3]
        turn = i // 3
        assert (blue if turn % 2 == 0 else red) == focal
        assert "old" not in (blue, red)  # retired entries never play
        assert blue != red


def test_exploiter_always_meets_its_target() -> None:
    league = make_league()
    pairings = schedule_pairings(league, 10, OpponentSampler(seed=1), focal_ids=["x"])
    assert all(set(p) == {"x", "c1"} for p in pairings)
    league.set_kind("c1", "retired")  # target gone: the exploiter samples the pool instead
    pairings = schedule_pairings(league, 10, OpponentSampler(seed=1), focal_ids=["x"])
    assert all("c1" not in p for p in pairings)


def test_schedule_is_seeded() -> None:
    league = make_league()
    first = schedule_pairings(league, 30, OpponentSampler(SamplingConfig(mode="hard"), seed=5))
    again = schedule_pairings(league, 30, OpponentSampler(SamplingConfig(mode="hard"), seed=5))
    assert first == again


def test_candidates_only_league_and_errors() -> None:
    league = League()
    league.add(entry("a", "candidate"))
    with pytest.raises(ValueError, match="second active entry"):
        schedule_pairings(league, 1, OpponentSampler())
    league.add(entry("b", "candidate"))
    assert sorted(schedule_pairings(league, 2, OpponentSampler())) == [("a", "b"), ("b", "a")]
    with pytest.raises(KeyError, match="zz"):
        schedule_pairings(league, 1, OpponentSampler(), focal_ids=["zz"])
    with pytest.raises(ValueError, match="no active entries"):
        schedule_pairings(League(), 1, OpponentSampler())
