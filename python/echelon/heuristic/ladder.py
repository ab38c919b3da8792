"""Head-to-head matches between two core controllers, with Wilson confidence intervals.

Both teams are driven by the core (``heuristic:N``), so a match needs no Python per agent: the
caller's action tensor is all zeros and ignored. Every world plays the same number of episodes
(its first ``ceil(matches / worlds)``, the surplus dropped in world order) so that short episodes
are not over-represented. The Wilson score interval is used rather than the normal approximation
because win rates near 0 or 1 and small samples are the common case in a ladder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch

from echelon.config import EnvConfig, controller_level


@dataclass(frozen=True)
class MatchResult:
    """Outcomes from blue's side: wins, draws and losses over ``matches`` episodes."""

    blue: str
    red: str
    wins: int
    draws: int
    losses: int
    mean_length: float

    @property
    def matches(self) -> int:
        return self.wins + self.draws + self.losses

    @property
    def score(self) -> float:
        """Win = 1, draw = 1/2, loss = 0, averaged."""
        return (self.wins + 0.5 * self.draws) / max(1, self.matches)

    def win_interval(self, z: float = 1.96) -> tuple[float, float]:
        return wilson_interval(self.wins, self.matches, z)

    def score_interval(self, z: float = 1.96) -> tuple[float, float]:
        """Wilson interval of the score, counting a draw as half a win."""
        return wilson_interval(self.wins + 0.5 * self.draws, self.matches, z)


def wilson_interval(successes: float, trials: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (z = 1.96: 95%)."""
    if trials <= 0:
        raise ValueError(f"trials must be positive, got {trials}")
    if not 0 <= successes <= trials:
        raise ValueError(f"successes must be in [0, {trials}], got {successes}")
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _check_core_controller(side: str, spec: str) -> None:
    if controller_level(side, spec) < 0:
        raise ValueError(
            f"{side} must be a core controller 'heuristic:N' for a match without a policy, "
            f"got {spec!r} (evaluate a checkpoint with 'echelon eval CHECKPOINT --red heuristic:N')"
        )


def play_matches(
    config: EnvConfig,
    matches: int,
    worlds: int = 16,
    seed: int = 0,
    num_threads: int | None = None,
    max_steps: int = 10_000_000,
    record: str | Path | None = None,
    record_max: int | None = None,
) -> MatchResult:
    """Plays ``matches`` episodes of ``config.blue`` against ``config.red`` (core controllers).
    ``record``: a folder for replays of the counted episodes (at most ``record_max``)."""
    from echelon.env.vec_env import VecEnv

    _check_core_controller("blue", config.blue)
    _check_core_controller("red", config.red)
    if isinstance(matches, bool) or not isinstance(matches, int) or matches < 1:
        raise ValueError(f"matches must be a positive integer, got {matches!r}")
    worlds = max(1, min(worlds, matches))
    env = VecEnv(config, num_worlds=worlds, seed=seed, num_threads=num_threads)
    per_world = math.ceil(matches / worlds)
    quota = torch.tensor([per_world] * worlds)
    quota[: per_world * worlds - matches] -= 1  # drop the surplus from the first worlds
    if record is not None:
        for w in range(worlds):  # exactly the episodes that count
            if int(quota[w]) > 0:
                env.record(
                    worlds=[w],
                    episodes=int(quota[w]),
                    directory=record,
                    name="{blue}_vs_{red}_w{world:03d}_ep{episode:05d}",
                    max_replays=record_max,
                )
                env.set_replay_meta(w, {"source": "eval", "blue": config.blue, "red": config.red})
    done = torch.zeros(worlds, dtype=torch.long)
    counts = {0: 0, 1: 0, -1: 0}
    total_length = 0.0
    length_col = env.episode_stat_names.index("length")
    actions = torch.zeros((worlds, env.num_agents, env.action_dim))
    env.reset()
    for _ in range(max_steps):
        if bool((done >= quota).all()):
            break
        _, _, _, _, info = env.step(actions)
        ended = info["episode_end"] & (done < quota)
        for w in torch.nonzero(ended).flatten().tolist():
            counts[int(info["winner"][w])] += 1
            total_length += float(info["episode_stats"][w, length_col])
        done += info["episode_end"].long()
    else:
        raise RuntimeError(f"{matches} matches did not finish in {max_steps} steps")
    env.close()
    return MatchResult(
        config.blue, config.red, counts[0], counts[-1], counts[1], total_length / matches
    )
