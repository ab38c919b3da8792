#pragma once
// Placing both teams in their corners at the start of an episode (docs/game_rules.md, "Teams,
// packs and classes").
#include "echelon/maps/map_info.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

// Columns of the spawn grid: up to five, fewer when the map is too narrow for five.
int spawn_columns(int agents_per_team, int min_map_side);
// Side of the square that must be clear in each corner so the team's spawn grid fits.
int required_spawn_clear(int agents_per_team, int min_map_side);

// Sets class, team, pose and full health for every mech of one world.
void spawn_teams(MechSpan m, int agents_per_team, const MapInfo& map, const World& world, Rng& rng);

}  // namespace echelon
