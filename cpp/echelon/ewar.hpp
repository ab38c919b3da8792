#pragma once
// Electronic warfare: ECM jamming and ECCM support, and the sensor quality they give (reference
// sim.md §10.8). This is the ONE sensor-quality function: the sim (missile paint locks) and the
// observation code (radar range, painted contacts, q and jam features) both call it (SPEC §1.9).
#include <algorithm>

#include "hd.hpp"
#include "mechs.hpp"

namespace echelon {

inline constexpr float kEwarRadius = 50.f;
inline constexpr float kEcmWeight = 0.85f, kEccmWeight = 0.65f;
inline constexpr float kSensorQualityMin = 0.25f, kSensorQualityMax = 1.5f;

struct SensorReading {
    float quality = 1.f;
    float jam = 0.f;   // strongest enemy ECM, 1 - d/50 within 50 vox
    float eccm = 0.f;  // strongest friendly ECCM (own included)
};

ECHELON_HD inline float sensor_quality_from_levels(float jam, float eccm) {
    const float q = 1.f - kEcmWeight * jam + kEccmWeight * eccm;
    return q < kSensorQualityMin ? kSensorQualityMin : (q > kSensorQualityMax ? kSensorQualityMax : q);
}

// Sources do not stack: the strongest counts. Emitters must be alive and powered. Decisions, where
// the reference was inconsistent (sim.md §21.13): a shut-down or dead viewer's sensors are off
// (quality = the minimum, 0.25), and a scout's own ECCM helps itself (distance 0, level 1).
inline SensorReading sensor_quality(const MechSpan& m, int v) {
    SensorReading r;
    if (!m.alive[v] || m.is_shutdown(v)) {
        r.quality = kSensorQualityMin;
        return r;
    }
    for (int o = 0; o < m.size(); ++o) {
        if (!m.alive[o] || m.is_shutdown(o)) continue;
        const bool enemy = m.team[o] != m.team[v];
        if (!(enemy ? m.ecm[o] : m.eccm[o])) continue;
        const float d = length(m.pos[o] - m.pos[v]);
        if (d > kEwarRadius) continue;
        const float level = 1.f - d / kEwarRadius;
        if (enemy) r.jam = std::max(r.jam, level);
        else r.eccm = std::max(r.eccm, level);
    }
    r.quality = sensor_quality_from_levels(r.jam, r.eccm);
    return r;
}

}  // namespace echelon
