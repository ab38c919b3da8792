"""PFSP / cold-start weights against hand-computed values, and seeded sampling frequencies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from echelon.arena.glicko2 import Rating
from echelon.arena.sampling import (
    Contender,
    OpponentSampler,
    SamplingConfig,
    opponent_probabilities,
    pfsp_weight,
)

# Player 1500 +- 50 against equal, +200 and -200 opponents (all RD 50, many games).
# Combined phi = hypot(50, 50) / 173.7178 = 0.40704; g = 1/sqrt(1 + 3 phi^2 / pi^2) = 0.975732;
# p(+200) = 1 / (1 + exp(g * 200 / 173.7178)) = 0.245390, p(-200) = 1 - 0.245390 = 0.754610.
PLAYER = Contender("me", Rating(1500.0, 50.0), games=100)
POOL = [
    Contender("equal", Rating(1500.0, 50.0), 100),
    Contender("strong", Rating(1700.0, 50.0), 100),
    Contender("weak", Rating(1300.0, 50.0), 100),
]


def test_pfsp_weight_functions() -> None:
    assert pfsp_weight(0.5, "even") == 0.25
    assert pfsp_weight(0.2, "even") == pytest.approx(0.16)
    assert pfsp_weight(0.2, "hard") == pytest.approx(0.64)
    assert pfsp_weight(0.9, "hard") == pytest.approx(0.01)
    assert pfsp_weight(0.9, "uniform") == 1.0


def test_even_weights_hand_computed() -> None:
    probs = opponent_probabilities(PLAYER, POOL, SamplingConfig(mode="even"))
    raw = np.array([0.25, 0.245390 * 0.754610, 0.754610 * 0.245390])  # 0.25, 0.185174, 0.185174
    np.testing.assert_allclose(probs, raw / raw.sum(), rtol=1e-5)
    assert probs[1] == pytest.approx(probs[2], rel=1e-12)  # +-200 are equally "even"


def test_hard_weights_hand_computed() -> None:
    probs = opponent_probabilities(PLAYER, POOL, SamplingConfig(mode="hard"))
    raw = np.array([0.25, 0.754610**2, 0.245390**2])  # 0.25, 0.569436, 0.060216
    np.testing.assert_allclose(probs, raw / raw.sum(), rtol=1e-5)
    assert probs.argmax() == 1


def test_uniform_weights() -> None:
    probs = opponent_probabilities(PLAYER, POOL, SamplingConfig(mode="uniform"))
    np.testing.assert_allclose(probs, [1 / 3] * 3)


def test_cold_start_prefers_close_and_established_opponents() -> None:
    newbie = Contender("new", Rating(1500.0, 350.0), games=3)
    pool = [
        Contender("near", Rating(1600.0, 60.0), 40),  # exp(-100^2/(2*200^2)) * 40/50 = 0.705998
        Contender("far", Rating(1900.0, 40.0), 90),  # exp(-400^2/(2*200^2)) * 90/100 = 0.121802
        Contender("fresh", Rating(1500.0, 350.0), 5),  # exp(0) * 5/15 = 0.333333
    ]
    probs = opponent_probabilities(newbie, pool, SamplingConfig(cold_start_games=20))
    raw = np.array([math.exp(-0.125) * 0.8, math.exp(-2.0) * 0.9, 1 / 3])
    np.testing.assert_allclose(probs, raw / raw.sum(), rtol=1e-12)
    # Once the player has enough games, PFSP takes over: the far, strong opponent with a
    # small p_win is now rarer than the close one for "even".
    veteran = Contender("new", Rating(1500.0, 60.0), games=20)
    probs = opponent_probabilities(veteran, pool, SamplingConfig(mode="even", cold_start_games=20))
    assert probs[1] < probs[0]


def test_cold_start_in_a_new_league_falls_back_to_pfsp() -> None:
    newbie = Contender("new", Rating(), games=0)
    pool = [Contender("a", Rating(), 0), Contender("b", Rating(), 0)]
    np.testing.assert_allclose(opponent_probabilities(newbie, pool, SamplingConfig()), [0.5, 0.5])


def test_all_zero_weights_fall_back_to_uniform() -> None:
    # p_win rounds to 1.0 against hopeless opponents: "hard" weights all vanish.
    champion = Contender("champ", Rating(9000.0, 30.0), 100)
    pool = [Contender("a", Rating(100.0, 30.0), 100), Contender("b", Rating(200.0, 30.0), 100)]
    np.testing.assert_allclose(
        opponent_probabilities(champion, pool, SamplingConfig(mode="hard")), [0.5, 0.5]
    )


def test_sampling_frequencies_follow_probabilities_and_seed() -> None:
    config = SamplingConfig(mode="hard")
    probs = opponent_probabilities(PLAYER, POOL, config)
    n = 20_000
    draws = OpponentSampler(config, seed=123).sample(PLAYER, POOL, n)
    counts = np.array([draws.count(o.id) for o in POOL])
    sigma = np.sqrt(n * probs * (1 - probs))
    assert np.all(np.abs(counts - n * probs) < 4 * sigma)
    assert OpponentSampler(config, seed=123).sample(PLAYER, POOL, 50) == draws[:50]
    assert OpponentSampler(config, seed=124).sample(PLAYER, POOL, 50) != draws[:50]


def test_sampling_does_not_touch_global_rng() -> None:
    np.random.seed(0)
    expected = np.random.random()
    np.random.seed(0)
    OpponentSampler(seed=1).sample(PLAYER, POOL, 100)
    assert np.random.random() == expected


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="pool is empty"):
        opponent_probabilities(PLAYER, [], SamplingConfig())
    with pytest.raises(ValueError, match="itself"):
        opponent_probabilities(PLAYER, [PLAYER], SamplingConfig())
    with pytest.raises(ValueError, match="mode 'easy'"):
        SamplingConfig(mode="easy")  # type: ignore[arg-type]
