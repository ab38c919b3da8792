"""Laser, flamer and painter: damage, range, arc, cooldown, heat and the LOS rule, against
hand-computed values (docs/game_rules.md, "Weapons"; integer-tick cooldowns per "Time")."""

from __future__ import annotations

import math

import pytest
from combat_helpers import HEAVY, LIGHT, MEDIUM, RED, SCOUT, Scene

R_HEAVY, R_MEDIUM, R_LIGHT, R_SCOUT = HEAVY + RED, MEDIUM + RED, LIGHT + RED, SCOUT + RED


def laser_scene(distance: float, bearing_deg: float = 0.0, target_yaw: float = math.pi) -> Scene:
    """Blue medium at (10, 20) facing +x; red heavy at `distance` along `bearing_deg`."""
    s = Scene(keep=(MEDIUM, R_HEAVY))
    s.place(MEDIUM, 10.0, 20.0, yaw=0.0)
    b = math.radians(bearing_deg)
    s.place(R_HEAVY, 10.0 + distance * math.cos(b), 20.0 + distance * math.sin(b), yaw=target_yaw)
    s.set(MEDIUM, primary=1.0)
    return s


def test_laser_damage_and_heat() -> None:
    s = laser_scene(6.0)
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(200.0 - 14.0)
    # Dissipation runs before the weapons phase: after one substep the heat is exactly the shot's.
    assert s.heat[MEDIUM] == pytest.approx(22.0)
    assert s.heat[R_HEAVY] == pytest.approx(6.0)  # heat transfer to the target
    hits = s.events("weapon_hit")
    assert (
        len(hits) == 1 and hits[0]["weapon"] == "laser" and hits[0]["value"] == pytest.approx(14.0)
    )
    s.clear_actions()
    s.step()
    assert s.heat[MEDIUM] == pytest.approx(22.0 - 11.0 * 0.05)


@pytest.mark.parametrize(("distance", "hit"), [(7.97, True), (8.0, False)])  # 3-D: dz = 0.5
def test_laser_range(distance: float, hit: bool) -> None:
    s = laser_scene(distance)
    s.step()
    assert (s.hp[R_HEAVY] < 200.0) == hit


@pytest.mark.parametrize(
    ("bearing", "hit"), [(59.0, True), (61.0, False), (-59.0, True), (-61.0, False)]
)
def test_laser_arc_is_120_degrees(bearing: float, hit: bool) -> None:
    s = laser_scene(6.0, bearing_deg=bearing)
    s.step()
    assert (s.hp[R_HEAVY] < 200.0) == hit


def test_laser_cooldown_is_12_ticks() -> None:
    s = laser_scene(6.0)
    s.step(12)  # fires at substep 1, ready again at substep 13
    assert s.hp[R_HEAVY] == pytest.approx(186.0)
    assert s.state("cd_laser")[MEDIUM] == 1
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(172.0)


def test_laser_needs_los_solid_blocks_glass_does_not() -> None:
    s = laser_scene(6.0)
    s.wall_x(13)  # SOLID between x=10 and x=16
    s.step()
    assert s.hp[R_HEAVY] == 200.0 and s.heat[MEDIUM] == 0.0  # no target: no shot, no heat
    assert s.state("cd_laser")[MEDIUM] == 0
    s2 = laser_scene(6.0)
    s2.wall_x(13, material=7)  # GLASS: see-through
    s2.step()
    assert s2.hp[R_HEAVY] == pytest.approx(186.0)


def test_smoke_blocks_laser_los() -> None:
    s = laser_scene(6.0)
    s.sim.add_smoke(0, 13.0, 20.0, 1.5, 1.0, 100)
    s.step()
    assert s.hp[R_HEAVY] == 200.0


def test_rear_hit_multiplier() -> None:
    s = laser_scene(6.0, target_yaw=0.0)  # target faces away from the shooter
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(200.0 - 21.0)
    assert s.events("weapon_hit")[0]["crit"]


def test_rear_arc_boundary_is_45_degrees() -> None:
    s = laser_scene(6.0, target_yaw=math.radians(50.0))
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(186.0)


def test_paint_bonus_from_pack_mate() -> None:
    s = laser_scene(6.0)
    s.state("paint_ticks")[R_HEAVY] = 50
    s.state("painter")[R_HEAVY] = SCOUT  # blue scout, same pack as the shooter
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(200.0 - 14.0 * 1.1, rel=1e-5)
    assert s.events("weapon_hit")[0]["painted"]


def test_paint_bonus_not_from_other_pack() -> None:
    s = Scene(keep=(MEDIUM, 10 + 0), packs=2, size=(48, 48, 12))
    s.place(MEDIUM, 10.0, 20.0)
    s.place(10, 16.0, 20.0, yaw=math.pi)  # red heavy (agents 10..19 are red with 2 packs)
    s.state("paint_ticks")[10] = 50
    s.state("painter")[10] = 9  # blue scout of pack 1
    s.set(MEDIUM, primary=1.0)
    s.step()
    assert s.hp[10] == pytest.approx(186.0)


def test_leg_hit_takes_leg_hp_and_half_body() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY), combat={"leg_hit_chance": 1.0})
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 16.0, 20.0, yaw=math.pi)
    s.set(MEDIUM, primary=1.0)
    s.step()
    assert s.leg_hp[R_HEAVY] == pytest.approx(100.0 - 14.0)
    assert s.hp[R_HEAVY] == pytest.approx(200.0 - 7.0)
    assert s.events("weapon_hit")[0]["leg"]


def test_leg_hit_rate_is_about_ten_percent() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY), combat={"leg_hit_chance": 0.1})
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 16.0, 20.0, yaw=math.pi)
    s.set(MEDIUM, primary=1.0)
    legs = 0
    for _ in range(40):
        s.hp[R_HEAVY] = 200.0
        s.leg_hp[R_HEAVY] = 1000.0
        s.heat[MEDIUM] = 0.0
        s.state("cd_laser")[MEDIUM] = 0
        s.step()
        legs += s.leg_hp[R_HEAVY] < 1000.0
    assert 0 < legs < 14  # ~4 expected; 14 is beyond 4 sigma


def test_flamer() -> None:
    s = Scene(keep=(LIGHT, R_HEAVY))
    s.place(LIGHT, 10.0, 20.0)
    s.place(R_HEAVY, 14.0, 20.0, yaw=math.pi)
    s.set(LIGHT, primary=1.0)
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(196.0)
    assert s.heat[LIGHT] == pytest.approx(10.0)
    assert s.heat[R_HEAVY] == pytest.approx(15.0)
    s.step(3)  # cooldown 0.15 s = 3 ticks: fires again on the third substep after
    assert s.hp[R_HEAVY] == pytest.approx(192.0)
    assert [e["weapon"] for e in s.events("weapon_hit")] == ["flamer"]


@pytest.mark.parametrize(
    ("distance", "bearing", "hit"),
    [(4.35, 0.0, True), (4.6, 0.0, False), (3.9, 44.0, True), (3.9, 46.0, False)],
)  # dz = 1
def test_flamer_range_and_arc(distance: float, bearing: float, hit: bool) -> None:
    s = Scene(keep=(LIGHT, R_HEAVY))
    s.place(LIGHT, 10.0, 20.0)
    b = math.radians(bearing)
    s.place(R_HEAVY, 10.0 + distance * math.cos(b), 20.0 + distance * math.sin(b), yaw=math.pi)
    s.set(LIGHT, primary=1.0)
    s.step()
    assert (s.hp[R_HEAVY] < 200.0) == hit


def test_painter_marks_target() -> None:
    s = Scene(keep=(SCOUT, R_HEAVY))
    s.place(SCOUT, 10.0, 20.0)
    s.place(R_HEAVY, 19.0, 20.0, yaw=math.pi)
    s.set(SCOUT, primary=1.0)
    s.step()
    assert s.state("paint_ticks")[R_HEAVY] == 100  # 5 s at dt 0.05
    assert s.state("painter")[R_HEAVY] == SCOUT
    assert s.heat[SCOUT] == pytest.approx(5.0)
    assert s.hp[R_HEAVY] == 200.0
    assert len(s.events("paint")) == 1


@pytest.mark.parametrize(
    ("distance", "bearing", "painted"), [(10.5, 0.0, False), (8.0, 29.0, True), (8.0, 31.0, False)]
)
def test_painter_range_and_arc(distance: float, bearing: float, painted: bool) -> None:
    s = Scene(keep=(SCOUT, R_HEAVY))
    s.place(SCOUT, 10.0, 20.0)
    b = math.radians(bearing)
    s.place(R_HEAVY, 10.0 + distance * math.cos(b), 20.0 + distance * math.sin(b), yaw=math.pi)
    s.set(SCOUT, primary=1.0)
    s.step()
    assert (s.state("paint_ticks")[R_HEAVY] > 0) == painted


def test_focus_target_is_respected_over_a_closer_enemy() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY, R_MEDIUM))
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 14.0, 20.0, yaw=math.pi)  # closer
    s.place(R_MEDIUM, 17.0, 23.0, yaw=math.pi)  # farther, chosen as focus
    s.sim.set_contact_slots(0, MEDIUM, [R_MEDIUM, R_HEAVY, -1, -1, -1])
    s.set(MEDIUM, primary=1.0)
    s.actions[0, MEDIUM, s.env.action_layout.index("contact_0")] = 1.0  # target slot 0
    s.step()
    assert s.state("focus")[MEDIUM] == R_MEDIUM
    assert s.hp[R_MEDIUM] == pytest.approx(136.0)
    assert s.hp[R_HEAVY] == 200.0


def test_invalid_focus_falls_back_to_nearest() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY, R_MEDIUM))
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 14.0, 20.0, yaw=math.pi)
    s.place(R_MEDIUM, 30.0, 20.0, yaw=math.pi)  # out of laser range
    s.sim.set_contact_slots(0, MEDIUM, [R_MEDIUM, -1, -1, -1, -1])
    s.set(MEDIUM, primary=1.0)
    s.actions[0, MEDIUM, s.env.action_layout.index("contact_0")] = 1.0
    s.step()
    assert s.hp[R_HEAVY] == pytest.approx(186.0)


def test_friendly_contact_cannot_be_focused() -> None:
    s = Scene(keep=(MEDIUM, HEAVY, R_HEAVY))
    s.place(MEDIUM, 10.0, 20.0)
    s.place(HEAVY, 10.0, 10.0)
    s.place(R_HEAVY, 30.0, 30.0)
    s.sim.set_contact_slots(0, MEDIUM, [HEAVY, -1, -1, -1, -1])
    s.actions[0, MEDIUM, s.env.action_layout.index("contact_0")] = 1.0
    s.step()
    assert s.state("focus")[MEDIUM] == -1
