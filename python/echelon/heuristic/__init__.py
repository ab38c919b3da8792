"""Matches between controllers of the core (the heuristic opponent's skill ladder).

The heuristic itself runs inside the C++ core (``cpp/echelon/heuristic/``); this package only
schedules matches between ``heuristic:N`` controllers and summarises them (docs/heuristic.md).
"""

from echelon.heuristic.ladder import MatchResult, play_matches, wilson_interval

__all__ = ["MatchResult", "play_matches", "wilson_interval"]
