#pragma once
// Weapon table and the per-class trigger mapping (docs/game_rules.md, "Weapons" and "Actions").
// Numbers here are the game's balance; docs/game_rules.md lists them for users.
#include <cstdint>

#include "echelon/base/host_device.hpp"
#include "echelon/mech/classes.hpp"

namespace echelon {

enum class Weapon : uint8_t { Laser = 0, Flamer, Missile, Smoke, Gauss, Autocannon, Painter, Ams, Lava, Debris, None };
inline constexpr int kNumWeapons = 11;  // the last four are not guns (AMS, hazards, no weapon)
inline const char* const kWeaponNames[kNumWeapons] = {"laser", "flamer", "missile", "smoke", "gauss",
                                                      "autocannon", "painter", "ams", "lava", "debris", "none"};

enum class Guidance : uint8_t { Hitscan = 0, Linear, Ballistic, Homing };

struct WeaponSpec {
    float range;         // vox, 3-D centre to centre
    float damage;        // direct hit
    float stab_damage;   // stability removed by a direct hit (projectiles)
    float self_heat;     // added to the shooter per shot
    float cooldown_s;
    float arc_deg;       // full firing arc, horizontal angle only
    float speed;         // vox/s (projectiles)
    Guidance guidance;
    float splash_radius;
    float splash_scale;  // splash damage = damage x scale
    float target_heat;   // added to the target per hit (laser, flamer)
};

ECHELON_HD inline WeaponSpec weapon_spec(Weapon w) {
    switch (w) {
        case Weapon::Laser: return {8.0f, 14.f, 0.f, 22.f, 0.6f, 120.f, 0.f, Guidance::Hitscan, 0.f, 0.f, 6.f};
        case Weapon::Flamer: return {4.5f, 4.f, 0.f, 10.f, 0.15f, 90.f, 0.f, Guidance::Hitscan, 0.f, 0.f, 15.f};
        case Weapon::Missile: return {50.f, 40.f, 15.f, 45.f, 3.0f, 180.f, 12.f, Guidance::Homing, 2.5f, 0.5f, 0.f};
        case Weapon::Smoke: return {20.f, 0.f, 0.f, 10.f, 5.0f, 360.f, 15.f, Guidance::Linear, 0.f, 0.f, 0.f};
        case Weapon::Gauss: return {20.f, 50.f, 60.f, 15.f, 4.0f, 60.f, 40.f, Guidance::Ballistic, 1.5f, 0.5f, 0.f};
        case Weapon::Autocannon: return {12.f, 8.f, 5.f, 6.f, 0.2f, 90.f, 25.f, Guidance::Linear, 0.f, 0.f, 0.f};
        case Weapon::Painter: return {10.f, 0.f, 0.f, 5.f, 1.0f, 60.f, 0.f, Guidance::Hitscan, 0.f, 0.f, 0.f};
        default: return {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, Guidance::Hitscan, 0.f, 0.f, 0.f};
    }
}

// Missile locks: a pack-mate's paint reaches the full 50 vox without LOS when the shooter's sensor
// quality is at least kPaintLockMinQuality; a LOS lock needs LOS and 12 vox.
inline constexpr float kMissileLosLockRange = 12.f;
inline constexpr float kPaintLockMinQuality = 0.70f;
inline constexpr float kMissileTurnRate = 4.0f;     // homing blend per second toward the target
inline constexpr float kMissileLaunchPitch = 0.5f;  // initial z added to the unit aim before normalising
// Kinetic weapons aim by yaw error, not by arc: the focus within 0.2 rad, anything else within 0.1.
inline constexpr float kKineticFocusCone = 0.2f;
inline constexpr float kKineticCone = 0.1f;
inline constexpr float kKineticMuzzleHeight = 0.8f;  // x half height above the centre
inline constexpr float kLegFraction = 0.3f;          // lowest 30% of the body are legs
inline constexpr float kLegBodyFactor = 0.5f;        // a leg hit passes half its damage to the body
inline constexpr float kRearDot = 0.707f;            // cos 45 deg
inline constexpr float kEcmHeatPerS = 3.f, kEccmHeatPerS = 2.f;
inline constexpr float kVentMult = 2.f;              // venting removes an extra 2 x dissipation

// Which weapons a trigger slot fires, per class (docs/game_rules.md, "Actions"). Scout SECONDARY is EWAR.
struct ClassLoadout {
    bool laser_primary, laser_secondary, flamer_primary, missile_secondary, gauss_tertiary, autocannon_tertiary,
        painter_primary, painter_tertiary, ams, ewar;
};
ECHELON_HD inline ClassLoadout class_loadout(MechClass c) {
    switch (c) {
        case MechClass::Scout: return {false, false, false, false, false, false, true, false, false, true};
        case MechClass::Light: return {false, true, true, false, false, false, false, true, false, false};
        case MechClass::Medium: return {true, false, false, false, false, true, false, true, false, false};
        default: return {true, false, false, true, true, false, false, false, true, false};
    }
}

// Wreck hull: probability that a dead mech leaves SOLID_DEBRIS rather than DEBRIS_FIELD.
ECHELON_HD inline float wreck_solid_probability(MechClass c) {
    switch (c) {
        case MechClass::Scout: return 0.1f;
        case MechClass::Light: return 0.3f;
        case MechClass::Medium: return 0.6f;
        default: return 0.9f;
    }
}

}  // namespace echelon
