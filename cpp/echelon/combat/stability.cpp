#include "echelon/combat/stability.hpp"

#include <algorithm>


namespace echelon {

void update_stability(CombatCtx& ctx, int i) {
    MechSpan& m = ctx.m;
    if (m.fallen_ticks[i] > 0) {
        if (--m.fallen_ticks[i] == 0) m.stability[i] = kStandUpFraction * kMaxStability;
        return;
    }
    if (m.stability[i] <= 0.f) {
        m.stability[i] = 0.f;
        m.fallen_ticks[i] = ctx.cfg.ticks(ctx.cfg.combat.knockdown_seconds);
        m.vel[i] = {};
        ctx.stat(kStatKnockdownsBlue, m.team[i]);
        ctx.emit(EventType::Knockdown, Weapon::None, -1, i, m.pos[i], 0.f);
        return;
    }
    float penalty = 0.f;
    if (m.is_legged(i)) penalty += 0.5f;
    if (length(m.vel[i]) > 1.f) penalty += 0.5f;
    if (m.suppress_ticks[i] > 0) penalty += 0.75f;
    const float regen = kStabilityRegenPerS * ctx.cfg.dt * std::max(0.1f, 1.f - penalty);
    const float cap = m.is_legged(i) ? kLeggedStabilityCap : kMaxStability;
    m.stability[i] = std::min(cap, m.stability[i] + regen);
}

}  // namespace echelon
