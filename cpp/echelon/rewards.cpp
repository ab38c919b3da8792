#include "rewards.hpp"

namespace echelon {

void compute_rewards(MechSpan m, const RewardInputs& in, const RewardWeights& w, std::span<float> out) {
    for (int i = 0; i < m.size(); ++i) {
        if (!in.alive_before[i]) {
            out[i] = 0.f;
            continue;
        }
        const bool alive = m.alive[i] != 0;
        float r = 0.f;
        if (alive && in.zone->contains(m.pos[i].x, m.pos[i].y)) r += w.zone_tick * in.ticks.tick[m.team[i]];
        const float phi_next = (alive && !in.episode_terminated) ? approach_potential(*in.zone, m.pos[i], in.map_scale) : 0.f;
        r += w.approach * (w.gamma * phi_next - in.potential_before[i]);
        out[i] = r;
    }
}

}  // namespace echelon
