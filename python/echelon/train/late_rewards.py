"""Terminal win/loss rewards of agents that died before their episode ended.

With ``RewardConfig(win=..., loss=...)`` the core pays the terminal reward in the final step
to every agent still alive; an agent that died earlier is padding by then, so the core
writes its share to ``info["late_terminal"]`` (docs/game_rules.md) and the
trainer must credit it to that agent's **death row**: the last real transition it had, the
row whose ``terminated`` flag was set. That row's GAE target then includes the outcome its
team went on to reach, which is what a dead agent's last actions contributed to.

``LateTerminalCredit`` remembers, for every learner column, the rollout step of the death
row of the current episode. When episodes end it adds each late reward of those worlds to its
agent's death row in the buffer.

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
    """True when the env pays terminal win/loss rewards (its step then fills
    ``info["late_terminal"]``)."""
    rewards = getattr(getattr(env, "config", None), "rewards", None)
    if rewards is None:
        return False
    return getattr(rewards, "win", 0.0) != 0 or getattr(rewards, "loss", 0.0) != 0


class LateTerminalCredit:
    """Tracks death rows per learner column and credits late terminal rewards to them."""

    def __init__(
        self, learner: slice, num_worlds: int, per_world: int, device: torch.device
    ) -> None:
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

    def step(
        self, t: int, rewards: Tensor, dead_now: Tensor, episode_end: Tensor, late_terminal: Tensor
    ) -> Tensor:
        """Call after step ``t`` was written to the buffer.

        ``rewards``: the buffer's reward rows ``[T, B]`` (edited in place); ``dead_now``:
        learner columns ``[B]`` whose ``terminated`` was set in this step; ``episode_end``
        ``[W]``; ``late_terminal``: the step's ``info["late_terminal"]`` ``[W, A]``. Returns the
        late reward per world summed over its learner agents ``[W]`` (float64, for the
        episode-return statistic).
        """
        self.death_row = torch.where(dead_now, t, self.death_row)
        if not bool(episode_end.any()):
            return torch.zeros(self.num_worlds, dtype=torch.float64, device=rewards.device)
        ended = episode_end.to(rewards.device).repeat_interleave(self.per_world)
        late = late_terminal[:, self.learner].to(rewards.device).reshape(-1)
        late = torch.where(ended, late, 0.0)
        paid = late != 0
        reachable = paid & (self.death_row >= 0)
        cols = reachable.nonzero().flatten()
        rewards[self.death_row[cols], cols] += late[cols]
        self.credited += int(reachable.sum())
        self.missed += int((paid & ~reachable).sum())  # death row consumed by an earlier update
        self.death_row = torch.where(ended, NOT_DEAD, self.death_row)
        return late.view(self.num_worlds, self.per_world).double().sum(1)

    def missed_fraction(self) -> float:
        total = self.credited + self.missed
        return self.missed / total if total else 0.0


__all__ = ["LateTerminalCredit", "late_rewards_enabled"]
