#pragma once
// Map reorientation (docs/maps.md, "Pipeline", with the original's defects fixed): one function
// flips the voxels, their HP (re-derived from the materials: docs/game_rules.md, "Changes from the original game" 1) and every piece of layout
// metadata together, so quadrant labels and the split always describe the flipped map.
#include <cstdint>
#include <string_view>

#include "echelon/maps/map_info.hpp"
#include "echelon/world/world.hpp"
#include "echelon/maps/quadrants.hpp"

namespace echelon::terrain {

enum class Transform : uint8_t { Identity = 0, FlipX = 1, FlipY = 2, FlipXY = 3 };

std::string_view transform_name(Transform t);
bool transform_flips_x(Transform t);
bool transform_flips_y(Transform t);

// The corner that `c` lands in under the transform.
Corner transform_corner(Transform t, Corner c);

// Flips the world's voxels (HP follows) and remaps the layout's split and quadrant labels.
void apply_transform(World& w, Layout& l, Transform t);

}  // namespace echelon::terrain
