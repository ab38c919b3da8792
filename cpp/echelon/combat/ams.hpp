#pragma once
// Anti-missile system (heavies, passive; docs/game_rules.md, "Paint, EWAR, AMS" and  "Changes from the original game" 7): a homing
// missile gets ONE interception roll, by the nearest ready defender of its target's team (alive,
// powered heavy, AMS cooled down, within 5.5 vox). The roll succeeds with ams_intercept_prob and
// costs the defender its cooldown either way, so the per-missile kill chance is bounded.
#include "echelon/combat/combat_state.hpp"

namespace echelon {

// True when the missile was shot down (it dies without exploding).
bool try_ams_intercept(CombatCtx& ctx, Projectile& p);

}  // namespace echelon
