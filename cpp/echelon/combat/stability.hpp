#pragma once
// Stability, knockdown and stand-up (docs/game_rules.md, "Stability"). Only projectile hits remove stability.
// At 0 the mech falls for 3 s (no movement, rotation or firing), then stands with half stability.
// Regeneration 10/s x max(0.1, 1 - penalties): legged +0.5 (and cap 50), moving > 1 vox/s +0.5,
// suppressed +0.75.
#include "echelon/combat/combat_state.hpp"

namespace echelon {

inline constexpr float kMaxStability = 100.f;
inline constexpr float kLeggedStabilityCap = 50.f;
inline constexpr float kStabilityRegenPerS = 10.f;
inline constexpr float kStandUpFraction = 0.5f;

void update_stability(CombatCtx& ctx, int i);

}  // namespace echelon
