#pragma once
// The combat part of one physics substep, in the original game's order: timers, EWAR heat, hazards,
// stability, vent and dissipation per mech, then projectiles, then weapons (movement follows in
// the simulator's step). Each mechanic lives in its own file; this one only orders them.
#include <span>

#include "echelon/combat/combat_state.hpp"

namespace echelon {

// New episode: pools emptied, tally, messages and contact slots cleared (the mechs' own combat
// fields go back to their start values with every other field: reset_mechs).
void reset_combat(CombatState& cs);
// A decision's start: the hit marks the observation shows for one decision (was_hit, the last
// damage direction), the step's tally and its event log are cleared.
void begin_decision(CombatState& cs, MechSpan m);
// One physics substep of combat (everything before movement). `actions` = sanitised rows.
void run_combat_substep(CombatCtx& ctx, std::span<const float> actions, int action_dim);

}  // namespace echelon
