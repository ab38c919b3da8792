#pragma once
// Floor hazards at the mech's feet (docs/game_rules.md, "Floor hazards"): the single voxel under the centre
// column at the bottom of the box. LAVA: +40 heat/s, 5 hp/s. DEBRIS_FIELD: +20 heat/s, 1.25 hp/s.
// WATER: -30 heat/s (floor 0); its x0.6 speed is applied by movement.
#include "echelon/combat/combat_state.hpp"

namespace echelon {

inline constexpr float kLavaHeatPerS = 40.f, kLavaDamagePerS = 5.f;
inline constexpr float kDebrisHeatPerS = 20.f, kDebrisDamagePerS = 1.25f;
inline constexpr float kWaterCoolingPerS = 30.f;

uint8_t feet_material(const World& world, const MechSpan& m, int i);
void apply_hazards(CombatCtx& ctx, int i);

}  // namespace echelon
