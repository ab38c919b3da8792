#pragma once
#include <cstdint>

#include "echelon/base/host_device.hpp"

namespace echelon {

// Voxel materials (docs/game_rules.md, "World and materials"). Ids are part of the public buffer format.
enum class Material : uint8_t {
    Air = 0,
    Solid = 1,
    Lava = 2,
    Water = 3,
    DebrisField = 4,
    SolidDebris = 5,
    Dirt = 6,
    Glass = 7,
    Reinforced = 8,
    Foliage = 9,
};
inline constexpr int kNumMaterials = 10;

// Bit i set <=> material i has the property. Bitmasks (not tables) so device code needs no
// constant memory: GLASS collides but is see-through, FOLIAGE is opaque but walk-through.
inline constexpr uint32_t kCollidesMask = (1u << 1) | (1u << 4) | (1u << 5) | (1u << 7) | (1u << 8);
inline constexpr uint32_t kBlocksLosMask = (1u << 1) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 9);

ECHELON_HD inline bool material_collides(uint8_t m) { return m < 32 && ((kCollidesMask >> m) & 1u); }
ECHELON_HD inline bool material_blocks_los(uint8_t m) { return m < 32 && ((kBlocksLosMask >> m) & 1u); }

// Hit points a voxel of this material starts with; every write of a material sets this
// (docs/game_rules.md, "Changes from the original game" 1).
ECHELON_HD inline float material_hp(uint8_t m) {
    switch (m) {
        case 1: return 100.f;
        case 4: return 50.f;
        case 5: return 200.f;
        case 7: return 10.f;
        case 8: return 1000.f;
        case 9: return 1.f;
        default: return 0.f;
    }
}

ECHELON_HD inline bool material_indestructible(uint8_t m) { return m == static_cast<uint8_t>(Material::Reinforced); }

}  // namespace echelon
