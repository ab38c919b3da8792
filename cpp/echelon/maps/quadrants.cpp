#include "echelon/maps/quadrants.hpp"

namespace echelon::terrain {

Region quadrant_region(const World& w, const Layout& l, Corner q) {
    const bool left = corner_is_left(q), bottom = corner_is_bottom(q);
    return Region{left ? 0 : l.split_x, bottom ? 0 : l.split_y, left ? l.split_x : w.size_x(),
                  bottom ? l.split_y : w.size_y()};
}

Layout paint_layout(World& w, Rng& rng, const BiomeParams& p) {
    Layout l;
    const int jx = w.size_x() / 10, jy = w.size_y() / 10;
    l.split_x = w.size_x() / 2 + rng.integer(-jx, jx);
    l.split_y = w.size_y() / 2 + rng.integer(-jy, jy);
    // Four distinct biomes: a partial Fisher-Yates shuffle of the catalogue.
    int catalogue[kNumBiomes];
    for (int i = 0; i < kNumBiomes; ++i) catalogue[i] = i;
    for (int i = 0; i < 4; ++i) std::swap(catalogue[i], catalogue[rng.integer(i, kNumBiomes - 1)]);
    for (int i = 3; i > 0; --i) std::swap(l.paint_order[i], l.paint_order[rng.integer(0, i)]);
    for (int i = 0; i < 4; ++i) l.biome[static_cast<int>(l.paint_order[i])] = static_cast<Biome>(catalogue[i]);
    for (const Corner q : l.paint_order) paint_biome(w, l.biome[static_cast<int>(q)], quadrant_region(w, l, q), rng, p);
    return l;
}

}  // namespace echelon::terrain
