"""Reward terms with their fixes (docs/game_rules.md, "Rewards"; each test fails on the original's
behaviour), zone scoring, win conditions and the terminated / truncated flags."""

from __future__ import annotations

import math

import pytest
from combat_helpers import HEAVY, LIGHT, MEDIUM, RED, SCOUT, Scene

R_HEAVY, R_MEDIUM, R_SCOUT = HEAVY + RED, MEDIUM + RED, SCOUT + RED


def laser_duel(**kw: object) -> Scene:
    s = Scene(keep=(MEDIUM, R_HEAVY, R_SCOUT), **kw)  # type: ignore[arg-type]
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 16.0, 20.0, yaw=math.pi)
    s.place(R_SCOUT, 35.0, 35.0)  # spectator: red is not eliminated by a kill
    s.set(MEDIUM, primary=1.0)
    return s


def test_damage_reward() -> None:
    s = laser_duel()
    s.step()
    assert s.reward(MEDIUM) == pytest.approx(0.05 * 14.0)


def test_overkill_is_capped_at_remaining_hp() -> None:
    s = laser_duel()
    s.hp[R_HEAVY] = 1.0
    s.step()
    assert s.reward(MEDIUM) == pytest.approx(0.05 * 1.0 + 10.0)  # reference: 0.05 x 14 + 10
    assert s.reward(R_HEAVY) == pytest.approx(-1.0)
    assert s.last[2][0, R_HEAVY] and not s.last[3][0, R_HEAVY]
    assert not s.last[4]["episode_end"][0]


def test_dead_agent_rows_are_padding_after_death() -> None:
    s = laser_duel()
    s.hp[R_HEAVY] = 1.0
    s.step()
    s.step()
    _, rew, term, trunc, info = s.last
    assert not info["alive"][0, R_HEAVY]
    assert rew[0, R_HEAVY] == 0.0 and not term[0, R_HEAVY] and not trunc[0, R_HEAVY]


def test_contested_multiplier_from_start_of_step_and_death_discount() -> None:
    s = laser_duel()
    s.sim.set_zone(0, 13.0, 20.0, 5.0)  # both inside: contested
    s.hp[R_HEAVY] = 1.0
    s.step()
    # Killer: (0.05 x 1 + 10) x 2 plus nothing else (zone weight 0). Victim: -1 x 0.5 — the
    # reference gives -1 because the dead were never counted as in the zone.
    assert s.reward(MEDIUM) == pytest.approx(2.0 * (0.05 + 10.0))
    assert s.reward(R_HEAVY) == pytest.approx(-0.5)


def test_friendly_fire_kill_is_penalised() -> None:
    s = Scene(keep=(HEAVY, SCOUT, R_SCOUT, R_HEAVY))
    s.place(HEAVY, 10.0, 20.0)
    s.place(R_SCOUT, 20.0, 20.0, yaw=math.pi)
    s.place(SCOUT, 20.0, 21.3)
    s.place(R_HEAVY, 35.0, 35.0)
    s.hp[SCOUT] = 5.0
    s.alive[LIGHT] = 1
    s.place(LIGHT, 3.0, 36.0)  # keeps blue alive
    s.set(HEAVY, tertiary=1.0)
    s.step()
    s.clear_actions()
    total = 0.0
    for _ in range(10):
        s.step()
        total += s.reward(HEAVY)
    assert not s.alive[SCOUT]
    # enemy damage 50 (+2.5), friendly damage capped at 5 (-0.25), team kill -10 (the reference
    # credited this as +10 kill and +1.25 damage).
    assert total == pytest.approx(2.5 - 0.25 - 10.0, abs=1e-4)


def test_assist_paid_once_per_kill_not_per_hit() -> None:
    s = laser_duel()
    s.alive[SCOUT] = 1
    s.place(SCOUT, 3.0, 3.0)
    s.state("paint_ticks")[R_HEAVY] = 100
    s.state("painter")[R_HEAVY] = SCOUT
    s.step()
    assert s.reward(SCOUT) == pytest.approx(0.0)  # a painted hit pays no assist (reference: +5)
    s.hp[R_HEAVY] = 1.0
    s.state("cd_laser")[MEDIUM] = 0
    s.step()
    assert s.reward(SCOUT) == pytest.approx(5.0)
    assert len(s.events("assist")) == 1


def test_approach_shaping_is_potential_based() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY), rewards={"approach": 1.5, "gamma": 0.9})
    s.sim.set_zone(0, 30.0, 20.0, 5.0)
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 38.0, 38.0)
    s.set(MEDIUM, forward=1.0)
    x0 = float(s.pos[MEDIUM][0])
    s.step()
    x1 = float(s.pos[MEDIUM][0])
    phi0, phi1 = -(30.0 - 5.0 - x0) / 40.0, -(30.0 - 5.0 - x1) / 40.0
    assert s.reward(MEDIUM) == pytest.approx(1.5 * (0.9 * phi1 - phi0), abs=1e-5)


def test_team_mixing() -> None:
    s = laser_duel(rewards={"team_mix": 0.5})
    s.alive[SCOUT] = 1
    s.place(SCOUT, 3.0, 3.0)
    s.step()
    own = 0.05 * 14.0
    assert s.reward(MEDIUM) == pytest.approx(0.5 * own + 0.5 * own / 2)
    assert s.reward(SCOUT) == pytest.approx(0.5 * 0.0 + 0.5 * own / 2)


def test_terminal_win_loss_and_late_terminal_for_the_dead() -> None:
    s = Scene(keep=(MEDIUM, SCOUT, R_HEAVY), rewards={"win": 1.0, "loss": -1.0})
    s.place(MEDIUM, 10.0, 20.0)
    s.place(SCOUT, 3.0, 3.0)
    s.place(R_HEAVY, 16.0, 20.0, yaw=math.pi)
    s.hp[SCOUT] = 0.0  # killed by lava below so it dies first
    s.sim.set_voxel(0, 3, 3, 0, 2)
    s.step()
    assert not s.alive[SCOUT]
    s.hp[R_HEAVY] = 1.0
    s.set(MEDIUM, primary=1.0)
    s.step()
    _, rew, term, trunc, info = s.last
    assert info["episode_end"][0] and int(info["winner"][0]) == 0
    assert rew[0, MEDIUM] == pytest.approx(0.05 + 10.0 + 1.0)
    assert rew[0, R_HEAVY] == pytest.approx(-1.0 - 1.0)
    assert term[0, MEDIUM] and term[0, R_HEAVY] and not trunc[0, MEDIUM]
    late = info["late_terminal"][0]  # the scout died earlier: its win share, for its death row
    assert late[SCOUT].item() == pytest.approx(1.0)
    assert late[MEDIUM].item() == 0.0 and late[R_HEAVY].item() == 0.0  # paid in `rew` instead


def test_zone_tick_alone_and_contested() -> None:
    s = Scene(keep=(HEAVY, R_SCOUT), rewards={"zone_tick": 3.0})
    s.sim.set_zone(0, 20.0, 20.0, 6.0)
    s.place(HEAVY, 20.0, 20.0)
    s.place(R_SCOUT, 35.0, 35.0)
    s.step()
    assert s.sim.zone_scores(0) == pytest.approx((0.05, 0.0))  # tick 1 x 0.05 s
    assert s.reward(HEAVY) == pytest.approx(3.0)
    s.place(R_SCOUT, 23.0, 20.0)
    s.step()
    m = (85.0 - 20.0) / 105.0
    tb, tr = 0.25 + 0.75 * m, 0.25
    assert s.sim.zone_scores(0) == pytest.approx((0.05 + 0.05 * tb, 0.05 * tr), abs=1e-6)
    assert s.reward(HEAVY) == pytest.approx(3.0 * tb)
    assert s.reward(R_SCOUT) == pytest.approx(3.0 * tr)


def test_zone_win_terminates_every_alive_agent() -> None:
    s = Scene(keep=(HEAVY, R_SCOUT), decision_repeat=5, max_episode_seconds=4.0)
    s.sim.set_zone(0, 20.0, 20.0, 6.0)
    s.place(HEAVY, 20.0, 20.0)
    s.place(R_SCOUT, 35.0, 35.0)
    s.step(8)  # 8 x 0.25 s = 2 s = half the episode
    _, _, term, trunc, info = s.last
    assert info["episode_end"][0] and int(info["winner"][0]) == 0
    assert term[0, HEAVY] and term[0, R_SCOUT] and not trunc.any()
    st = s.stats()
    assert st["end_reason"] == 1.0 and st["length"] == 8.0


def test_elimination_win_and_stats() -> None:
    s = laser_duel()
    s.alive[R_SCOUT] = 0
    s.hp[R_HEAVY] = 1.0
    s.step()
    _, _, _term, _, info = s.last
    assert info["episode_end"][0] and int(info["winner"][0]) == 0
    st = s.stats()
    assert st["end_reason"] == 2.0
    assert st["kills_blue"] == 1.0 and st["deaths_red"] == 1.0
    assert (
        st["damage_blue"] == pytest.approx(1.0)
        and st["shots_blue"] == 1.0
        and st["hits_blue"] == 1.0
    )


def test_time_limit_truncates() -> None:
    s = Scene(keep=(HEAVY, R_SCOUT), decision_repeat=5, max_episode_seconds=1.0)
    s.place(HEAVY, 10.0, 10.0)
    s.place(R_SCOUT, 35.0, 35.0)
    s.step(4)
    _, _, term, trunc, info = s.last
    assert info["episode_end"][0]
    assert trunc[0, HEAVY] and trunc[0, R_SCOUT] and not term.any()
    assert s.stats()["end_reason"] == 3.0
    # A draw on score, decided by remaining HP: blue 200 vs red 60.
    assert int(info["winner"][0]) == 0


def test_events_and_comm_messages() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY))
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 30.0, 30.0)
    s.actions[0, MEDIUM, s.env.action_layout["comm"].slice] = 0.25
    s.step()
    assert s.sim.comm_messages(0)[MEDIUM].tolist() == [0.25] * 8
    assert s.sim.comm_messages(0)[LIGHT].tolist() == [0.0] * 8  # removed agent: zeros
