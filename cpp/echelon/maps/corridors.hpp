#pragma once
// Macro corridors (docs/maps.md, "Pipeline"): a square ring around the capture zone
// and, per team, a main lane from its spawn area to the zone plus a flank lane offset sideways.
// Unlike the original game, the carve height comes from the tallest hull (not a fixed 4 layers) and
// floor hazards (water, lava) in layer 0 survive the carve.
#include <cstdint>
#include <string_view>
#include <vector>

#include "echelon/maps/map_info.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"

namespace echelon::terrain {

enum class CorridorKind : uint8_t { ObjectiveRing = 0, BlueMain, BlueFlank, RedMain, RedFlank };
std::string_view corridor_name(CorridorKind k);

struct Corridor {
    CorridorKind kind;
    int width;
    std::vector<Vec3> points;  // polyline (z = 0); the ring is closed (first point repeated)
};

// Corridor width for a map: clamp(round(0.06 * shorter side), 5, 8), at most a quarter of it.
int corridor_width(const World& w);

// Sets AIR in a W-wide swept square along the segment, for z in [0, height), keeping water and
// lava in layer 0.
void carve_line(World& w, Vec3 a, Vec3 b, int width, int height);

// Draws the flank offsets and carves the ring and the four lanes; returns what was carved.
std::vector<Corridor> carve_corridors(World& w, const MapInfo& map, Vec3 blue_anchor, Vec3 red_anchor, int height,
                                      Rng& rng);

}  // namespace echelon::terrain
