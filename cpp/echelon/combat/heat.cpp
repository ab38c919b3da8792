#include "echelon/combat/heat.hpp"

#include <algorithm>


namespace echelon {

void apply_ewar_heat(CombatCtx& ctx, int i) {
    MechSpan& m = ctx.m;
    if (m.is_shutdown(i)) return;
    const float dt = ctx.cfg.dt;
    if (m.ecm[i]) m.heat[i] += kEcmHeatPerS * dt;
    if (m.eccm[i]) m.heat[i] += kEccmHeatPerS * dt;
}

void apply_vent_and_dissipation(CombatCtx& ctx, int i, bool venting) {
    MechSpan& m = ctx.m;
    const float diss = m.spec(i).heat_dissipation * ctx.cfg.dt;
    if (venting && !m.is_shutdown(i)) m.heat[i] = std::max(0.f, m.heat[i] - kVentMult * diss);
    m.heat[i] = std::max(0.f, m.heat[i] - diss);
}

void record_shutdown_transitions(CombatCtx& ctx) {
    MechSpan& m = ctx.m;
    for (int i = 0; i < m.size(); ++i) {
        const uint8_t now = (m.alive[i] && m.is_shutdown(i)) ? 1 : 0;
        if (now && !m.shutdown_prev[i]) {
            ctx.stat(kStatShutdownsBlue, m.team[i]);
            ctx.emit(EventType::Shutdown, Weapon::None, -1, i, m.pos[i], m.heat[i]);
        }
        m.shutdown_prev[i] = now;
    }
}

}  // namespace echelon
