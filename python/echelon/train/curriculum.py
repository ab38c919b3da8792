"""Heuristic opponents for training and a win-rate curriculum over their skill levels.

``opponent: heuristic:N`` makes the C++ core drive the red team at level N (0 walker ... 4
expert, docs/heuristic.md); the trainer then runs no opponent policy at all. The level is
set with ``env.set_heuristic_level("red", N)``, which works on any ``VecEnv`` whatever its
``EnvConfig.red`` says and takes effect at each world's next reset.

``HeuristicCurriculum`` raises that level when the learner wins often enough:

* it watches the winners of finished training episodes (``0`` = blue = the learner);
* once at least ``window`` episodes *played at the current level* have finished and the
  learner won at least ``threshold`` of the last ``window`` of them, the level goes up by
  one (never past ``max_level``) and the window is cleared;
* a level change reaches a world only at its next reset, so the episode each world was
  playing at the time of the change was still played at the old level. The curriculum
  therefore ignores the first ``num_worlds`` episodes that finish after a promotion (one
  per world, on average exactly the stale ones; the rare world that finishes a stale and a
  fresh episode before a slow world finishes its stale one swaps one fresh episode for one
  stale one, which does not bias the rate).

Its whole state (level, window, episodes still to skip, promotion history) is plain JSON in
the checkpoint's ``meta.json``, so ``--resume`` continues the same curriculum.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

HEURISTIC_PREFIX = "heuristic:"
MAX_HEURISTIC_LEVEL = 4
BLUE = 0


def parse_heuristic_opponent(opponent: str) -> int | None:
    """``"heuristic:N"`` -> N; any other opponent kind -> None. Bad levels are errors."""
    if not opponent.startswith(HEURISTIC_PREFIX):
        return None
    text = opponent[len(HEURISTIC_PREFIX) :]
    if not text.isdigit() or not 0 <= int(text) <= MAX_HEURISTIC_LEVEL:
        raise ValueError(
            f"opponent {opponent!r}: the heuristic level must be an integer in "
            f"[0, {MAX_HEURISTIC_LEVEL}]"
        )
    return int(text)


def set_red_heuristic(env: Any, level: int) -> None:
    """Make the core's heuristic drive red at ``level`` from each world's next reset."""
    setter = getattr(env, "set_heuristic_level", None)
    if not callable(setter):
        raise ValueError(
            f"opponent heuristic:{level} needs an env with set_heuristic_level(team, level) "
            f"(echelon.VecEnv); {type(env).__name__} has none"
        )
    setter("red", level)


@dataclass(frozen=True)
class CurriculumConfig:
    """``curriculum`` section of ``TrainConfig`` (only used with ``opponent: heuristic:N``)."""

    enabled: bool = False
    window: int = 200  # K: finished episodes the win rate is measured over
    threshold: float = 0.75  # promote when the learner's win rate over K reaches this
    max_level: int = MAX_HEURISTIC_LEVEL

    def __post_init__(self) -> None:
        if isinstance(self.window, bool) or not isinstance(self.window, int) or self.window < 1:
            raise ValueError(f"curriculum.window must be an integer >= 1, got {self.window!r}")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"curriculum.threshold must be in (0, 1], got {self.threshold!r}")
        if not 0 <= self.max_level <= MAX_HEURISTIC_LEVEL:
            raise ValueError(
                f"curriculum.max_level must be in [0, {MAX_HEURISTIC_LEVEL}], "
                f"got {self.max_level!r}"
            )


class HeuristicCurriculum:
    """Tracks the learner's recent win rate and decides when red's level goes up."""

    def __init__(self, cfg: CurriculumConfig, start_level: int, num_worlds: int) -> None:
        if not 0 <= start_level <= MAX_HEURISTIC_LEVEL:
            raise ValueError(
                f"start level must be in [0, {MAX_HEURISTIC_LEVEL}], got {start_level}"
            )
        self.cfg = cfg
        self.num_worlds = num_worlds
        self.level = start_level
        self.recent: deque[bool] = deque(maxlen=cfg.window)
        self.skip = 0  # finished episodes still to ignore (played at the previous level)
        self.promotions: list[dict[str, int]] = []

    def win_rate(self) -> float:
        """Learner win rate over the episodes in the window (NaN when empty)."""
        return sum(self.recent) / len(self.recent) if self.recent else float("nan")

    def record(self, winners: list[int], update: int, agent_steps: int) -> int | None:
        """Feed the winners of newly finished episodes; returns the new level on promotion."""
        for winner in winners:
            if self.skip > 0:
                self.skip -= 1
                continue
            self.recent.append(winner == BLUE)
        if not self._ready_to_promote():
            return None
        self.level += 1
        self.recent.clear()
        self.skip = self.num_worlds
        self.promotions.append({"level": self.level, "update": update, "agent_steps": agent_steps})
        return self.level

    def _ready_to_promote(self) -> bool:
        full = len(self.recent) == self.cfg.window
        return full and self.level < self.cfg.max_level and self.win_rate() >= self.cfg.threshold

    # -- checkpoints --------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "recent": [int(w) for w in self.recent],
            "skip": self.skip,
            "promotions": list(self.promotions),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        level = int(state["level"])
        if not 0 <= level <= MAX_HEURISTIC_LEVEL:
            raise ValueError(f"curriculum state: level {level} out of range")
        self.level = level
        self.recent = deque((bool(w) for w in state["recent"]), maxlen=self.cfg.window)
        self.skip = int(state["skip"])
        self.promotions = [dict(p) for p in state["promotions"]]


__all__ = [
    "CurriculumConfig",
    "HeuristicCurriculum",
    "parse_heuristic_opponent",
    "set_red_heuristic",
]
