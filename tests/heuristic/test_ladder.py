"""The skill ladder: each level beats the one below it (small maps here; the large table in
docs/heuristic.md comes from the slow test / `echelon eval --ladder`)."""

from __future__ import annotations

import pytest

from echelon import EnvConfig
from echelon.heuristic import play_matches, wilson_interval


def test_wilson_interval_matches_hand_computed_values() -> None:
    # 8 of 10 at z = 1.96: centre (0.8 + 0.19208) / 1.38416, half-width from the Wilson formula.
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0
    with pytest.raises(ValueError):
        wilson_interval(3, 0)


def test_match_needs_core_controllers() -> None:
    with pytest.raises(ValueError, match="blue must be a core controller"):
        play_matches(EnvConfig(map_size=(40, 40, 12), red="heuristic:1"), matches=2)


def ladder(matches: int, size: tuple[int, int, int], worlds: int) -> None:
    for level in range(1, 5):
        cfg = EnvConfig(map_size=size, blue=f"heuristic:{level}", red=f"heuristic:{level - 1}")
        r = play_matches(cfg, matches=matches, worlds=worlds, seed=11)
        assert r.matches == matches
        lo, _ = r.score_interval()
        assert r.wins > r.losses and lo > 0.5, f"level {level} vs {level - 1}: {r}"


def test_each_level_beats_the_one_below_small_maps() -> None:
    ladder(matches=192, size=(48, 48, 12), worlds=32)


@pytest.mark.slow
def test_each_level_beats_the_one_below_default_maps() -> None:
    ladder(matches=400, size=(100, 100, 20), worlds=64)
