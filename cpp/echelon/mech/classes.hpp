#pragma once
// The four hull classes and the pack roster (docs/game_rules.md, "Teams, packs and classes").
#include <cstdint>

#include "echelon/base/host_device.hpp"

namespace echelon {

enum class MechClass : uint8_t { Scout = 0, Light = 1, Medium = 2, Heavy = 3 };
inline constexpr int kNumClasses = 4;
inline constexpr int kPackSize = 5;

struct ClassSpec {
    float half_x, half_y, half_z;
    float max_speed;      // vox/s, horizontal
    float max_yaw_rate;   // rad/s
    float max_jet_accel;  // vox/s^2, vertical (0: no jump jets)
    float hp, leg_hp;
    float heat_cap, heat_dissipation;
    float tonnage;
    float noise_mass_factor;
};

ECHELON_HD inline ClassSpec class_spec(MechClass c) {
    switch (c) {
        case MechClass::Scout: return {0.6f, 0.6f, 0.9f, 7.0f, 1.8f, 18.0f, 60.f, 30.f, 75.f, 13.f, 20.f, 1.0f};
        case MechClass::Light: return {0.75f, 0.75f, 1.0f, 6.8f, 1.5f, 16.0f, 80.f, 40.f, 80.f, 12.f, 35.f, 1.5f};
        case MechClass::Medium: return {1.25f, 1.25f, 1.5f, 5.5f, 1.0f, 0.0f, 150.f, 75.f, 100.f, 11.f, 55.f, 2.5f};
        default: return {1.75f, 1.75f, 2.0f, 2.5f, 0.6f, 0.0f, 200.f, 100.f, 130.f, 10.f, 85.f, 4.0f};
    }
}

// Index within a team → class: 0 heavy, 1–2 medium, 3 light, 4 scout (per pack of five).
inline MechClass roster_class(int index_in_team) {
    switch (index_in_team % kPackSize) {
        case 0: return MechClass::Heavy;
        case 1:
        case 2: return MechClass::Medium;
        case 3: return MechClass::Light;
        default: return MechClass::Scout;
    }
}

inline constexpr float kFastestMaxSpeed = 7.0f;  // scout; normalises observed speeds
inline constexpr float kLargestHalfXY = 1.75f;   // heavy; sizes spawn areas

}  // namespace echelon
