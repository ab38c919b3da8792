"""Glicko-2 ratings, exactly as in Glickman's "Example of the Glicko-2 system".

Ratings live on the Glicko scale (default 1500 / 350 / 0.06) and are converted to the
Glicko-2 scale (divide by 173.7178) for the update. The new volatility is found with the
Illinois variant of regula falsi (convergence tolerance ``epsilon``, default 1e-6), as in
step 5 of the paper.

A *rating period* updates every player from a snapshot of all ratings taken before the
period (:func:`rate_period`), so the order in which games are listed never matters and a
player's update never sees an opponent's already-updated rating (the reference project's
"double rating update" bug). Sums use :func:`math.fsum`, which is exactly rounded, so the
result is bit-identical under any permutation of the games.

Hand-written rather than taken from a package: the PyPI Glicko-2 packages are small,
unmaintained and either skip the Illinois solver or update players in place; the
algorithm is 40 lines and is verified here against the paper's worked example.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SCALE = 173.7178
DEFAULT_MU = 1500.0
DEFAULT_RD = 350.0
DEFAULT_VOL = 0.06
DEFAULT_TAU = 0.5
DEFAULT_EPSILON = 1e-6

# Smallest per-period information sum kept in the denominator of v: with absurd rating gaps
# g^2 E (1 - E) underflows to 0 and v would be infinite.
_MIN_INFORMATION = 1e-12


@dataclass(frozen=True)
class Rating:
    """A player's rating on the Glicko scale: ``mu`` (rating), ``rd`` (deviation), ``vol``."""

    mu: float = DEFAULT_MU
    rd: float = DEFAULT_RD
    vol: float = DEFAULT_VOL

    def __post_init__(self) -> None:
        for name in ("mu", "rd", "vol"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"Rating.{name} must be a finite number, got {value!r}")
        if self.rd <= 0:
            raise ValueError(f"Rating.rd must be > 0, got {self.rd!r}")
        if self.vol <= 0:
            raise ValueError(f"Rating.vol must be > 0, got {self.vol!r}")

    def conservative(self, k: float = 2.0) -> float:
        """Lower confidence bound ``mu - k * rd`` (k = 2: about the 2.5th percentile)."""
        return self.mu - k * self.rd

    def to_dict(self) -> dict[str, float]:
        return {"mu": self.mu, "rd": self.rd, "vol": self.vol}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Rating:
        try:
            return cls(mu=float(data["mu"]), rd=float(data["rd"]), vol=float(data["vol"]))  # type: ignore[arg-type]
        except KeyError as err:
            raise ValueError(f"rating is missing field {err.args[0]!r}: {dict(data)!r}") from err


def _g(phi: float) -> float:
    return 1.0 / math.sqrt(1.0 + 3.0 * phi * phi / (math.pi * math.pi))


def _expected(mu: float, mu_j: float, phi_j: float) -> float:
    return 1.0 / (1.0 + math.exp(-_g(phi_j) * (mu - mu_j)))


def expected_score(player: Rating, opponent: Rating) -> float:
    """The paper's E: expected score of ``player`` against ``opponent`` (uses only the
    opponent's deviation). This is the quantity the update itself uses."""
    return _expected(
        (player.mu - DEFAULT_MU) / SCALE, (opponent.mu - DEFAULT_MU) / SCALE, opponent.rd / SCALE
    )


def win_probability(player: Rating, opponent: Rating) -> float:
    """Predicted score of ``player`` against ``opponent`` with *both* deviations combined
    (g of sqrt(phi_a^2 + phi_b^2)), Glickman's recommended predictor of a game outcome.
    Symmetric: ``win_probability(a, b) + win_probability(b, a) == 1``."""
    phi = math.hypot(player.rd, opponent.rd) / SCALE
    return _expected(player.mu / SCALE, opponent.mu / SCALE, phi)


def _check_score(score: float) -> float:
    score = float(score)
    if not (0.0 <= score <= 1.0) or math.isnan(score):
        raise ValueError(f"game score must be in [0, 1] (1 win, 0.5 draw, 0 loss), got {score!r}")
    return score


def _new_volatility(
    delta: float, phi: float, v: float, sigma: float, tau: float, epsilon: float
) -> float:
    """Step 5 of the paper: solve f(x) = 0 for x = ln(sigma'^2) by the Illinois algorithm."""
    a = math.log(sigma * sigma)
    delta2, phi2 = delta * delta, phi * phi

    def f(x: float) -> float:
        ex = math.exp(x)
        return ex * (delta2 - phi2 - v - ex) / (2.0 * (phi2 + v + ex) ** 2) - (x - a) / (tau * tau)

    big_a = a
    if delta2 > phi2 + v:
        big_b = math.log(delta2 - phi2 - v)
    else:
        k = 1
        while f(a - k * tau) < 0:
            k += 1
        big_b = a - k * tau
    f_a, f_b = f(big_a), f(big_b)
    while abs(big_b - big_a) > epsilon:
        big_c = big_a + (big_a - big_b) * f_a / (f_b - f_a)
        f_c = f(big_c)
        if f_c * f_b <= 0:  # the paper's test is "<= 0", not strict
            big_a, f_a = big_b, f_b
        else:
            f_a = f_a / 2.0
        big_b, f_b = big_c, f_c
    return math.exp(big_a / 2.0)


def _check_tau(tau: float) -> None:
    if not (math.isfinite(tau) and tau > 0):
        raise ValueError(f"tau must be a finite number > 0, got {tau!r}")


def rate(
    player: Rating,
    results: Sequence[tuple[Rating, float]],
    tau: float = DEFAULT_TAU,
    epsilon: float = DEFAULT_EPSILON,
) -> Rating:
    """One rating period for ``player``: ``results`` is a list of (opponent rating as it stood
    before the period, score in [0, 1]). With no games only the deviation grows:
    phi* = sqrt(phi^2 + sigma^2)."""
    _check_tau(tau)
    mu = (player.mu - DEFAULT_MU) / SCALE
    phi = player.rd / SCALE
    sigma = player.vol
    if not results:
        return Rating(player.mu, math.sqrt(phi * phi + sigma * sigma) * SCALE, sigma)

    g_list: list[float] = []
    e_list: list[float] = []
    s_list: list[float] = []
    for opponent, score in results:
        phi_j = opponent.rd / SCALE
        g_j = _g(phi_j)
        g_list.append(g_j)
        e_list.append(_expected(mu, (opponent.mu - DEFAULT_MU) / SCALE, phi_j))
        s_list.append(_check_score(score))

    information = math.fsum(g * g * e * (1.0 - e) for g, e in zip(g_list, e_list, strict=True))
    v = 1.0 / max(_MIN_INFORMATION, information)
    improvement = math.fsum(g * (s - e) for g, s, e in zip(g_list, s_list, e_list, strict=True))
    delta = v * improvement

    new_sigma = _new_volatility(delta, phi, v, sigma, tau, epsilon)
    phi_star = math.sqrt(phi * phi + new_sigma * new_sigma)
    new_phi = 1.0 / math.sqrt(1.0 / (phi_star * phi_star) + 1.0 / v)
    new_mu = mu + new_phi * new_phi * improvement
    return Rating(new_mu * SCALE + DEFAULT_MU, new_phi * SCALE, new_sigma)


Game = tuple[str, str, float]
"""(player a id, player b id, score of a in [0, 1]); b scores 1 - score."""


def rate_period(
    ratings: Mapping[str, Rating],
    games: Iterable[Game],
    tau: float = DEFAULT_TAU,
    epsilon: float = DEFAULT_EPSILON,
    max_rd: float | None = None,
) -> dict[str, Rating]:
    """Update every player in ``ratings`` for one rating period (two-phase).

    Phase 1 reads only the snapshot ``ratings``; phase 2 builds the new mapping. Players
    without games get the paper's deviation growth. ``max_rd`` optionally caps deviations
    (the paper has no cap; a league may cap at the prior RD so an idle entry never looks
    less known than a brand-new one). The input mapping is not modified.
    """
    if max_rd is not None and not (math.isfinite(max_rd) and max_rd > 0):
        raise ValueError(f"max_rd must be a finite number > 0 or None, got {max_rd!r}")
    snapshot = dict(ratings)
    results: dict[str, list[tuple[Rating, float]]] = {pid: [] for pid in snapshot}
    for index, game in enumerate(games):
        a_id, b_id, score_a = game
        for pid in (a_id, b_id):
            if pid not in snapshot:
                raise ValueError(f"game {index} {game!r}: unknown player id {pid!r}")
        if a_id == b_id:
            raise ValueError(f"game {index} {game!r}: a player cannot play itself")
        score = _check_score(score_a)
        results[a_id].append((snapshot[b_id], score))
        results[b_id].append((snapshot[a_id], 1.0 - score))

    updated: dict[str, Rating] = {}
    for pid, player in snapshot.items():
        new = rate(player, results[pid], tau=tau, epsilon=epsilon)
        if max_rd is not None and new.rd > max_rd:
            new = Rating(new.mu, max_rd, new.vol)
        updated[pid] = new
    return updated
