#pragma once
// Quadrant layout (docs/maps.md, "Pipeline"): a jittered split into four quadrants, four
// distinct biomes drawn from the sixteen, painted in a shuffled order.
#include "echelon/maps/map_info.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"
#include "echelon/maps/biomes.hpp"

namespace echelon::terrain {

struct Layout {
    int split_x = 0, split_y = 0;  // quadrant boundary; left/bottom quadrants are [0, split)
    Biome biome[4] = {};           // indexed by Corner (BL, BR, TL, TR) in the map's final frame
    Corner paint_order[4] = {Corner::BottomLeft, Corner::BottomRight, Corner::TopLeft, Corner::TopRight};
};

Region quadrant_region(const World& w, const Layout& l, Corner q);

// Draws the split and the biomes, then paints every quadrant into an all-AIR world.
Layout paint_layout(World& w, Rng& rng, const BiomeParams& p);

}  // namespace echelon::terrain
