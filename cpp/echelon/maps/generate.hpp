#pragma once
// One entry point for every map type: BatchSim calls this at each episode start.
#include "echelon/config.hpp"
#include "echelon/maps/map_info.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

// The seed a procedural map is generated from, drawn from the world's map stream (so
// echelon.maps can reproduce any episode's map from (seed, world, episode)).
uint64_t procedural_map_seed(Rng& map_rng);

MapInfo generate_map(World& world, const SimConfig& cfg, Rng& rng);

}  // namespace echelon
