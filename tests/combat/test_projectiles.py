"""Gauss, autocannon, missiles (locks, homing, AMS), smoke, splash and voxel destruction
(docs/game_rules.md, "Weapons" and "Damage"; changes 6 and 7 of "Changes from the original
game")."""

from __future__ import annotations

import math

import pytest
from combat_helpers import HEAVY, MEDIUM, RED, SCOUT, Scene

R_HEAVY, R_MEDIUM, R_SCOUT = HEAVY + RED, MEDIUM + RED, SCOUT + RED


def run_until_quiet(s: Scene, max_steps: int = 200) -> list[dict]:
    """Steps (no triggers) until no projectile is in flight; returns every event seen."""
    seen: list[dict] = []
    for _ in range(max_steps):
        s.step()
        seen += s.events()
        if not s.sim.projectiles(0):
            break
    return seen


def gauss_scene(distance: float = 10.0) -> Scene:
    s = Scene(keep=(HEAVY, R_MEDIUM))
    s.place(HEAVY, 10.0, 20.0)
    s.place(R_MEDIUM, 10.0 + distance, 20.0, yaw=math.pi)
    s.set(HEAVY, tertiary=1.0)
    return s


def test_gauss_direct_hit() -> None:
    s = gauss_scene()
    s.step()
    assert s.heat[HEAVY] == pytest.approx(15.0)
    assert s.state("cd_kinetic")[HEAVY] == 80  # 4 s
    (p,) = s.sim.projectiles(0)
    assert p["weapon"] == "gauss" and math.hypot(*p["vel"]) == pytest.approx(40.0, rel=1e-4)
    s.clear_actions()
    events = run_until_quiet(s)
    assert s.hp[R_MEDIUM] == pytest.approx(150.0 - 50.0)
    hit = [e for e in events if e["type"] == "weapon_hit"]
    assert len(hit) == 1 and not hit[0]["splash"]  # the direct target is excluded from its splash
    # 60 stability, then regeneration over the substeps since the hit.
    assert 40.0 <= s.stability[R_MEDIUM] < 45.0


def test_gauss_range_is_twenty() -> None:
    s = gauss_scene(distance=22.0)  # beyond 20: the round fires straight ahead and expires first
    s.step()
    s.clear_actions()
    run_until_quiet(s)
    assert s.hp[R_MEDIUM] == 150.0


def test_gauss_does_not_tunnel_through_solid_and_damages_it() -> None:
    s = gauss_scene()
    s.wall_x(15)
    s.step()
    s.clear_actions()
    run_until_quiet(s)
    assert s.hp[R_MEDIUM] == 150.0
    hp = s.sim.voxel_hp(0)
    damaged = hp[:, :, 15][(hp[:, :, 15] < 100.0)]
    assert damaged.min() == pytest.approx(
        100.0 - 50.0 - 25.0
    )  # direct + splash on the impact voxel


def test_gauss_does_not_tunnel_through_glass() -> None:
    s = gauss_scene()
    s.wall_x(15, material=7)
    s.step()
    s.clear_actions()
    run_until_quiet(s)
    assert s.hp[R_MEDIUM] == 150.0


def test_two_gauss_rounds_destroy_a_solid_voxel() -> None:
    s = gauss_scene()
    s.wall_x(15)
    s.step()
    s.clear_actions()
    run_until_quiet(s)
    s.state("cd_kinetic")[HEAVY] = 0
    s.set(HEAVY, tertiary=1.0)
    s.step()
    s.clear_actions()
    run_until_quiet(s)
    assert (s.sim.voxels(0)[:, :, 15] == 0).any()  # 75 + 75 > 100: the impact voxel is gone


def test_kinetic_aim_cone_not_arc() -> None:
    # 0.15 rad off the nose: outside the 0.1 rad cone -> the round flies straight ahead and misses.
    s = Scene(keep=(HEAVY, R_MEDIUM))
    s.place(HEAVY, 10.0, 20.0)
    s.place(R_MEDIUM, 10.0 + 10 * math.cos(0.15), 20.0 + 10 * math.sin(0.15), yaw=math.pi)
    s.set(HEAVY, tertiary=1.0)
    s.step()
    (p,) = s.sim.projectiles(0)
    assert p["vel"][1] == pytest.approx(0.0, abs=1e-5)


def test_autocannon_hit_suppresses_and_auto_pitches() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY))
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 18.0, 20.0, yaw=math.pi, z=5.0)  # higher target
    s.set(MEDIUM, tertiary=1.0)
    s.step()
    (p,) = [p for p in s.sim.projectiles(0) if p["weapon"] == "autocannon"]
    assert p["vel"][2] > 0.1
    assert s.state("cd_kinetic")[MEDIUM] == 4  # 0.2 s
    assert s.heat[MEDIUM] == pytest.approx(6.0 + 5.0)  # TERTIARY fires autocannon and painter
    s.clear_actions()
    events = run_until_quiet(s)
    assert s.hp[R_HEAVY] == pytest.approx(200.0 - 8.0 * 1.1)  # its own painter marked the target
    assert [e["weapon"] for e in events if e["type"] == "weapon_hit"] == ["autocannon"]
    assert 0 < s.state("suppress_ticks")[R_HEAVY] <= 24


def test_autocannon_fires_every_four_ticks() -> None:
    s = Scene(keep=(MEDIUM, R_HEAVY))
    s.place(MEDIUM, 10.0, 20.0)
    s.place(R_HEAVY, 30.0, 30.0)
    s.set(MEDIUM, tertiary=1.0)
    fired = []
    for t in range(9):
        s.step()
        fired += [t for e in s.events("kinetic_fire")]
    assert fired == [0, 4, 8]


def missile_scene(distance: float, paint_by: int | None = None, packs: int = 1) -> Scene:
    s = Scene(keep=(HEAVY, R_MEDIUM, SCOUT), size=(60, 40, 16))
    s.place(HEAVY, 10.0, 20.0)
    s.place(SCOUT, 3.0, 3.0)
    s.place(R_MEDIUM, 10.0 + distance, 20.0, yaw=math.pi)
    if paint_by is not None:
        s.state("paint_ticks")[R_MEDIUM] = 100
        s.state("painter")[R_MEDIUM] = paint_by
    s.set(HEAVY, secondary=1.0)
    return s


def test_missile_los_lock_hits() -> None:
    s = missile_scene(10.0)
    s.step()
    (launch,) = s.events("missile_launch")
    assert not launch["paint_lock"]
    assert s.heat[HEAVY] == pytest.approx(45.0) and s.state("cd_missile")[HEAVY] == 60
    s.clear_actions()
    events = run_until_quiet(s)
    hits = [e for e in events if e["type"] == "weapon_hit"]
    assert [h["value"] for h in hits] == [pytest.approx(40.0)]
    assert s.hp[R_MEDIUM] == pytest.approx(110.0)


def test_missile_needs_a_lock_beyond_12() -> None:
    s = missile_scene(14.0)
    s.step()
    assert not s.events("missile_launch") and s.heat[HEAVY] == 0.0


def test_missile_paint_lock_reaches_without_los() -> None:
    s = missile_scene(25.0, paint_by=SCOUT)
    s.wall_x(20, z1=3)  # low cover between: no LOS centre to centre
    s.step()
    (launch,) = s.events("missile_launch")
    assert launch["paint_lock"]
    s.clear_actions()
    run_until_quiet(s)
    assert s.hp[R_MEDIUM] < 150.0  # arcs over the wall and homes in


def test_paint_lock_is_pack_scoped() -> None:
    s = Scene(keep=(0, 9, 10 + MEDIUM), packs=2, size=(60, 40, 16))
    s.place(0, 10.0, 20.0)
    s.place(9, 3.0, 3.0)
    s.place(10 + MEDIUM, 35.0, 20.0, yaw=math.pi)
    s.state("paint_ticks")[10 + MEDIUM] = 100
    s.state("painter")[10 + MEDIUM] = 9  # a blue scout of the other pack
    s.set(0, secondary=1.0)
    s.step()
    assert not s.events("missile_launch")


def test_missile_arc_blocks_rear_paint_lock() -> None:
    s = missile_scene(25.0, paint_by=SCOUT)
    s.yaw[HEAVY] = math.pi  # target behind
    s.step()
    assert not s.events("missile_launch")


def test_enemy_ecm_breaks_paint_lock() -> None:
    s = missile_scene(25.0, paint_by=SCOUT)
    s.alive[R_SCOUT] = 1
    s.place(R_SCOUT, 5.0, 22.0)  # behind the heavy, ~5.4 away: jam ~0.89, q clipped to 0.25
    s.set(R_SCOUT, secondary=0.3)  # ECM
    s.step()
    q, jam, _ = s.sim.sensor_quality(0, HEAVY)
    assert jam > 0.8 and q == pytest.approx(0.25)
    assert not s.events("missile_launch")


def ams_scene(prob: float) -> Scene:
    s = Scene(keep=(HEAVY, R_HEAVY), combat={"ams_intercept_prob": prob})
    s.place(HEAVY, 10.0, 20.0)
    s.place(R_HEAVY, 20.0, 20.0, yaw=math.pi)
    s.set(HEAVY, secondary=1.0)
    return s


def test_ams_intercepts_with_certainty_one() -> None:
    s = ams_scene(1.0)
    s.step()
    s.clear_actions()
    events = run_until_quiet(s)
    assert [e["type"] for e in events if e["type"] in ("ams_intercept", "weapon_hit")] == [
        "ams_intercept"
    ]
    assert s.hp[R_HEAVY] == 200.0


def test_ams_gets_one_roll_per_missile() -> None:
    s = ams_scene(0.0)  # the roll fails; no re-roll on later substeps even after the cooldown
    s.step()
    s.clear_actions()
    events = run_until_quiet(s)
    assert not [e for e in events if e["type"] == "ams_intercept"]
    assert s.hp[R_HEAVY] == pytest.approx(160.0)


def test_ams_interception_rate_is_bounded() -> None:
    s = ams_scene(0.5)
    intercepted = 0
    for _ in range(30):
        s.state("cd_missile")[HEAVY] = 0
        s.state("ams_ticks")[R_HEAVY] = 0
        s.hp[R_HEAVY] = 200.0
        s.heat[HEAVY] = 0.0
        s.set(HEAVY, secondary=1.0)
        s.step()
        s.clear_actions()
        intercepted += any(e["type"] == "ams_intercept" for e in run_until_quiet(s))
    assert 5 <= intercepted <= 25  # about half, certainly not ~100 % as in the reference


def test_smoke_bursts_at_end_of_flight_in_the_open() -> None:
    s = Scene(keep=(SCOUT, R_HEAVY))
    s.place(SCOUT, 5.0, 20.0)
    s.place(R_HEAVY, 35.0, 35.0)
    s.set(SCOUT, special=1.0)
    s.step()
    assert s.heat[SCOUT] == pytest.approx(10.0) and s.state("cd_missile")[SCOUT] == 100
    s.clear_actions()
    run_until_quiet(s)
    clouds = s.sim.smoke_clouds(0)
    assert len(clouds) == 1
    x, y, _, r, _ = clouds[0]
    assert r == pytest.approx(4.0) and y == pytest.approx(20.0)
    assert 5.0 + 19.5 <= x <= 5.0 + 21.0  # 27 moves of 0.75 vox


def test_smoke_cloud_expires_after_ten_seconds() -> None:
    s = Scene(keep=(SCOUT, R_HEAVY), decision_repeat=5)
    s.sim.add_smoke(0, 20.0, 20.0, 2.0, 4.0, 200)
    s.step(39)
    assert len(s.sim.smoke_clouds(0)) == 1
    s.step()
    assert not s.sim.smoke_clouds(0)


def test_splash_is_blocked_by_a_wall() -> None:
    # A paint-locked missile hits a tall wall; the enemy right behind it (within 2.5) is unhurt.
    s = missile_scene(6.0, paint_by=SCOUT)
    s.place(R_MEDIUM, 14.0, 20.0, yaw=math.pi)
    s.place(R_MEDIUM, 13.0, 20.0, yaw=math.pi)
    s.wall_x(11, y0=12, y1=28)
    s.place(HEAVY, 7.5, 20.0)
    s.step()
    assert s.events("missile_launch")
    s.clear_actions()
    events = run_until_quiet(s)
    assert any(e["type"] == "explosion" for e in events)
    assert s.hp[R_MEDIUM] == 150.0


def test_splash_hurts_teammates_but_only_enemy_damage_is_rewarded() -> None:
    s = Scene(keep=(HEAVY, SCOUT, R_SCOUT))
    s.place(HEAVY, 10.0, 20.0)
    s.place(R_SCOUT, 20.0, 20.0, yaw=math.pi)
    s.place(SCOUT, 20.0, 21.3)  # 1.3 from the enemy: inside gauss splash (1.5)
    s.set(HEAVY, tertiary=1.0)
    s.step()
    s.clear_actions()
    total = 0.0
    for _ in range(20):
        s.step()
        total += s.reward(HEAVY)
        if not s.sim.projectiles(0):
            break
    assert s.hp[R_SCOUT] == pytest.approx(10.0)
    assert s.hp[SCOUT] == pytest.approx(35.0)
    # +0.05 per enemy point, -0.05 per friendly point (docs/game_rules.md, "Rewards"): 2.5 - 1.25.
    assert total == pytest.approx(0.05 * 50.0 - 0.05 * 25.0, abs=1e-4)
