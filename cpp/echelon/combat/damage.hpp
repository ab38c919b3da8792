#pragma once
// The damage pipeline (docs/game_rules.md, "Damage") with the reward accounting of "Rewards": every
// point of damage is credited to the shooter as enemy or friendly damage, capped at the victim's
// remaining HP, and every death resolves kill / team-kill / assist credit exactly once.
#include "echelon/combat/combat_state.hpp"

namespace echelon {

struct DirectHit {
    int shooter, target;
    Weapon weapon;
    float damage, stab_damage;
    Vec3 origin;     // where the attack comes from: the shooter (hitscan) or target - velocity (projectiles)
    bool leg_hit;
    Vec3 pos;        // event position
};

// Rear-arc multiplier: the attack travels within +-45 deg of the target's facing.
float rear_multiplier(const MechSpan& m, int target, Vec3 origin, float rear_mult, bool& crit);

// Direct hit, in order: rear multiplier, paint bonus (shooter's pack painted the target), leg split
// (leg takes the damage, the body half), then HP, stability, heat transfer, death check. One order
// for hitscan and projectiles (the original game ordered them differently for each).
void apply_direct_hit(CombatCtx& ctx, const DirectHit& h);
// Splash: no rear, leg or paint modifiers. `shooter` may hurt its own team (and itself).
void apply_splash_hit(CombatCtx& ctx, int shooter, int target, Weapon weapon, float damage, float stab, Vec3 centre);
// Hazard damage at the feet (no shooter).
void apply_hazard_damage(CombatCtx& ctx, int target, Weapon source, float damage);
// Death check: hp <= 0 kills the mech, credits the killer, leaves a wreck.
void check_death(CombatCtx& ctx, int victim, int killer, Weapon weapon);

}  // namespace echelon
