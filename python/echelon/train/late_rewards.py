"""Terminal win/loss rewards of agents that died before their episode ended.

With ``RewardConfig(win=..., loss=...)`` the core pays the terminal reward in the final step
to every agent still alive; an agent that died earlier is padding by then, so the core
leaves its share in ``env.sim.late_terminal_rewards(w)`` (docs/game_rules.md) and the
trainer must credit it to that agent's **death row**: the last real transition it had, the
row whose ``terminated`` flag was set. That row's GAE target then includes the outcome its
team went on to reach, which is what a dead agent's last actions contributed to.

``LateTerminalCredit`` remembers, for every learner column, the rollout step of the death
row of the current episode. When a world's episode ends it reads the late rewards of that
world and adds each to its agent's death row in the buffer.

Approximation: a death row from an *earlier* rollout has already been used by a PPO update
and is gone; those late rewards cannot be credited and are counted instead
(``missed``/``credited`` per rollout, logged as ``late_terminal_missed_fraction``). With
the default T = 128 steps and 240-decision episodes, agents that die early in a long
episode are the ones affected. Every late reward, credited or not, still counts in the
logged episode return, which is the environment's return.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

NOT_DEAD = -1  # no death row in the current episode
DEATH_ROW_GONE = -2  # died in this episode, in a rollout that was already consumed


def late_rewards_enabled(env: Any) -> bool:
    """True when the env pays terminal rewards and offers ``sim.late_terminal_rewards``."""
    rewards = getattr(getattr(env, "config", None), "rewards", None)
    if rewards is None or (
        getattr(rewards, "win", 0.0) == 0 and getattr(rewards, "loss", 0.0) == 0
    ):
        return False
    return callable(getattr(getattr(env, "sim", None), "late_terminal_rewards", None))


class LateTerminalCredit:
    """Tracks death rows per learner column and credits late terminal rewards to them."""

    def __init__(
        self, env: Any, learner: slice, num_worlds: int, per_world: int, device: torch.device
    ) -> None:
        self.sim = env.sim
        self.learner = learner
        self.num_worlds, self.per_world = num_worlds, per_world
        self.death_row = torch.full(
            (num_worlds * per_world,), NOT_DEAD, dtype=torch.long, device=device
        )
        self.credited = 0
        self.missed = 0

    def start_rollout(self) -> None:
        """A new buffer begins: death rows of the previous one are no longer reachable."""
        self.death_row.masked_fill_(self.death_row >= 0, DEATH_ROW_GONE)
        self.credited = self.missed = 0

    def reset(self) -> None:
        self.death_row.fill_(NOT_DEAD)

    def step(self, t: int, rewards: Tensor, dead_now: Tensor, episode_end: Tensor) -> Tensor:
        """Call after step ``t`` was written to the buffer.

        ``rewards``: the buffer's reward rows ``[T, B]`` (edited in place); ``dead_now``:
        learner columns ``[B]`` whose ``terminated`` was set in this step; ``episode_end``
        ``[W]``. Returns the late reward per world summed over its learner agents ``[W]``
        (float64, for the episode-return statistic).
        """
        self.death_row = torch.where(dead_now, t, self.death_row)
        added = torch.zeros(self.num_worlds, dtype=torch.float64, device=rewards.device)
        if not bool(episode_end.any()):
            return added
        for w in torch.nonzero(episode_end).flatten().tolist():
            late = self.sim.late_terminal_rewards(w)[self.learner]
            cols = slice(w * self.per_world, (w + 1) * self.per_world)
            for agent, value in enumerate(late):
                if value == 0.0:
                    continue
                row = int(self.death_row[cols.start + agent])
                added[w] += value
                if row >= 0:
                    rewards[row, cols.start + agent] += value
                    self.credited += 1
                else:  # death row consumed by an earlier update (or before a reset)
                    self.missed += 1
            self.death_row[cols] = NOT_DEAD
        return added

    def missed_fraction(self) -> float:
        total = self.credited + self.missed
        return self.missed / total if total else 0.0


__all__ = ["LateTerminalCredit", "late_rewards_enabled"]
