"""LeagueOpponent on its own: per-world per-episode sampling, batched forwards that equal
per-world reference runs, LSTM resets, the bounded cache, result bookkeeping, state dicts."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
import torch
from _league_helpers import make_league
from _train_toy_envs import ZoneWalkEnv

from echelon.arena.glicko2 import Rating, rate
from echelon.arena.league import LeagueStore
from echelon.rl.lstm_state import LSTMState
from echelon.train.checkpoint import load_policy
from echelon.train.league_opponent import (
    LeagueOpponent,
    LeagueTrainConfig,
    UpdateReport,
    build_league_opponent,
    parse_league_opponent,
)
from tolerance import assert_close_f32

PER_TEAM = 2


def _opponent(league: Path, seed: int = 0, **config: Any) -> LeagueOpponent:
    cfg = LeagueTrainConfig(**config)
    gen = torch.Generator().manual_seed(seed)
    return build_league_opponent(league, cfg, PER_TEAM, 7, 2, torch.device("cpu"), gen, seed=seed)


def _drive(opp: LeagueOpponent, env: ZoneWalkEnv, steps: int) -> list[dict[str, Any]]:
    """Play ``steps`` steps with idle blue; log what the opponent saw and decided."""
    obs = env.reset()
    red = env.team_slices["red"]
    world_start = torch.ones(env.num_worlds, dtype=torch.bool)
    opp.reset(env.num_worlds * PER_TEAM, torch.device("cpu"))
    log = []
    for _ in range(steps):
        before = list(opp.assignment)
        red_obs = obs[:, red].reshape(-1, env.obs_dim).clone()
        actions = torch.zeros(env.num_worlds, env.num_agents, env.action_dim)
        red_act = opp.act(red_obs, world_start.repeat_interleave(PER_TEAM))
        actions[:, red] = red_act.view(env.num_worlds, PER_TEAM, -1)
        log.append(
            {
                "start": world_start.clone(),
                "before": before,
                "after": list(opp.assignment),
                "obs": red_obs,
                "actions": red_act.clone(),
                "cache": len(opp.cache),
            }
        )
        obs, _, _, _, info = env.step(actions)
        opp.episodes_ended(info["episode_end"], info["winner"])
        log[-1]["ended"] = info["episode_end"].clone()
        log[-1]["winner"] = info["winner"].clone()
        world_start = info["episode_end"].clone()
    return log


def test_opponents_change_only_at_episode_starts_and_every_start_draws(tmp_path: Path) -> None:
    league = make_league(tmp_path)
    opp = _opponent(league, mode="uniform")
    env = ZoneWalkEnv(6, seed=1, per_team=PER_TEAM, max_steps=5, hazard=0.05)
    log = _drive(opp, env, 40)
    changed_at_start = 0
    for t, step in enumerate(log):
        for w in range(env.num_worlds):
            if t == 0 or bool(step["start"][w]):
                assert step["after"][w] in {"a", "b", "c"}
                changed_at_start += step["after"][w] != step["before"][w]
            else:
                assert step["after"][w] == step["before"][w], (t, w)
    starts = env.num_worlds + sum(int(s["start"].sum()) for s in log[1:])
    assert opp.samples_drawn == starts  # one draw per world per episode, nothing else
    assert starts > 3 * env.num_worlds  # several episodes per world
    assert changed_at_start > env.num_worlds  # resampling really changes opponents
    worlds_per_step = [len(set(s["after"])) for s in log]
    assert max(worlds_per_step) >= 2  # several opponents in play in one step


def test_batched_actions_equal_per_world_reference_runs(tmp_path: Path) -> None:
    """Deterministic opponents: each world's red actions must equal running its assigned
    policy alone on that world, from a zero state at each of its episode starts. This fails
    if rows are mixed up between worlds or a world keeps an old episode's LSTM state."""
    league = make_league(tmp_path)
    opp = _opponent(league, mode="uniform", deterministic=True)
    env = ZoneWalkEnv(5, seed=2, per_team=PER_TEAM, max_steps=4, hazard=0.0)
    log = _drive(opp, env, 24)
    store = LeagueStore(league)
    models = {i: load_policy(store.checkpoint_path(i))[0] for i in ("a", "b", "c")}
    ref_state: dict[int, LSTMState] = {}
    for t, step in enumerate(log):
        for w in range(env.num_worlds):
            model = models[step["after"][w]]
            if t == 0 or bool(step["start"][w]):
                ref_state[w] = model.initial_state(PER_TEAM, torch.device("cpu"))
            rows = slice(w * PER_TEAM, (w + 1) * PER_TEAM)
            with torch.no_grad():
                out, ref_state[w] = model(
                    step["obs"][rows], ref_state[w], torch.zeros(PER_TEAM, dtype=torch.bool)
                )
            expected = model.distribution(out).mode()
            assert_close_f32(step["actions"][rows], expected)


def test_world_switching_back_to_an_opponent_starts_from_a_fresh_state(tmp_path: Path) -> None:
    """The per-opponent state rows of a world hold its last episode against that opponent;
    the forward must never see them again (explicit reset at each episode start)."""
    league = make_league(tmp_path, ids=("a", "b"))
    opp = _opponent(league, mode="uniform")
    seen: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []

    def spy(module: torch.nn.Module, args: tuple[Any, ...]) -> None:
        _obs, state, start = args
        seen.append((state.h.clone(), state.c.clone(), start.clone()))

    for opp_id in ("a", "b"):
        opp.cache.get(opp_id).register_forward_pre_hook(spy)  # type: ignore[attr-defined]
    env = ZoneWalkEnv(4, seed=3, per_team=PER_TEAM, max_steps=3, hazard=0.0)
    _drive(opp, env, 30)
    starts = [(h, c, s) for h, c, s in seen if bool(s.any())]
    assert starts
    for h, c, s in starts:
        assert float(h[:, s].abs().max()) == 0.0 and float(c[:, s].abs().max()) == 0.0
    carried = [h[:, ~s] for h, _, s in seen if bool((~s).any())]
    assert any(float(x.abs().max()) > 0 for x in carried)  # state really carries otherwise


def test_cache_stays_bounded_and_evicted_idle_policies_are_freed(tmp_path: Path) -> None:
    league = make_league(tmp_path, ids=("a", "b", "c"))
    store = LeagueStore(league)
    alive: list[weakref.ref[torch.nn.Module]] = []

    def loader(entry_id: str) -> torch.nn.Module:
        model = load_policy(store.checkpoint_path(entry_id))[0]
        alive.append(weakref.ref(model))
        return model

    cfg = LeagueTrainConfig(mode="uniform", max_models=1)
    opp = build_league_opponent(
        league, cfg, PER_TEAM, 7, 2, torch.device("cpu"), torch.Generator(), 0, loader=loader
    )
    env = ZoneWalkEnv(2, seed=4, per_team=PER_TEAM, max_steps=3, hazard=0.0)
    log = _drive(opp, env, 60)
    assert max(s["cache"] for s in log) == 1
    assert opp.cache.loads > 3  # evicted opponents had to be loaded again
    gc.collect()
    live = sum(ref() is not None for ref in alive)
    # Only the cached one and those still playing in some world are kept alive.
    assert live <= 1 + len(opp.in_play) <= 1 + env.num_worlds
    assert live < len(alive)


def test_results_are_tallied_against_the_world_opponent(tmp_path: Path) -> None:
    league = make_league(tmp_path)
    opp = _opponent(league, mode="uniform")
    env = ZoneWalkEnv(6, seed=5, per_team=PER_TEAM, max_steps=6, hazard=0.05)
    log = _drive(opp, env, 30)
    expected: dict[str, list[int]] = {}
    for step in log:
        for w in torch.nonzero(step["ended"]).flatten().tolist():
            column = {0: 0, -1: 1, 1: 2}[int(step["winner"][w])]
            expected.setdefault(step["after"][w], [0, 0, 0])[column] += 1
    report = opp.end_update()
    assert report.games == expected
    assert sum(map(sum, expected.values())) == sum(int(s["ended"].sum()) for s in log)
    assert opp.end_update().games == {}  # each game is reported once
    # The learner's rating estimate is one Glicko-2 period from the prior.
    ratings = {e.id: e.rating for e in LeagueStore(league).load().entries.values()}
    manual = rate(Rating(), [(ratings[i], s) for i, s in opp.recent])
    assert report.learner_rating == manual


def test_a_distributed_update_reports_every_ranks_games(tmp_path: Path) -> None:
    """``end_update(gather)``: the rank's games of the update are replaced by the job's (what
    ``gather`` returns, as the trainer's all-gather would), in the report and in the learner's
    window, on top of the window as it stood before the update."""
    league = make_league(tmp_path)
    opp = _opponent(league, mode="uniform")
    env = ZoneWalkEnv(6, seed=5, per_team=PER_TEAM, max_steps=6, hazard=0.05)
    _drive(opp, env, 12)
    opp.end_update()
    before = list(opp.recent)
    _drive(opp, env, 12)
    mine = list(opp.fresh)
    assert mine and list(opp.recent)[-len(mine) :] == mine
    ids = sorted({i for i, _ in mine})
    others = [(ids[0], 1.0), (ids[-1], 0.5), (ids[0], 0.0)]
    report = opp.end_update(gather=lambda games: [*games, *others])
    assert list(opp.recent) == [*before, *mine, *others][-opp.config.rating_window :]
    everyone = [*mine, *others]
    assert sum(map(sum, report.games.values())) == len(everyone)
    for opp_id in ids:
        scores = [s for i, s in everyone if i == opp_id]
        assert report.games[opp_id] == [scores.count(1.0), scores.count(0.5), scores.count(0.0)]
    ratings = {e.id: e.rating for e in LeagueStore(league).load().entries.values()}
    assert report.learner_rating == rate(Rating(), [(ratings[i], s) for i, s in opp.recent])
    assert opp.fresh == [] and opp.settled == list(opp.recent)


def test_update_report_metrics_by_hand() -> None:
    report = UpdateReport(
        games={"a": [3, 1, 0], "b": [0, 0, 2], "x": [1, 0, 1]},
        kinds={"a": "commander", "b": "commander", "x": "exploiter"},
        learner_rating=Rating(1550.0, 80.0, 0.06),
        pool_size=3,
    )
    m = report.metrics()
    assert m["win_rate/a"] == 0.75 and m["win_rate/b"] == 0.0 and m["win_rate/x"] == 0.5
    assert m["games/a"] == 4.0
    assert m["win_rate_vs_commander"] == 3 / 6 and m["win_rate_vs_exploiter"] == 0.5
    assert m["games"] == 8.0 and m["win_rate"] == 4 / 8 and m["draw_rate"] == 1 / 8
    assert (m["opponents"], m["pool_size"], m["learner_mu"]) == (3.0, 3.0, 1550.0)


def test_state_dict_round_trip_continues_identically(tmp_path: Path) -> None:
    league = make_league(tmp_path)
    env_a = ZoneWalkEnv(4, seed=6, per_team=PER_TEAM, max_steps=4, hazard=0.02)
    opp_a = _opponent(league, seed=9)
    _drive(opp_a, env_a, 10)
    meta, tensors = opp_a.state_dict()
    env_state = env_a.state_dict()
    gen_state = opp_a.generator.get_state()
    opp_a.end_update()

    opp_b = _opponent(league, seed=123)  # different seed: everything must come from the dict
    opp_b.reset(env_a.num_worlds * PER_TEAM, torch.device("cpu"))
    opp_b.load_state_dict(meta, tensors, restore_play=True)
    opp_b.generator.set_state(gen_state)
    assert opp_b.assignment == opp_a.assignment and opp_b.recent == opp_a.recent

    def cont(opp: LeagueOpponent) -> list[torch.Tensor]:
        env = ZoneWalkEnv(4, seed=0, per_team=PER_TEAM, max_steps=4, hazard=0.02)
        env.load_state_dict(env_state)
        obs = env._obs()
        out = []
        start = torch.zeros(4, dtype=torch.bool)
        for _ in range(12):
            red = obs[:, 2:].reshape(-1, 7)
            a = opp.act(red, start.repeat_interleave(PER_TEAM))
            actions = torch.zeros(4, 4, 2)
            actions[:, 2:] = a.view(4, 2, 2)
            obs, _, _, _, info = env.step(actions)
            start = info["episode_end"].clone()
            out.append(a)
        return out

    opp_c = _opponent(league, seed=123)
    opp_c.reset(env_a.num_worlds * PER_TEAM, torch.device("cpu"))
    opp_c.load_state_dict(meta, tensors, restore_play=True)
    opp_c.generator.set_state(gen_state)
    for x, y in zip(cont(opp_b), cont(opp_c), strict=True):
        assert torch.equal(x, y)
    assert opp_b.sampler.rng.bit_generator.state == opp_c.sampler.rng.bit_generator.state
    # Without the env state only the sampler and window continue; worlds redraw.
    opp_d = _opponent(league, seed=123)
    opp_d.reset(env_a.num_worlds * PER_TEAM, torch.device("cpu"))
    opp_d.load_state_dict(meta, tensors, restore_play=False)
    assert opp_d.assignment == [None] * 4
    assert opp_d.sampler.rng.bit_generator.state == meta["sampler_rng"]


def test_bad_inputs_are_named(tmp_path: Path) -> None:
    assert parse_league_opponent("league:runs/l.json") == "runs/l.json"
    assert parse_league_opponent("self") is None
    with pytest.raises(ValueError, match="give the league file"):
        parse_league_opponent("league:")
    with pytest.raises(ValueError, match=r"league\.mode"):
        LeagueTrainConfig(mode="easy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"league\.max_models"):
        LeagueTrainConfig(max_models=0)
    empty = tmp_path / "empty.json"
    LeagueStore.create(empty)
    with pytest.raises(ValueError, match="no active entries"):
        _opponent(empty)
    league = make_league(tmp_path, obs_dim=5)
    opp = _opponent(league)
    with pytest.raises(ValueError, match="obs_dim/action_dim"):
        opp.act(torch.zeros(4, 7), torch.ones(4, dtype=torch.bool))
