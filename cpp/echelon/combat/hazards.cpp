#include "echelon/combat/hazards.hpp"

#include <algorithm>
#include <cmath>

#include "echelon/combat/damage.hpp"

namespace echelon {

// Settled mechs hover up to one substep of fall (about 0.024 vox) above what they stand on.
constexpr float kStandingTolerance = 0.05f;

uint8_t feet_material(const World& world, const MechSpan& m, int i) {
    const Vec3 p = m.pos[i];
    const int x = static_cast<int>(std::floor(p.x)), y = static_cast<int>(std::floor(p.y));
    const float feet = p.z - m.spec(i).half_z;
    const int z = static_cast<int>(std::floor(feet));
    const uint8_t here = world.in_bounds(x, y, z) ? world.get(x, y, z) : static_cast<uint8_t>(Material::Air);
    if (here != static_cast<uint8_t>(Material::Air) && here != static_cast<uint8_t>(Material::Dirt)) return here;
    // Lava and water are walked through, so the feet are inside them; a debris field blocks
    // movement, so a mech stands ON it: look at the voxel just below the feet too. (The original game
    // only looked inside the feet voxel, so its debris hazard could never fire: docs/game_rules.md, "Changes from the original game" 14.)
    const int below = static_cast<int>(std::floor(feet - kStandingTolerance));
    if (below != z && world.in_bounds(x, y, below) &&
        world.get(x, y, below) == static_cast<uint8_t>(Material::DebrisField))
        return static_cast<uint8_t>(Material::DebrisField);
    return here;
}

void apply_hazards(CombatCtx& ctx, int i) {
    MechSpan& m = ctx.m;
    const float dt = ctx.cfg.dt;
    switch (static_cast<Material>(feet_material(ctx.world, m, i))) {
        case Material::Lava:
            m.heat[i] += kLavaHeatPerS * dt;
            apply_hazard_damage(ctx, i, Weapon::Lava, kLavaDamagePerS * dt);
            break;
        case Material::DebrisField:
            m.heat[i] += kDebrisHeatPerS * dt;
            apply_hazard_damage(ctx, i, Weapon::Debris, kDebrisDamagePerS * dt);
            break;
        case Material::Water:
            m.heat[i] = std::max(0.f, m.heat[i] - kWaterCoolingPerS * dt);
            break;
        default: break;
    }
}

}  // namespace echelon
