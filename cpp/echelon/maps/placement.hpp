#pragma once
// Map steps every generator shares: spawn corners, cleared spawn squares and a fair capture zone.
#include "echelon/config.hpp"
#include "echelon/maps/map_info.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

// Blue's corner uniformly at random, red in the opposite one.
void choose_spawn_corners(MapInfo& map, Rng& rng);

// Side of each team's cleared corner square: large enough for the roster, at most half the map.
int spawn_clear_size(const World& world, int agents_per_team);

// Sets every voxel of each team's corner square to AIR through the full height.
void clear_spawn_areas(World& world, const MapInfo& map);

// Places the zone on the perpendicular bisector of the two spawn squares' centres, so its
// distances to both spawn areas are equal (docs/game_rules.md, "Changes from the original game" 11), never overlapping a spawn square, and
// clears its columns. On non-square maps only bisector points whose distances to the two spawn
// squares are within 10% of each other are used.
void place_fair_zone(World& world, MapInfo& map, Rng& rng);

// The (x, y) centre of a team's spawn square.
Vec3 spawn_area_centre(const World& world, const MapInfo& map, int team);

}  // namespace echelon
