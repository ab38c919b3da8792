"""Self-play arena: Glicko-2 ratings, the league store, PFSP opponent sampling, match runner.

See docs/arena.md. The names re-exported here are plain Python (numpy, filelock); the match
runner (``echelon.arena.match``) and the CLI (``echelon.arena.cli``) are imported on demand.
"""

from echelon.arena.glicko2 import Rating, expected_score, rate, rate_period, win_probability
from echelon.arena.league import League, LeagueConfig, LeagueEntry, LeagueStore
from echelon.arena.sampling import Contender, OpponentSampler, SamplingConfig

__all__ = [
    "Contender",
    "League",
    "LeagueConfig",
    "LeagueEntry",
    "LeagueStore",
    "OpponentSampler",
    "Rating",
    "SamplingConfig",
    "expected_score",
    "rate",
    "rate_period",
    "win_probability",
]
