#pragma once
// Recipe and hashes (docs/maps.md, "Pipeline", with the original's gaps closed): the recipe holds
// the seed and every parameter the generator used plus what it decided (layout, split, transform,
// spawns, zone, corridors, fix-ups), as canonical JSON (sorted keys, no spaces). The content hash
// covers the dimensions and every voxel's material (not just occupancy) after the final ground
// pass, so two maps with equal hashes are identical.
#include <cstdint>
#include <string>
#include <vector>

#include "echelon/maps/map_info.hpp"
#include "echelon/world/world.hpp"
#include "echelon/maps/connectivity.hpp"
#include "echelon/maps/corridors.hpp"
#include "echelon/maps/quadrants.hpp"
#include "echelon/maps/transforms.hpp"

namespace echelon::terrain {

inline constexpr int kGeneratorVersion = 1;
inline constexpr const char* kGeneratorId = "echelon_procedural";

struct TerrainMeta {
    uint64_t seed = 0;
    int size_x = 0, size_y = 0, size_z = 0;
    int packs_per_team = 1;
    Layout layout;
    Transform transform = Transform::Identity;
    Corner canonical_blue = Corner::BottomLeft;
    MapInfo map;
    int corridor_height = 0;
    std::vector<Corridor> corridors;
    ConnectivityReport connectivity;
    uint64_t content_hash = 0;
    uint64_t recipe_hash = 0;
    std::string recipe_json;
};

// FNV-1a (64-bit) over the dimensions and the material bytes.
uint64_t content_hash(const World& w);
uint64_t fnv1a64(const void* data, size_t n, uint64_t h = 0xcbf29ce484222325ull);
std::string hex64(uint64_t v);
std::string_view corner_name(Corner c);

// Canonical JSON of the recipe (without hashes).
std::string recipe_json(const TerrainMeta& m);

}  // namespace echelon::terrain
