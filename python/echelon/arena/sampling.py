"""Opponent sampling: uniform, prioritized fictitious self-play (PFSP), cold start.

PFSP (Vinyals et al. 2019, AlphaStar) weights each opponent by a function of the focal
player's predicted win probability ``p`` against it:

* ``even``: f(p) = p (1 - p)  - most weight on coin-flip matches, where a game carries the
  most information about who is better and the learner gets the most signal;
* ``hard``: f(p) = (1 - p)^2  - most weight on opponents the player still loses to;
* ``uniform``: f(p) = 1.

``p`` is :func:`echelon.arena.glicko2.win_probability` (both deviations combined).

Cold start: while the focal player has fewer than ``cold_start_games`` games its rating
says little, and a fresh entry thrown at the best commander learns nothing from a loss.
Then the weight is ``exp(-(mu_o - mu_p)^2 / (2 w^2)) * n_o / (n_o + n0)``: opponents with a
rating close to the player's (w = ``cold_start_width``, default 200) and many games
(n0 = ``cold_start_prior_games``), i.e. well-measured yardsticks near its current estimate.

All randomness comes from a seeded :class:`numpy.random.Generator` owned by the sampler
(never the global RNG), so a seed reproduces the whole schedule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from echelon.arena.glicko2 import Rating, win_probability

Mode = Literal["uniform", "even", "hard"]
MODES: tuple[str, ...] = ("uniform", "even", "hard")


@dataclass(frozen=True)
class Contender:
    """What sampling needs to know about a league entry."""

    id: str
    rating: Rating
    games: int


@dataclass(frozen=True)
class SamplingConfig:
    mode: Mode = "even"
    cold_start_games: int = 20
    cold_start_width: float = 200.0
    cold_start_prior_games: float = 10.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"sampling mode {self.mode!r} not in {MODES}")
        if not (isinstance(self.cold_start_games, int) and self.cold_start_games >= 0):
            raise ValueError(
                f"cold_start_games must be an integer >= 0, got {self.cold_start_games!r}"
            )
        if not (math.isfinite(self.cold_start_width) and self.cold_start_width > 0):
            raise ValueError(f"cold_start_width must be > 0, got {self.cold_start_width!r}")
        if not (math.isfinite(self.cold_start_prior_games) and self.cold_start_prior_games > 0):
            raise ValueError(
                f"cold_start_prior_games must be > 0, got {self.cold_start_prior_games!r}"
            )


def pfsp_weight(p_win: float, mode: Mode) -> float:
    if mode == "even":
        return p_win * (1.0 - p_win)
    if mode == "hard":
        return (1.0 - p_win) ** 2
    if mode == "uniform":
        return 1.0
    raise ValueError(f"sampling mode {mode!r} not in {MODES}")


def _normalise(weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    total = float(weights.sum())
    if not math.isfinite(total) or total <= 0.0:
        # Every weight underflowed (e.g. "hard" against opponents it surely beats): fall back
        # to uniform rather than refusing to pick anyone.
        return np.full(len(weights), 1.0 / len(weights))
    return weights / total


def opponent_probabilities(
    player: Contender, pool: Sequence[Contender], config: SamplingConfig
) -> npt.NDArray[np.float64]:
    """Probability of drawing each pool member as ``player``'s next opponent."""
    if not pool:
        raise ValueError(f"no opponents to sample for {player.id!r}: the pool is empty")
    if any(o.id == player.id for o in pool):
        raise ValueError(f"the pool for {player.id!r} contains the player itself")
    if player.games < config.cold_start_games:
        w, n0 = config.cold_start_width, config.cold_start_prior_games
        weights = np.array(
            [
                math.exp(-((o.rating.mu - player.rating.mu) ** 2) / (2.0 * w * w))
                * (o.games / (o.games + n0))
                for o in pool
            ]
        )
        if float(weights.sum()) > 0.0:
            return _normalise(weights)
        # Nobody has played yet (a new league): fall through to skill matching.
    weights = np.array(
        [pfsp_weight(win_probability(player.rating, o.rating), config.mode) for o in pool]
    )
    return _normalise(weights)


class OpponentSampler:
    """Draws opponents with :func:`opponent_probabilities` from a private seeded Generator."""

    def __init__(self, config: SamplingConfig | None = None, seed: int | None = 0) -> None:
        self.config = config or SamplingConfig()
        self.rng = np.random.default_rng(seed)

    def sample(self, player: Contender, pool: Sequence[Contender], n: int = 1) -> list[str]:
        probs = opponent_probabilities(player, pool, self.config)
        picks = self.rng.choice(len(pool), size=n, replace=True, p=probs)
        return [pool[int(i)].id for i in picks]

    def choose(self, options: Sequence[str]) -> str:
        """Uniform choice (e.g. of the focal player) from the same seeded stream."""
        if not options:
            raise ValueError("nothing to choose from")
        return options[int(self.rng.integers(len(options)))]
