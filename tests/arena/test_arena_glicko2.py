"""Glicko-2 against Glickman's worked example, plus invariants of a rating period."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echelon.arena.glicko2 import (
    SCALE,
    Rating,
    expected_score,
    rate,
    rate_period,
    win_probability,
)

PAPER_PLAYER = Rating(1500.0, 200.0, 0.06)
PAPER_RESULTS = [
    (Rating(1400.0, 30.0), 1.0),
    (Rating(1550.0, 100.0), 0.0),
    (Rating(1700.0, 300.0), 0.0),
]


def test_paper_worked_example() -> None:
    new = rate(PAPER_PLAYER, PAPER_RESULTS, tau=0.5)
    # Glickman, "Example of the Glicko-2 system": r' = 1464.06, RD' = 151.52, sigma' = 0.05999
    assert new.mu == pytest.approx(1464.06, abs=0.01)
    assert new.rd == pytest.approx(151.52, abs=0.01)
    assert new.vol == pytest.approx(0.05999, abs=1e-5)


def test_paper_intermediate_quantities() -> None:
    # The paper's step 3/4 values: v = 1.7785, Delta = -0.4834 (Glicko-2 scale); the paper
    # rounds g and E to 4 digits before summing, hence the 1e-3 tolerance.
    mu = 0.0
    terms = []
    for opp, s in PAPER_RESULTS:
        phi_j = opp.rd / SCALE
        g = 1 / math.sqrt(1 + 3 * phi_j**2 / math.pi**2)
        e = 1 / (1 + math.exp(-g * (mu - (opp.mu - 1500) / SCALE)))
        terms.append((g, e, s))
    v = 1 / sum(g * g * e * (1 - e) for g, e, _ in terms)
    delta = v * sum(g * (s - e) for g, e, s in terms)
    assert v == pytest.approx(1.7785, abs=1e-3)
    assert delta == pytest.approx(-0.4834, abs=1e-3)
    # expected_score uses the same E as the update
    assert expected_score(PAPER_PLAYER, PAPER_RESULTS[0][0]) == pytest.approx(terms[0][1])


def test_no_games_only_rd_grows() -> None:
    player = Rating(1620.0, 80.0, 0.07)
    new = rate(player, [])
    phi = 80.0 / SCALE
    assert new.mu == player.mu
    assert new.vol == player.vol
    assert new.rd == pytest.approx(math.sqrt(phi**2 + 0.07**2) * SCALE, rel=1e-12)
    assert new.rd > player.rd


def test_rate_period_matches_rate_and_idle_players_grow() -> None:
    ratings = {
        "p": PAPER_PLAYER,
        "a": Rating(1400.0, 30.0),
        "b": Rating(1550.0, 100.0),
        "c": Rating(1700.0, 300.0),
        "idle": Rating(1500.0, 100.0),
    }
    games = [("p", "a", 1.0), ("b", "p", 1.0), ("p", "c", 0.0)]
    out = rate_period(ratings, games)
    assert out["p"] == rate(PAPER_PLAYER, PAPER_RESULTS)
    # a lost to p as p stood before the period (snapshot, not p's new rating)
    assert out["a"] == rate(ratings["a"], [(PAPER_PLAYER, 0.0)])
    assert out["idle"] == rate(ratings["idle"], [])
    assert ratings["p"] == PAPER_PLAYER  # input untouched


def test_rate_period_is_order_independent() -> None:
    rng = random.Random(7)
    ids = [f"e{i}" for i in range(8)]
    ratings = {i: Rating(rng.uniform(1200, 1800), rng.uniform(40, 350)) for i in ids}
    games = []
    for _ in range(60):
        a, b = rng.sample(ids, 2)
        games.append((a, b, rng.choice([0.0, 0.5, 1.0])))
    reference = rate_period(ratings, games)
    for _ in range(5):
        shuffled = games[:]
        rng.shuffle(shuffled)
        # swapping sides with the mirrored score is the same game
        flipped = [(b, a, 1.0 - s) if rng.random() < 0.5 else (a, b, s) for a, b, s in shuffled]
        assert rate_period(ratings, flipped) == reference


def test_symmetric_results() -> None:
    # Two equal players, one win each way: ratings stay put, both RDs shrink equally.
    ratings = {"a": Rating(), "b": Rating()}
    out = rate_period(ratings, [("a", "b", 1.0), ("b", "a", 1.0)])
    assert out["a"].mu == pytest.approx(1500.0, abs=1e-9)
    assert out["a"] == out["b"]
    assert out["a"].rd < 350.0
    # A single decisive game moves both by the same amount in opposite directions.
    out = rate_period(ratings, [("a", "b", 1.0)])
    assert out["a"].mu - 1500.0 == pytest.approx(1500.0 - out["b"].mu, rel=1e-12)
    assert out["a"].rd == pytest.approx(out["b"].rd, rel=1e-12)
    # A draw between equals changes nothing but the deviation.
    out = rate_period(ratings, [("a", "b", 0.5)])
    assert out["a"].mu == pytest.approx(1500.0, abs=1e-9)


def test_win_probability_is_symmetric_and_hand_computed() -> None:
    a, b = Rating(1700.0, 50.0), Rating(1500.0, 120.0)
    phi = math.hypot(50.0, 120.0) / SCALE
    g = 1 / math.sqrt(1 + 3 * phi**2 / math.pi**2)
    expected = 1 / (1 + math.exp(-g * 200.0 / SCALE))
    assert win_probability(a, b) == pytest.approx(expected, rel=1e-12)
    assert win_probability(a, b) + win_probability(b, a) == pytest.approx(1.0, rel=1e-12)


def test_max_rd_caps_idle_growth() -> None:
    out = rate_period({"a": Rating(1500.0, 349.99, 0.06)}, [], max_rd=350.0)
    assert out["a"].rd == 350.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"rd": 0.0}, "rd"), ({"vol": -1.0}, "vol"), ({"mu": math.nan}, "mu")],
)
def test_bad_rating_is_rejected(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Rating(**kwargs)


def test_bad_games_are_rejected() -> None:
    ratings = {"a": Rating(), "b": Rating()}
    with pytest.raises(ValueError, match="unknown player id 'zz'"):
        rate_period(ratings, [("a", "zz", 1.0)])
    with pytest.raises(ValueError, match="itself"):
        rate_period(ratings, [("a", "a", 1.0)])
    with pytest.raises(ValueError, match="score"):
        rate_period(ratings, [("a", "b", 2.0)])
    with pytest.raises(ValueError, match="tau"):
        rate(Rating(), [], tau=0.0)


def _g(opponent: Rating) -> float:
    return 1 / math.sqrt(1 + 3 * (opponent.rd / SCALE) ** 2 / math.pi**2)


ratings_st = st.builds(
    Rating,
    mu=st.floats(500.0, 2500.0),
    rd=st.floats(20.0, 350.0),
    vol=st.floats(0.01, 0.2),
)
results_st = st.lists(
    st.tuples(ratings_st, st.sampled_from([0.0, 0.5, 1.0])), min_size=1, max_size=25
)


@settings(max_examples=300, deadline=None)
@given(player=ratings_st, results=results_st, tau=st.floats(0.2, 1.2))
def test_rating_update_invariants(
    player: Rating, results: list[tuple[Rating, float]], tau: float
) -> None:
    new = rate(player, results, tau=tau)
    assert math.isfinite(new.mu) and math.isfinite(new.rd) and math.isfinite(new.vol)
    assert new.vol > 0 and new.rd > 0
    # Playing never leaves you less certain than not playing would have (with the
    # period's volatility): phi' = 1/sqrt(1/phi*^2 + 1/v) < phi* = sqrt(phi^2 + sigma'^2).
    no_game_rd = math.hypot(player.rd / SCALE, new.vol) * SCALE
    assert new.rd < no_game_rd
    # Direction: the rating moves toward the results relative to expectation.
    surprise = sum(_g(opp) * (s - expected_score(player, opp)) for opp, s in results)
    if surprise > 1e-9:
        assert new.mu > player.mu
    elif surprise < -1e-9:
        assert new.mu < player.mu


@settings(max_examples=100, deadline=None)
@given(player=ratings_st, opponent=ratings_st)
def test_win_beats_draw_beats_loss(player: Rating, opponent: Rating) -> None:
    win, draw, loss = (rate(player, [(opponent, s)]).mu for s in (1.0, 0.5, 0.0))
    assert win > draw > loss
