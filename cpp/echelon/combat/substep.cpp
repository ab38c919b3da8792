#include "echelon/combat/substep.hpp"

#include <algorithm>

#include "echelon/mech/actions.hpp"
#include "echelon/combat/hazards.hpp"
#include "echelon/combat/heat.hpp"
#include "echelon/combat/projectiles.hpp"
#include "echelon/combat/stability.hpp"
#include "echelon/combat/weapon_fire.hpp"

namespace echelon {

namespace {

void tick_down(int32_t& t) {
    if (t > 0) --t;
}

void tick_timers(MechSpan& m, int i) {
    tick_down(m.cd_laser[i]);
    tick_down(m.cd_missile[i]);
    tick_down(m.cd_kinetic[i]);
    tick_down(m.cd_painter[i]);
    tick_down(m.paint_ticks[i]);
    tick_down(m.suppress_ticks[i]);
    tick_down(m.ams_ticks[i]);
}

}  // namespace

void reset_combat(CombatState& cs) {
    cs.projectiles.clear();
    cs.smoke.clear();
    cs.tally.clear();
    std::fill(cs.comm.begin(), cs.comm.end(), 0.f);
    std::fill(cs.contact_ids.begin(), cs.contact_ids.end(), -1);
    cs.tick = 0;
}

void begin_decision(CombatState& cs, MechSpan m) {
    for (int i = 0; i < m.size(); ++i) {
        m.was_hit[i] = 0;
        m.last_damage_dir[i] = {};
    }
    cs.tally.clear();
    cs.events.clear();
}

void run_combat_substep(CombatCtx& ctx, std::span<const float> actions, int action_dim) {
    ++ctx.cs.tick;
    ctx.cs.smoke.tick();
    MechSpan& m = ctx.m;
    for (int i = 0; i < m.size(); ++i) {
        if (!m.alive[i]) continue;
        tick_timers(m, i);
        apply_ewar_heat(ctx, i);
        apply_hazards(ctx, i);
        if (!m.alive[i]) continue;
        update_stability(ctx, i);
        apply_vent_and_dissipation(ctx, i, actions[static_cast<size_t>(i) * action_dim + action::kVent] > 0.f);
    }
    update_projectiles(ctx);
    run_weapons_phase(ctx, actions, action_dim);
    record_shutdown_transitions(ctx);
}

}  // namespace echelon
