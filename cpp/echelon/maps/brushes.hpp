#pragma once
// Brush helpers the biomes paint with (docs/maps.md, "Biomes"). Every write goes through World::set,
// so voxel HP always follows the material (docs/game_rules.md, "Changes from the original game" 1). Brushes are clipped to
// the world, not to their quadrant: some spill into neighbours, as in the original game.
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"

namespace echelon::terrain {

struct Region {  // half-open [x0, x1) x [y0, y1)
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    int width() const { return x1 - x0; }
    int height() const { return y1 - y0; }
    int area() const { return width() * height(); }
    int cx() const { return (x0 + x1) / 2; }
    int cy() const { return (y0 + y1) / 2; }
};

struct Rect {
    int x = 0, y = 0, w = 0, h = 0;
};

// Uniform integer in [lo, hi]; `lo` when the range is empty, so tiny regions never fail.
int safe_int(Rng& rng, int lo, int hi);

// A box of side [min_size, min(max_size, region side)] placed inside the region; false when the
// region is smaller than min_size in either axis.
bool random_box(Rng& rng, const Region& r, int min_size, int max_size, Rect& out);

// Fills columns of a rectangle over z in [z0, z1) with one material (clipped to the world).
void fill_rect(World& w, const Rect& r, int z0, int z1, Material m);

// A straight ramp of one-voxel slabs from `a` to `b` (z interpolated), `width` wide, with
// `clearance` layers of AIR cleared above each slab.
void build_ramp(World& w, Vec3 a, Vec3 b, int width, int clearance);

// A straight tunnel: an AIR cube of side 2 * radius + 1 swept from `a` to `b`.
void carve_worm(World& w, Vec3 a, Vec3 b, int radius);

// Deterministic cosine and sine of an angle in degrees (a short series in double, so every
// platform rounds the same and golden map hashes hold everywhere).
void det_cos_sin(double degrees, double& c, double& s);

}  // namespace echelon::terrain
