#pragma once
// Heat (docs/game_rules.md, "Heat"): EWAR emitter heat, venting, passive dissipation and shutdown.
// Shutdown is derived (heat > cap): no control, no weapons, no vent, no EWAR heat or emission,
// no AMS; gravity, damping, hazards and stability regeneration go on.
#include "echelon/combat/combat_state.hpp"

namespace echelon {

// ECM +3/s, ECCM +2/s while powered.
void apply_ewar_heat(CombatCtx& ctx, int i);
// Vent (not while shut down): an extra 2 x dissipation; then passive dissipation, always. Floor 0.
void apply_vent_and_dissipation(CombatCtx& ctx, int i, bool venting);
// Counts and records mechs that entered shutdown since the last call.
void record_shutdown_transitions(CombatCtx& ctx);

}  // namespace echelon
