"""Match runner on a fake VecEnv that follows the contract: routing, batching, state resets,
results, LRU cache, rating movement."""

from __future__ import annotations

import itertools

import pytest
import torch
from arena_fakes import FakeDuelEnv, StrengthPolicy

from echelon.arena.glicko2 import Rating, rate_period
from echelon.arena.match import MatchRunner, PolicyCache

STRENGTHS = {"weak": -0.5, "mid": 0.1, "strong": 0.7}


def make_runner(
    num_worlds: int, agents_per_team: int = 2, max_models: int = 8
) -> tuple[FakeDuelEnv, dict[str, StrengthPolicy], MatchRunner]:
    env = FakeDuelEnv(num_worlds, agents_per_team)
    policies = {pid: StrengthPolicy(s, env) for pid, s in STRENGTHS.items()}
    runner = MatchRunner(env, PolicyCache(policies.__getitem__, max_models=max_models))
    return env, policies, runner


def all_pairings(repeats: int) -> list[tuple[str, str]]:
    return [p for p in itertools.permutations(STRENGTHS, 2)] * repeats


def test_results_follow_strength_on_both_sides() -> None:
    _env, policies, runner = make_runner(num_worlds=4)
    pairings = all_pairings(repeats=3)  # 18 matches on 4 worlds: worlds change pairing
    results = runner.play(pairings)
    assert [(b, r) for b, r, _ in results] == pairings
    for blue, red, score in results:
        assert score == (1.0 if STRENGTHS[blue] > STRENGTHS[red] else 0.0)
    for policy in policies.values():
        assert policy.errors == []
        assert all(policy.inference_mode)


def test_mirror_match_is_a_draw_and_one_forward_serves_both_sides() -> None:
    _env, policies, runner = make_runner(num_worlds=2)
    results = runner.play([("mid", "mid"), ("mid", "mid")])
    assert results == [("mid", "mid", 0.5), ("mid", "mid", 0.5)]
    mid = policies["mid"]
    assert mid.errors == []
    assert len(mid.calls) == len(set(mid.calls))  # one forward per step
    assert mid.batch_sizes[0] == 2 * 4  # 2 worlds x (2 blue + 2 red)


def test_runner_resets_state_itself_at_episode_ends_and_pairing_changes() -> None:
    env = FakeDuelEnv(num_worlds=4)
    policies = {
        pid: StrengthPolicy(s, env, honour_episode_start=False) for pid, s in STRENGTHS.items()
    }
    MatchRunner(env, policies.__getitem__).play(all_pairings(repeats=3))
    for policy in policies.values():
        assert policy.calls and policy.errors == []


def test_one_batched_forward_per_policy_per_step() -> None:
    env, policies, runner = make_runner(num_worlds=6, agents_per_team=3)
    pairings = all_pairings(repeats=2)
    runner.play(pairings)
    for policy in policies.values():
        assert policy.errors == []
        assert len(policy.calls) == len(set(policy.calls)), "policy ran twice in one step"
    # At the first step all 6 worlds play the first 6 pairings (every ordered pair once):
    # each policy controls 4 slots (2 as blue, 2 as red) of 3 agents.
    first = {pid: p.batch_sizes[0] for pid, p in policies.items()}
    assert first == {"weak": 12, "mid": 12, "strong": 12}
    assert env.steps_taken == max(c for p in policies.values() for c in p.calls) + 1


def test_rows_reach_the_right_policy_and_side() -> None:
    _env, policies, runner = make_runner(num_worlds=3)
    pairings = all_pairings(repeats=2)
    runner.play(pairings)
    # In any (world, episode), each team's rows went to exactly one policy.
    owners: dict[tuple[int, int, int], list[str]] = {}
    for pid, policy in policies.items():
        for key in policy.seen:
            owners.setdefault(key, []).append(pid)
    assert all(len(v) == 1 for v in owners.values())
    # Reconstruct who played blue/red in each played episode: it is one of the pairings,
    # and each pairing was played exactly once.
    played = []
    episodes = {(w, e) for (w, e, _team) in owners}
    for w, e in sorted(episodes):
        if (w, e, 0) in owners and (w, e, 1) in owners:
            played.append((owners[(w, e, 0)][0], owners[(w, e, 1)][0]))
    assert sorted(played) == sorted(pairings)


def test_more_worlds_than_matches_and_empty_queue() -> None:
    _env, policies, runner = make_runner(num_worlds=8)
    assert runner.play([("strong", "weak")]) == [("strong", "weak", 1.0)]
    assert runner.play([]) == []
    assert policies["strong"].errors == []


def test_cache_is_bounded_lru() -> None:
    loads: list[str] = []

    def loader(pid: str) -> StrengthPolicy:
        loads.append(pid)
        return StrengthPolicy(STRENGTHS[pid])

    cache = PolicyCache(loader, max_models=2)
    first = cache.get("weak")
    cache.get("mid")
    assert cache.get("weak") is first  # hit: "weak" becomes most recent
    cache.get("strong")  # evicts "mid", the least recently used
    assert "mid" not in cache and "weak" in cache and len(cache) == 2
    cache.get("mid")
    assert loads == ["weak", "mid", "strong", "mid"]
    with pytest.raises(ValueError, match="max_models"):
        PolicyCache(loader, max_models=0)


def test_small_cache_does_not_unload_playing_policies() -> None:
    env = FakeDuelEnv(num_worlds=3)
    loads: list[str] = []

    def loader(pid: str) -> StrengthPolicy:
        loads.append(pid)
        return StrengthPolicy(STRENGTHS[pid], env)

    runner = MatchRunner(env, PolicyCache(loader, max_models=1))
    results = runner.play(all_pairings(repeats=1))
    assert all(score == (STRENGTHS[b] > STRENGTHS[r]) for b, r, score in results)
    # each policy loaded once per stretch of continuous play, not once per step
    assert len(loads) < env.steps_taken


def test_ratings_move_as_predicted() -> None:
    _env, _policies, runner = make_runner(num_worlds=5)
    ratings = {pid: Rating() for pid in STRENGTHS}
    for _ in range(4):
        results = runner.play(all_pairings(repeats=2))
        ratings = rate_period(ratings, results)
    assert ratings["strong"].mu > ratings["mid"].mu > ratings["weak"].mu
    assert ratings["strong"].rd < 350.0


def test_max_steps_guard_and_bad_pairing() -> None:
    _env, _policies, runner = make_runner(num_worlds=1)
    runner.max_steps = 2  # every fake episode lasts at least 3 steps
    with pytest.raises(RuntimeError, match="max_steps=2"):
        runner.play([("weak", "mid")])
    with pytest.raises(ValueError, match="empty policy id"):
        runner.play([("weak", "")])


def test_deterministic_flag_reaches_policies() -> None:
    env = FakeDuelEnv(num_worlds=1)
    flags: list[bool] = []

    class Recorder(StrengthPolicy):
        def act(self, obs, state, episode_start, deterministic=False):  # type: ignore[no-untyped-def]
            flags.append(deterministic)
            return super().act(obs, state, episode_start, deterministic)

    runner = MatchRunner(
        env, {"a": Recorder(0.3), "b": Recorder(0.1)}.__getitem__, deterministic=True
    )
    assert runner.play([("a", "b")]) == [("a", "b", 1.0)]
    assert flags and all(flags)
    assert torch.is_inference_mode_enabled() is False
