#pragma once
// The weapons phase of a substep (docs/game_rules.md, "Weapons", and changes 3–5 of "Changes
// from the original game"): every mech's shots
// are decided on the same pre-fire state (targets, locks, LOS), then applied in an order shuffled
// each substep, so no team fires first and a mutual kill trade lands both shots. Fallen or
// shut-down mechs cannot fire. A valid focus target is always used; otherwise the nearest valid enemy.
#include "echelon/combat/combat_state.hpp"

namespace echelon {

// Is `target_pos` within the horizontal firing arc (full width, degrees) of mech i?
bool in_firing_arc(const MechSpan& m, int i, Vec3 target_pos, float arc_deg);
// Terrain and smoke line of sight, centre to centre (mechs never block it).
bool full_los(const CombatCtx& ctx, Vec3 a, Vec3 b);

void run_weapons_phase(CombatCtx& ctx, std::span<const float> actions, int action_dim);

}  // namespace echelon
