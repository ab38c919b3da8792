#pragma once
// The procedural map pipeline, one function shared by BatchSim, tools and tests so they cannot
// drift (docs/maps.md, "Pipeline"; its fixes to the original: "Differences from the original"):
//  1. layout: jittered quadrants, four distinct biomes painted in a shuffled order;
//  2. reorientation: blue's canonical corner and a flip, applied to voxels, HP and layout at once;
//  3. spawn squares sized from the roster, cleared to full height;
//  4. a fair capture zone (equal distance to both spawn areas, never overlapping one), cleared;
//  5. macro corridors: the objective ring and a main and a flank lane per team;
//  6. connectivity: every class reaches the zone from both spawns, digging where it cannot;
//  7. the ground layer, then the content hash and the recipe.
// Every stage draws from its own stream derived from the seed, so changing one stage's draws
// leaves the others' decisions alone.
#include <cstdint>

#include "echelon/world/world.hpp"
#include "echelon/maps/recipe.hpp"

namespace echelon::terrain {

inline constexpr int kMinProceduralHeight = 8;
inline constexpr int kMaxProceduralHeight = 64;

// Generates into `w` (its size is the map size; its contents are replaced). Throws
// std::invalid_argument when the size cannot hold the roster or the height is out of range.
TerrainMeta generate_terrain(World& w, uint64_t seed, int packs_per_team);

}  // namespace echelon::terrain
