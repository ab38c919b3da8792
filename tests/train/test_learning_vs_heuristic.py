"""Learning evidence against the weakest scripted opponent (heuristic:0, the walker).

The `default` preset's setting (48x48 maps, 30 s episodes, 16 worlds, T=64, 64-unit model,
lr 1e-3) on one torch thread. The default-suite test checks that the episode return rises
clearly within 30 updates; the `slow` one that the learner goes from never winning to
winning a clear share of its evaluation matches.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from echelon.train import cli
from echelon.train.config import PRESETS, merge, resolve_config
from echelon.train.trainer import Trainer


def _real_env_available() -> bool:
    try:
        import echelon

        return hasattr(echelon, "VecEnv")
    except ImportError:
        return False


pytestmark = pytest.mark.skipif(
    not _real_env_available(), reason="echelon.VecEnv (the C++ core) not built"
)


def _trainer(**flags: Any) -> Trainer:
    base = {"opponent": "heuristic:0", "eval_every": 0, "save_every": 0, "heatmap_every": 0}
    cfg = resolve_config("default", flags=merge(base, flags))
    return Trainer(cfg, cli.echelon_env_factory(cfg.env))


def _returns_of(history: list[dict[str, float]]) -> float:
    values = [m["rollout_episode_return"] for m in history]
    values = [v for v in values if math.isfinite(v)]
    return sum(values) / len(values)


def test_episode_return_rises_against_the_walker() -> None:
    assert PRESETS["default"]["opponent"] == "heuristic:0"
    trainer = _trainer(seed=1, curriculum={"enabled": False})
    history = trainer.train(30)
    first = _returns_of(history[:4])  # episodes last 120 steps: the first ends in update 2
    last = _returns_of(history[-3:])
    print(f"episode return vs heuristic:0: {first:.2f} -> {last:.2f}")
    assert last > max(2.0 * first, first + 3.0), (first, last)


@pytest.mark.slow
def test_win_rate_rises_against_the_walker() -> None:
    trainer = _trainer(seed=2, curriculum={"enabled": False}, eval_episodes=64, eval_worlds=16)
    before = trainer.evaluate()
    trainer.train(150)
    after = trainer.evaluate()
    print(f"eval win rate vs heuristic:0: {before['win_rate']:.2f} -> {after['win_rate']:.2f}")
    assert before["win_rate"] <= 0.05
    assert after["win_rate"] >= 0.3


@pytest.mark.slow
def test_ladder_preset_learns_to_beat_level_1() -> None:
    """The `ladder` preset (standard 100x100x20 map, curriculum from the walker) for 150 updates
    (about 3M learner agent-steps, several minutes on 2 cores; the curriculum reaches level 1
    after about 100): against heuristic:1 the evaluation win rate goes from nothing to a clear
    share. Measured on the 2-core AMD EPYC VM (64 matches): 0.00 -> 0.48 after 100 updates
    with an earlier build, 0.00 -> 0.20 after 100 with this one (the observation's sin/cos
    moved by an ulp, so the trajectory differs); after 150 updates with this build 0.00 -> 0.48
    (6 min 31 s)."""
    cfg = resolve_config(
        "ladder", flags={"eval_every": 0, "save_every": 0, "eval_episodes": 64, "eval_worlds": 32}
    )
    trainer = Trainer(cfg, cli.echelon_env_factory(cfg.env))
    before = _win_rate_against(trainer, level=1)
    trainer.train(150)
    after = _win_rate_against(trainer, level=1)
    print(f"ladder preset, eval win rate vs heuristic:1: {before:.2f} -> {after:.2f}")
    assert before <= 0.05
    assert after >= 0.25


def _win_rate_against(trainer: Trainer, level: int) -> float:
    from echelon.train.curriculum import set_red_heuristic
    from echelon.train.evaluation import evaluate_policy

    env = trainer.make_eval_env(trainer.cfg.eval_worlds, trainer.cfg.seed + 1_000_003)
    set_red_heuristic(env, level)
    result = evaluate_policy(env, trainer.model, trainer.cfg.eval_episodes, trainer.device, None)
    return float(result["win_rate"])
