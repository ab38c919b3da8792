#pragma once
// The sensor model over raw arrays: sensor quality from ECM/ECCM (the one function of change 9 in
// docs/game_rules.md, "Changes from the original game", used by the sim through ewar.hpp and by
// the observation on CPU and GPU), contact visibility in partial mode, and acoustic noise.
// C++17, ECHELON_HD.
#include <cmath>
#include <cstdint>

#include "echelon/base/host_device.hpp"
#include "echelon/mech/classes.hpp"
#include "echelon/base/vec3.hpp"

namespace echelon {

inline constexpr float kEwarRadius = 50.f;
inline constexpr float kEcmWeight = 0.85f, kEccmWeight = 0.65f;
inline constexpr float kSensorQualityMin = 0.25f, kSensorQualityMax = 1.5f;
inline constexpr float kRadarRange = 14.f;          // x sensor quality, partial mode
inline constexpr float kPaintSightQuality = 0.70f;  // painted contacts seen through walls at this q
inline constexpr float kHotSignature = 0.80f;       // heat / cap above which a hostile is seen (no smoke)
inline constexpr float kTargetedRadius = 8.f;
inline constexpr float kNoOcclusionFactor = 0.2f;   // sound through terrain or smoke

struct SensorReading {
    float quality = 1.f;
    float jam = 0.f;   // strongest enemy ECM, 1 - d/50 within 50 vox
    float eccm = 0.f;  // strongest friendly ECCM (own included)
};

ECHELON_HD inline float sensor_quality_from_levels(float jam, float eccm) {
    const float q = 1.f - kEcmWeight * jam + kEccmWeight * eccm;
    return q < kSensorQualityMin ? kSensorQualityMin : (q > kSensorQualityMax ? kSensorQualityMax : q);
}

ECHELON_HD inline bool mech_shutdown(float heat, uint8_t cls) {
    return heat > class_spec(static_cast<MechClass>(cls)).heat_cap;
}

// Sources do not stack: the strongest counts. Emitters must be alive and powered. A shut-down or
// dead viewer's sensors are off (quality = the minimum), and a scout's own ECCM helps itself.
ECHELON_HD inline SensorReading sensor_reading(int v, int agents, const Vec3* pos, const float* heat,
                                               const uint8_t* cls, const uint8_t* alive, const uint8_t* team,
                                               const uint8_t* ecm, const uint8_t* eccm) {
    SensorReading r;
    if (!alive[v] || mech_shutdown(heat[v], cls[v])) {
        r.quality = kSensorQualityMin;
        return r;
    }
    for (int o = 0; o < agents; ++o) {
        if (!alive[o] || mech_shutdown(heat[o], cls[o])) continue;
        const bool enemy = team[o] != team[v];
        if (!(enemy ? ecm[o] : eccm[o])) continue;
        const float d = length(pos[o] - pos[v]);
        if (d > kEwarRadius) continue;
        const float level = 1.f - d / kEwarRadius;
        if (enemy) r.jam = r.jam > level ? r.jam : level;
        else r.eccm = r.eccm > level ? r.eccm : level;
    }
    r.quality = sensor_quality_from_levels(r.jam, r.eccm);
    return r;
}

// Acoustic signature: speed x the class's mass factor, silent while knocked down.
ECHELON_HD inline float mech_noise(Vec3 vel, uint8_t cls, bool fallen) {
    return fallen ? 0.f : length(vel) * class_spec(static_cast<MechClass>(cls)).noise_mass_factor;
}

}  // namespace echelon
