#pragma once
// Per-agent rewards available without combat: the zone tick and potential-based approach
// shaping (SPEC §4). Combat terms join these in the combat issue.
#include <span>

#include "config.hpp"
#include "mechs.hpp"
#include "zone.hpp"

namespace echelon {

// Phi(s) = -(distance to the zone edge) / (largest map side): 0 inside the zone.
inline float approach_potential(const CaptureZone& zone, Vec3 pos, float map_scale) {
    return -zone.distance_to_edge(pos.x, pos.y) / map_scale;
}

struct RewardInputs {
    const CaptureZone* zone;
    ZoneTicks ticks;                      // after the step
    std::span<const float> potential_before;
    std::span<const uint8_t> alive_before;
    bool episode_terminated;              // terminal transition: Phi(s') = 0
    float map_scale;
};

// Writes one reward per agent. Agents dead before the step get exactly 0 (padding rows).
//  zone:     w_zone x own team's tick, for agents inside the zone after the step;
//  approach: w_approach x (gamma Phi(s') - Phi(s)), with Phi(s') = 0 on terminal transitions and
//            for agents that died this step, so shaping never changes the optimal policy.
void compute_rewards(MechSpan m, const RewardInputs& in, const RewardWeights& w, std::span<float> out);

}  // namespace echelon
