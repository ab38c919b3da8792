"""Heat, shutdown, venting, EWAR heat, hazards, stability, knockdown and legs (docs/game_rules.md,
"Heat" to "Stability"; change 4 of "Changes from the original game": no firing while fallen or
shut down)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from combat_helpers import HEAVY, LIGHT, MEDIUM, RED, SCOUT, Scene

R_HEAVY = HEAVY + RED
DT = 0.05


def duel(shooter: int = MEDIUM) -> Scene:
    s = Scene(keep=(shooter, R_HEAVY))
    s.place(shooter, 10.0, 20.0)
    s.place(R_HEAVY, 16.0, 20.0, yaw=math.pi)
    return s


def test_dissipation_and_vent() -> None:
    s = duel()
    s.heat[MEDIUM] = 50.0
    s.step()
    assert s.heat[MEDIUM] == pytest.approx(50.0 - 11.0 * DT)
    s.set(MEDIUM, vent=1.0)
    s.step()
    assert s.heat[MEDIUM] == pytest.approx(50.0 - 11.0 * DT - 3 * 11.0 * DT)


def test_heat_never_negative() -> None:
    s = duel()
    s.heat[MEDIUM] = 0.1
    s.set(MEDIUM, vent=1.0)
    s.step()
    assert s.heat[MEDIUM] == 0.0


def test_shutdown_above_cap_blocks_control_and_weapons() -> None:
    s = duel()
    s.heat[MEDIUM] = 100.0 + 10.0  # cap 100
    s.set(MEDIUM, primary=1.0, forward=1.0, yaw_rate=1.0, vent=1.0)
    s.step()
    assert s.hp[R_HEAVY] == 200.0  # no firing
    assert s.yaw[MEDIUM] == 0.0  # no rotation
    assert s.pos[MEDIUM][0] == pytest.approx(10.0)  # no throttle
    assert s.heat[MEDIUM] == pytest.approx(110.0 - 11.0 * DT)  # no vent while shut down
    # 10 over the cap at 11/s: powered again in the 19th substep (110 - 19 x 0.55 <= 100).
    s.step(17)
    assert s.hp[R_HEAVY] == 200.0
    s.step(1)
    assert s.hp[R_HEAVY] < 200.0


def test_shutdown_is_counted_once() -> None:
    s = duel(LIGHT)
    s.place(R_HEAVY, 14.0, 20.0, yaw=math.pi)
    s.heat[LIGHT] = 78.0  # cap 80: the flamer's 10 pushes it over
    s.set(LIGHT, primary=1.0)
    s.step()
    assert [e["type"] for e in s.events("shutdown")] == ["shutdown"]
    s.step(3)
    assert not s.events("shutdown")


def test_light_can_fire_laser_and_flamer_together() -> None:
    s = Scene(keep=(LIGHT, R_HEAVY))
    s.place(LIGHT, 10.0, 20.0)
    s.place(R_HEAVY, 14.0, 20.0, yaw=math.pi)
    s.set(LIGHT, primary=1.0, secondary=1.0)
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(200.0 - 14.0 - 4.0)
    assert s.heat[LIGHT] == pytest.approx(32.0)


@pytest.mark.parametrize(
    ("value", "ecm", "eccm", "heat"),
    [(0.3, 1, 0, 3.0 * DT), (0.8, 0, 1, 2.0 * DT), (-0.5, 0, 0, 0.0)],
)
def test_scout_ewar_selector_and_heat(value: float, ecm: int, eccm: int, heat: float) -> None:
    s = Scene(keep=(SCOUT, R_HEAVY))
    s.place(SCOUT, 10.0, 20.0)
    s.place(R_HEAVY, 30.0, 30.0)
    s.heat[SCOUT] = 20.0
    s.set(SCOUT, secondary=value)
    s.step()
    assert (s.state("ecm")[SCOUT], s.state("eccm")[SCOUT]) == (ecm, eccm)
    assert s.heat[SCOUT] == pytest.approx(20.0 + heat - 13.0 * DT)


def test_non_scouts_have_no_ewar() -> None:
    s = duel()
    s.set(MEDIUM, secondary=0.3)
    s.step()
    assert s.state("ecm")[MEDIUM] == 0


def test_sensor_quality_one_function() -> None:
    s = Scene(keep=(HEAVY, SCOUT, 9))
    s.place(HEAVY, 10.0, 20.0)
    s.place(9, 35.0, 20.0)  # red scout, 25 away: jam 0.5
    s.place(SCOUT, 10.0, 30.0)  # blue scout, 10 away: eccm 0.8
    s.set(9, secondary=0.3)
    s.set(SCOUT, secondary=0.9)
    s.step()
    q, jam, eccm = s.sim.sensor_quality(0, HEAVY)
    d_red = math.dist(s.pos[9], s.pos[HEAVY])
    d_blue = math.dist(s.pos[SCOUT], s.pos[HEAVY])
    assert jam == pytest.approx(1.0 - d_red / 50.0, abs=1e-5)
    assert eccm == pytest.approx(1.0 - d_blue / 50.0, abs=1e-5)
    assert q == pytest.approx(1.0 - 0.85 * jam + 0.65 * eccm, abs=1e-5)
    _q_self, _, eccm_self = s.sim.sensor_quality(0, SCOUT)
    assert eccm_self == 1.0  # own ECCM helps itself
    s.heat[HEAVY] = 1000.0
    assert s.sim.sensor_quality(0, HEAVY)[0] == pytest.approx(0.25)  # shut down: sensors off


def floor_scene(material: int) -> Scene:
    s = duel()
    s.place(R_HEAVY, 35.0, 35.0)
    s.sim.set_voxel(0, 10, 20, 0, material)
    return s


def test_lava_heats_and_burns() -> None:
    s = floor_scene(2)
    s.step()
    assert s.heat[MEDIUM] == pytest.approx(40.0 * DT - 11.0 * DT)
    assert s.hp[MEDIUM] == pytest.approx(150.0 - 5.0 * DT)


def test_lava_kill_is_a_hazard_death() -> None:
    s = floor_scene(2)
    s.alive[HEAVY] = 1
    s.place(HEAVY, 3.0, 36.0)  # a spectator so blue is not eliminated
    s.hp[MEDIUM] = 0.2
    s.step()
    assert not s.alive[MEDIUM]
    (kill,) = s.events("kill")
    assert kill["shooter"] == -1 and kill["weapon"] == "lava"
    assert s.last[2][0, MEDIUM]  # terminated in the step it died
    assert s.reward(MEDIUM) == pytest.approx(-1.0)


def test_water_cools() -> None:
    s = floor_scene(3)
    s.heat[MEDIUM] = 10.0
    s.step()
    assert s.heat[MEDIUM] == pytest.approx(10.0 - 30.0 * DT - 11.0 * DT)


def test_knockdown_and_stand_up() -> None:
    s = duel()
    s.stability[MEDIUM] = 0.0
    s.set(MEDIUM, forward=1.0, yaw_rate=1.0, primary=1.0)
    s.step()
    assert s.fallen[MEDIUM] == 60  # 3 s
    assert s.hp[R_HEAVY] == 200.0  # no firing while fallen (change 4)
    assert s.pos[MEDIUM][0] == pytest.approx(10.0) and s.yaw[MEDIUM] == 0.0
    s.step(59)
    assert s.fallen[MEDIUM] == 1 and s.hp[R_HEAVY] == 200.0
    s.step()
    assert s.fallen[MEDIUM] == 0
    assert s.stability[MEDIUM] == pytest.approx(50.0)
    assert s.hp[R_HEAVY] < 200.0  # stood up and fired in the same substep


def test_gauss_knocks_down_after_two_hits() -> None:
    s = Scene(keep=(HEAVY, MEDIUM + RED), decision_repeat=1)
    s.place(HEAVY, 10.0, 20.0)
    s.place(MEDIUM + RED, 20.0, 20.0, yaw=math.pi)
    s.stability[MEDIUM + RED] = 50.0  # one 60-stability hit takes it to 0
    s.set(HEAVY, tertiary=1.0)
    s.step()
    s.clear_actions()
    knocked = False
    for _ in range(20):
        s.step()
        knocked |= bool(s.events("knockdown"))
    assert knocked and s.fallen[MEDIUM + RED] > 0


def test_stability_regeneration_rates() -> None:
    s = duel()
    s.stability[MEDIUM] = 40.0
    s.step()
    assert s.stability[MEDIUM] == pytest.approx(40.0 + 10.0 * DT)
    s.state("suppress_ticks")[MEDIUM] = 10
    s.step()
    assert s.stability[MEDIUM] == pytest.approx(40.0 + 10.0 * DT + 10.0 * DT * 0.25)


def test_legged_caps_stability_at_50() -> None:
    s = duel()
    s.leg_hp[MEDIUM] = 0.0
    s.stability[MEDIUM] = 80.0
    s.step()
    assert s.stability[MEDIUM] == pytest.approx(50.0)


def test_standing_on_a_debris_field_heats_and_burns() -> None:
    # A debris field blocks movement, so a mech stands on top of it (the reference only looked
    # inside the feet voxel, so this hazard never fired there).
    s = duel()
    s.place(R_HEAVY, 35.0, 35.0)
    s.sim.set_voxel(0, 10, 20, 0, 4)  # DEBRIS_FIELD under the medium
    s.place(MEDIUM, 10.5, 20.5, z=1.0 + 1.5)
    s.step()
    assert s.heat[MEDIUM] == pytest.approx(20.0 * DT - 11.0 * DT)
    assert s.hp[MEDIUM] == pytest.approx(150.0 - 1.25 * DT)
    s.sim.set_voxel(0, 10, 20, 0, 5)  # SOLID_DEBRIS: a hard wreck is no hazard
    hp = float(s.hp[MEDIUM])
    s.step()
    assert s.hp[MEDIUM] == pytest.approx(hp)


def test_a_dead_mech_leaves_a_wreck_of_its_box() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY, RED + SCOUT))  # a red spectator: no elimination, no reset
    s.place(MEDIUM, 10.0, 20.0)
    s.place(RED + SCOUT, 5.0, 35.0)
    s.place(R_HEAVY, 30.5, 30.5)
    s.hp[R_HEAVY] = 0.1
    s.sim.set_voxel(0, 30, 30, 0, 2)  # lava under the red heavy: it dies this substep
    _, _, term, _, info = s.step()
    assert not s.alive[R_HEAVY] and term[0, R_HEAVY] and not info["episode_end"][0]
    vox, hp = s.sim.voxels(0), s.sim.voxel_hp(0)
    box = vox[0:4, 28:33, 28:33]  # heavy box [28.75, 32.25] x [28.75, 32.25] x [0, 4]
    wreck = set(np.unique(box[box != 0]).tolist())
    assert wreck in ({5, 2}, {4, 2}), "one hull material (solid debris or debris field), lava kept"
    hull = (wreck - {2}).pop()
    assert (hp[vox == hull] == {5: 200.0, 4: 50.0}[hull]).all(), "wreck HP follows the material"
    assert (box[1:] == hull).all(), "every air voxel of the box above the floor is wreck"
