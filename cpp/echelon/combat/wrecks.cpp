#include "echelon/combat/wrecks.hpp"

#include <algorithm>
#include <cmath>

#include "echelon/base/rng.hpp"
#include "echelon/combat/weapons.hpp"

namespace echelon {

float wreck_roll(int agent, int cls, int x0, int y0, int z0, int x1, int y1, int z1) {
    uint64_t s = 0x5745434Bull;  // "WECK"
    for (int v : {agent, cls, x0, y0, z0, x1, y1, z1}) {
        s ^= static_cast<uint64_t>(static_cast<uint32_t>(v));
        (void)splitmix64(s);
    }
    uint64_t t = s;
    return static_cast<float>(splitmix64(t) >> 40) * (1.0f / 16777216.0f);
}

int spawn_wreck(World& world, const MechSpan& m, int dead) {
    const Vec3 h = m.half_size(dead), lo = m.pos[dead] - h, hi = m.pos[dead] + h;
    const int x0 = std::max(0, static_cast<int>(std::floor(lo.x))), x1 = std::min(world.size_x(), static_cast<int>(std::ceil(hi.x)));
    const int y0 = std::max(0, static_cast<int>(std::floor(lo.y))), y1 = std::min(world.size_y(), static_cast<int>(std::ceil(hi.y)));
    const int z0 = std::max(0, static_cast<int>(std::floor(lo.z))), z1 = std::min(world.size_z(), static_cast<int>(std::ceil(hi.z)));
    if (x0 >= x1 || y0 >= y1 || z0 >= z1) return 0;
    const float roll = wreck_roll(dead, m.cls[dead], x0, y0, z0, x1, y1, z1);
    const Material hull = roll < wreck_solid_probability(static_cast<MechClass>(m.cls[dead])) ? Material::SolidDebris
                                                                                             : Material::DebrisField;
    int written = 0;
    for (int z = z0; z < z1; ++z)
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) {
                const uint8_t cur = world.get(x, y, z);
                if (cur != static_cast<uint8_t>(Material::Air) && cur != static_cast<uint8_t>(Material::Dirt)) continue;
                bool touches_living = false;
                for (int j = 0; j < m.size() && !touches_living; ++j) {
                    if (!m.alive[j]) continue;
                    const Vec3 hj = m.half_size(j), a = m.pos[j] - hj, b = m.pos[j] + hj;
                    touches_living = a.x < x + 1 && b.x > x && a.y < y + 1 && b.y > y && a.z < z + 1 && b.z > z;
                }
                if (touches_living) continue;
                world.set(x, y, z, hull);
                ++written;
            }
    return written;
}

}  // namespace echelon
