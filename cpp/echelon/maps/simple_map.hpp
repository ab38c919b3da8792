#pragma once
// The simple seeded map type: flat ground, random blocks of several materials, a few water and
// lava pads, cleared spawn corners and a fair capture zone. ("empty" omits blocks and pads.)
// The procedural biome generator is a separate map type.
#include "echelon/config.hpp"
#include "echelon/maps/map_info.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

MapInfo generate_simple_map(World& world, const SimConfig& cfg, Rng& rng);

}  // namespace echelon
