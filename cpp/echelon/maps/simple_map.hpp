#pragma once
// The simple seeded map type: flat ground, random blocks of several materials, a few water and
// lava pads, cleared spawn corners and a fair capture zone. ("empty" omits blocks and pads.)
// The procedural biome generator is a separate map type.
#include "config.hpp"
#include "map_info.hpp"
#include "rng.hpp"
#include "world.hpp"

namespace echelon {

MapInfo generate_simple_map(World& world, const SimConfig& cfg, Rng& rng);

}  // namespace echelon
