#include "hazards.hpp"

#include <algorithm>
#include <cmath>

#include "damage.hpp"

namespace echelon {

uint8_t feet_material(const World& world, const MechSpan& m, int i) {
    const Vec3 p = m.pos[i];
    const int x = static_cast<int>(std::floor(p.x)), y = static_cast<int>(std::floor(p.y));
    const int z = static_cast<int>(std::floor(p.z - m.spec(i).half_z));
    if (!world.in_bounds(x, y, z)) return static_cast<uint8_t>(Material::Air);
    return world.get(x, y, z);
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
