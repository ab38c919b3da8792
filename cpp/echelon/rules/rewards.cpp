#include "echelon/rules/rewards.hpp"

#include <algorithm>

namespace echelon {

namespace {

float combat_terms(const RewardInputs& in, const RewardWeights& w, int i) {
    if (in.combat == nullptr) return 0.f;
    const StepTally& c = *in.combat;
    const bool contested = !in.contested_before.empty() && in.contested_before[i];
    const float mult = contested ? w.contested_mult : 1.f;
    float r = mult * (w.damage * c.enemy_damage[i] + w.kill * static_cast<float>(c.kills[i]) +
                      w.assist * static_cast<float>(c.assists[i]));
    r += w.friendly_damage * c.friendly_damage[i] + w.team_kill * static_cast<float>(c.team_kills[i]);
    if (c.died[i]) r += w.death * (contested ? w.contested_death_mult : 1.f);
    return r;
}

void mix_teams(MechSpan m, const RewardInputs& in, float alpha, std::span<float> out) {
    if (alpha >= 1.f) return;
    float sum[2] = {0.f, 0.f};
    int n[2] = {0, 0};
    for (int i = 0; i < m.size(); ++i)
        if (in.alive_before[i]) { sum[m.team[i]] += out[i]; ++n[m.team[i]]; }
    for (int i = 0; i < m.size(); ++i)
        if (in.alive_before[i]) out[i] = alpha * out[i] + (1.f - alpha) * sum[m.team[i]] / static_cast<float>(n[m.team[i]]);
}

}  // namespace

void record_decision_start(const CaptureZone& zone, float map_scale, const MechSpan& m, DecisionStart& out) {
    const ZoneTicks ticks = compute_zone_ticks(zone, m);
    for (int i = 0; i < m.size(); ++i) {
        const auto k = static_cast<size_t>(i);
        out.alive[k] = m.alive[i];
        out.potential[k] = approach_potential(zone, m.pos[i], map_scale);
        out.contested[k] = m.alive[i] && ticks.contested() && zone.contains(m.pos[i].x, m.pos[i].y);
    }
}

void compute_rewards(MechSpan m, const RewardInputs& in, const RewardWeights& w, std::span<float> out,
                     std::span<float> late_terminal) {
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
        r += combat_terms(in, w, i);
        out[i] = r;
    }
    mix_teams(m, in, w.team_mix, out);
    std::fill(late_terminal.begin(), late_terminal.end(), 0.f);
    if (!in.episode_ended || in.winner < 0) return;
    for (int i = 0; i < m.size(); ++i) {
        const float t = m.team[i] == in.winner ? w.win : w.loss;
        if (in.alive_before[i]) out[i] += t;
        else if (!late_terminal.empty()) late_terminal[i] = t;
    }
}

}  // namespace echelon
