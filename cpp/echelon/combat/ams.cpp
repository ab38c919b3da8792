#include "echelon/combat/ams.hpp"


namespace echelon {

bool try_ams_intercept(CombatCtx& ctx, Projectile& p) {
    if (p.guidance != Guidance::Homing || p.target < 0 || p.ams_engaged) return false;
    MechSpan& m = ctx.m;
    const int defended_team = m.team[p.target];
    const float range = ctx.cfg.combat.ams_range;
    int best = -1;
    float best_d = 0.f;
    for (int j = 0; j < m.size(); ++j) {
        if (!m.alive[j] || m.team[j] != defended_team || m.cls[j] != static_cast<uint8_t>(MechClass::Heavy)) continue;
        if (m.is_shutdown(j) || m.ams_ticks[j] > 0) continue;
        const float d = length(m.pos[j] - p.pos);
        if (d <= range && (best < 0 || d < best_d)) { best = j; best_d = d; }
    }
    if (best < 0) return false;
    p.ams_engaged = 1;
    m.ams_ticks[best] = ctx.cfg.ticks(ctx.cfg.combat.ams_cooldown_s);
    if (ctx.rng.uniform() >= ctx.cfg.combat.ams_intercept_prob) return false;
    ctx.stat(kStatAmsInterceptsBlue, defended_team);
    ctx.emit(EventType::AmsIntercept, Weapon::Ams, best, p.shooter, p.pos, 0.f);
    return true;
}

}  // namespace echelon
