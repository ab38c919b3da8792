#pragma once
// Connectivity validation with fix-ups (docs/maps.md, "Pipeline", redone with the navigation rules of
// docs/game_rules.md, "Changes from the original game" 12): every hull class, with its own footprint, headroom and the sim's step-up height, must be
// able to walk from each team's spawn area into the capture zone. When one cannot, a passage is
// dug for that class: a 4-connected cheapest route over its ground blocks (blocked blocks cost
// extra), then each blocked block on it is cleared to the class's headroom. A dug block always
// becomes standable ground, so one dig fixes that (class, team) pair; the check then repeats for
// everyone until all pass.
#include <string>
#include <vector>

#include "echelon/maps/map_info.hpp"
#include "echelon/mech/classes.hpp"
#include "echelon/maps/nav.hpp"
#include "echelon/world/world.hpp"

namespace echelon::terrain {

inline constexpr float kDigPenalty = 20.f;  // extra route cost of a block that must be dug

// The node a class starts from in a team's spawn area (nearest to the square's centre).
NavNode spawn_node(const NavGraph& g, const World& w, const MapInfo& map, int team);

// Does any node reachable from `start` stand inside the zone?
bool reaches_zone(const NavGraph& g, NavNode start, const CaptureZone& zone, std::vector<uint8_t>& scratch);

struct ConnectivityReport {
    bool ok = true;
    std::vector<std::string> fixups;  // "team:class:dug=N"
    int digs = 0;                     // blocks dug in total
};

// Checks every class from both spawns, digging until all reach the zone.
ConnectivityReport ensure_connectivity(World& w, const MapInfo& map);

// The same check, without digging: per class (scout, light, medium, heavy) and team, does a path exist?
void check_connectivity(const World& w, const MapInfo& map, bool out[kNumClasses][2]);

}  // namespace echelon::terrain
