#pragma once
// The capture zone (king of the hill) and its scoring by tonnage (docs/game_rules.md, "Zone and
// episode end").
#include <cmath>

#include "echelon/mech/mech_table.hpp"
#include "echelon/rules/episode_stats.hpp"

namespace echelon {

struct CaptureZone {
    float cx = 0.f, cy = 0.f, radius = 1.f;
    // Height is ignored; the boundary is outside (strict <).
    bool contains(float x, float y) const { return std::hypot(x - cx, y - cy) < radius; }
    float distance_to_edge(float x, float y) const { return std::fmax(0.f, std::hypot(x - cx, y - cy) - radius); }
};

inline constexpr float kContestedFloor = 0.25f;

struct ZoneTicks {
    float tonnage[2] = {0.f, 0.f};  // alive tonnage in the zone, blue and red
    float tick[2] = {0.f, 0.f};     // control earned this decision, per second held
    // Tonnage margin in [-1, 1] from blue's side; 0 when the zone is empty.
    float margin() const {
        const float total = tonnage[0] + tonnage[1];
        return total > 0.f ? (tonnage[0] - tonnage[1]) / total : 0.f;
    }
    bool contested() const { return tonnage[0] > 0.f && tonnage[1] > 0.f; }
};

// Alone in the zone: tick 1. Contested: 0.25 + 0.75 x the positive tonnage margin each.
inline ZoneTicks compute_zone_ticks(const CaptureZone& zone, const MechSpan& m) {
    ZoneTicks t;
    for (int i = 0; i < m.size(); ++i)
        if (m.alive[i] && zone.contains(m.pos[i].x, m.pos[i].y)) t.tonnage[m.team[i]] += m.spec(i).tonnage;
    const bool blue = t.tonnage[0] > 0.f, red = t.tonnage[1] > 0.f;
    if (blue && red) {
        const float mg = t.margin();
        t.tick[0] = kContestedFloor + (1.f - kContestedFloor) * std::fmax(0.f, mg);
        t.tick[1] = kContestedFloor + (1.f - kContestedFloor) * std::fmax(0.f, -mg);
    } else if (blue) {
        t.tick[0] = 1.f;
    } else if (red) {
        t.tick[1] = 1.f;
    }
    return t;
}

// A decision held for `seconds`: each team's zone score grows by its tick, and the episode
// statistics count the time each team had a mech in the zone.
inline void score_zone(const ZoneTicks& t, float seconds, float zone_score[2], float* stats) {
    for (int team = 0; team < 2; ++team) {
        zone_score[team] += t.tick[team] * seconds;
        if (t.tonnage[team] > 0.f) stats[team == 0 ? kStatZoneTimeBlue : kStatZoneTimeRed] += seconds;
    }
}

}  // namespace echelon
