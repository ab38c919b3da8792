#pragma once
// What a map generator hands the episode besides the voxels: spawn corners and the zone.
#include "echelon/rules/zone.hpp"

namespace echelon {

enum class Corner : int { BottomLeft = 0, BottomRight = 1, TopLeft = 2, TopRight = 3 };
inline Corner opposite(Corner c) { return static_cast<Corner>(3 - static_cast<int>(c)); }
inline bool corner_is_left(Corner c) { return c == Corner::BottomLeft || c == Corner::TopLeft; }
inline bool corner_is_bottom(Corner c) { return c == Corner::BottomLeft || c == Corner::BottomRight; }

struct MapInfo {
    Corner spawn_corner[2] = {Corner::BottomLeft, Corner::TopRight};  // blue, red
    int spawn_clear = 0;  // side of the cleared square in each team's corner
    CaptureZone zone;
};

}  // namespace echelon
