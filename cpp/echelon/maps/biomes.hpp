#pragma once
// The 16 biomes of the procedural generator (docs/maps.md, "Biomes"): each paints one
// quadrant with its features and materials. Sizes are in voxels; heights are capped by the world.
#include <cstdint>
#include <string_view>

#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"
#include "echelon/maps/brushes.hpp"

namespace echelon::terrain {

enum class Biome : uint8_t {
    UrbanResidential = 0,
    IndustrialRefinery,
    CivicGovernment,
    ForestPark,
    Barrens,
    ArcologySpire,
    SunkenCanal,
    GeoFront,
    GlassDesert,
    CommandOutpost,
    DenseJungle,
    MiningPit,
    VolcanicRidge,
    HydroponicLab,
    ServerFarm,
    OrbitalRelay,
};
inline constexpr int kNumBiomes = 16;

std::string_view biome_name(Biome b);

struct BiomeParams {
    int clearance = 5;  // AIR layers cleared above ramps and platforms (the heavy's headroom)
};

// Paints biome `b` into region `r` (spilling over its edges where the original game does).
void paint_biome(World& w, Biome b, const Region& r, Rng& rng, const BiomeParams& p);

}  // namespace echelon::terrain
