#include "echelon/maps/biomes.hpp"

#include <algorithm>
#include <cmath>

namespace echelon::terrain {

namespace {

constexpr std::string_view kBiomeNames[kNumBiomes] = {
    "urban_residential", "industrial_refinery", "civic_government", "forest_park",
    "barrens",           "arcology_spire",      "sunken_canal",     "geo_front",
    "glass_desert",      "command_outpost",     "dense_jungle",     "mining_pit",
    "volcanic_ridge",    "hydroponic_lab",      "server_farm",      "orbital_relay",
};

Rect grow(const Rect& r, int by) { return {r.x - by, r.y - by, r.w + 2 * by, r.h + 2 * by}; }

Rect clip_to(const Rect& r, const Region& g) {
    const int x0 = std::max(r.x, g.x0), y0 = std::max(r.y, g.y0);
    const int x1 = std::min(r.x + r.w, g.x1), y1 = std::min(r.y + r.h, g.y1);
    return {x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

Vec3 v3(int x, int y, int z) { return {static_cast<float>(x), static_cast<float>(y), static_cast<float>(z)}; }

// A point uniformly inside the region.
void random_point(Rng& rng, const Region& r, int& x, int& y) {
    x = safe_int(rng, r.x0, r.x1 - 1);
    y = safe_int(rng, r.y0, r.y1 - 1);
}

// Courtyard blocks until 35% of the area is built: a hollow block whose courtyard has a glass pad.
void urban_residential(World& w, const Region& r, Rng& rng) {
    float built = 0.f;
    for (int attempt = 0; attempt < 100 && built < 0.35f * static_cast<float>(r.area()); ++attempt) {
        Rect b;
        if (!random_box(rng, r, 6, 10, b)) return;
        b.x &= ~1;  // grid-snapped, so streets line up
        b.y &= ~1;
        const int h = rng.integer(4, 8);
        fill_rect(w, b, 0, h, Material::Solid);
        const Rect inner = grow(b, -2);
        if (inner.w > 0 && inner.h > 0) {
            fill_rect(w, inner, 0, h, Material::Air);
            fill_rect(w, inner, 0, 1, Material::Glass);
        }
        built += 0.75f * static_cast<float>(b.w * b.h);
    }
}

// Tanks until 25% of the area is built; some tanks come with a north-south pipe elsewhere.
void industrial_refinery(World& w, const Region& r, Rng& rng) {
    float built = 0.f;
    for (int attempt = 0; attempt < 200 && built < 0.25f * static_cast<float>(r.area()); ++attempt) {
        Rect t;
        if (!random_box(rng, r, 3, 6, t)) return;
        fill_rect(w, t, 0, rng.integer(4, 11), Material::Solid);
        built += static_cast<float>(t.w * t.h);
        if (rng.uniform() < 0.3f) {
            Rect p;
            p.w = rng.integer(1, 2);
            p.h = rng.integer(8, 15);
            p.x = safe_int(rng, r.x0, r.x1 - p.w);
            p.y = safe_int(rng, r.y0, r.y1 - p.h);
            fill_rect(w, p, 0, rng.integer(2, 4), Material::Solid);
        }
    }
}

// Monoliths, each inside a one-voxel plaza wall two cells out.
void civic_government(World& w, const Region& r, Rng& rng) {
    float built = 0.f;
    for (int attempt = 0; attempt < 50 && built < 0.2f * static_cast<float>(r.area()); ++attempt) {
        Rect b;
        if (!random_box(rng, r, 8, 15, b)) return;
        const int h = rng.integer(6, 9);
        const Rect ring = clip_to(grow(b, 2), r);
        fill_rect(w, ring, 0, 1, Material::Solid);
        const Rect hollow = grow(ring, -1);
        if (hollow.w > 0 && hollow.h > 0) fill_rect(w, hollow, 0, 1, Material::Air);
        fill_rect(w, b, 0, h, Material::Solid);
        built += static_cast<float>(b.w * b.h);
    }
}

// Trunks (tall ones under a leaf canopy) and a few rocks.
void forest_park(World& w, const Region& r, Rng& rng) {
    const int trunks = static_cast<int>(0.05f * static_cast<float>(r.area()));
    for (int i = 0; i < trunks; ++i) {
        const int s = rng.integer(1, 2);
        int x, y;
        random_point(rng, r, x, y);
        const int h = rng.integer(3, 7);
        const Rect t{x, y, s, s};
        fill_rect(w, t, 0, h, Material::Solid);
        if (h >= 4) fill_rect(w, grow(t, 1), 3, 5, Material::Foliage);
    }
    const int rocks = static_cast<int>(0.01f * static_cast<float>(r.area()));
    for (int i = 0; i < rocks; ++i) {
        Rect b;
        if (!random_box(rng, r, 3, 5, b)) return;
        fill_rect(w, b, 0, rng.integer(2, 3), Material::Solid);
    }
}

void barrens(World& w, const Region& r, Rng& rng) {
    const int rocks = static_cast<int>(0.02f * static_cast<float>(r.area()));
    for (int i = 0; i < rocks; ++i) {
        Rect b;
        if (!random_box(rng, r, 2, 4, b)) return;
        fill_rect(w, b, 0, rng.integer(1, 2), Material::Solid);
    }
}

// A core tower, platforms at fixed levels chained by ramps, and tunnels bored straight through.
void arcology_spire(World& w, const Region& r, Rng& rng, const BiomeParams& p) {
    const int sz = w.size_z();
    const int cw = std::max(1, r.width() / 3), ch = std::max(1, r.height() / 3);
    fill_rect(w, Rect{r.cx() - cw / 2, r.cy() - ch / 2, cw, ch}, 0, sz - 2, Material::Solid);
    const int platforms = rng.integer(4, 7);
    Vec3 prev = v3(r.x0 + 2, r.y0 + 2, -1);
    for (int i = 0; i < platforms; ++i) {
        const int z = 5 * rng.integer(1, 3);
        Rect b;
        if (!random_box(rng, r, 8, 12, b)) break;
        if (z >= sz - 2) continue;
        fill_rect(w, b, z, z + 1, Material::Solid);
        fill_rect(w, b, z + 1, z + 1 + p.clearance, Material::Air);
        const Vec3 centre = v3(b.x + b.w / 2, b.y + b.h / 2, z);
        build_ramp(w, prev, centre, 3, p.clearance);
        prev = centre;
    }
    const int worms = rng.integer(2, 3);
    for (int i = 0; i < worms; ++i) {
        const int y = safe_int(rng, r.y0, r.y1 - 1);
        const int z = safe_int(rng, 2, sz - 6);
        carve_worm(w, v3(r.x0, y, z), v3(r.x1 - 1, y, z), 2);
    }
}

// A water channel through the quadrant's centre line, blocks beside it, and decks across it.
void sunken_canal(World& w, const Region& r, Rng& rng) {
    const int sz = w.size_z();
    const bool along_x = rng.uniform() < 0.5f;
    const int width = rng.integer(8, 13);
    const int centre = along_x ? r.cy() : r.cx();
    const int lo = centre - width / 2;
    const Rect canal = along_x ? Rect{r.x0, lo, r.width(), width} : Rect{lo, r.y0, width, r.height()};
    fill_rect(w, canal, 1, sz, Material::Air);
    fill_rect(w, canal, 0, 1, Material::Water);
    const int tries = rng.integer(10, 19);
    for (int i = 0; i < tries; ++i) {
        Rect b;
        if (!random_box(rng, r, 4, 4, b)) break;
        const int across = along_x ? b.y + 2 : b.x + 2;
        const int h = rng.integer(4, 9);
        if (std::abs(across - centre) <= width / 2 + 2) continue;
        fill_rect(w, b, 0, h, Material::Solid);
    }
    const int bridges = rng.integer(2, 3);
    for (int i = 0; i < bridges; ++i) {
        const int z = rng.integer(4, 7);
        const int along = along_x ? safe_int(rng, r.x0, r.x1 - 4) : safe_int(rng, r.y0, r.y1 - 4);
        const Rect deck = along_x ? Rect{along, lo - 2, 4, width + 4} : Rect{lo - 2, along, width + 4, 4};
        fill_rect(w, deck, z, z + 1, Material::Solid);
    }
}

// Solid underground up to a ceiling, with tunnels and lava pools.
void geo_front(World& w, const Region& r, Rng& rng) {
    const int sz = w.size_z();
    const int ceiling = safe_int(rng, std::min(10, sz - 3), sz - 3);
    fill_rect(w, Rect{r.x0, r.y0, r.width(), r.height()}, 0, ceiling, Material::Solid);
    carve_worm(w, v3(r.x0, r.cy(), 2), v3(r.x1 - 1, r.cy(), 2), 3);
    carve_worm(w, v3(r.cx(), r.y0, 2), v3(r.cx(), r.y1 - 1, 2), 3);
    const int worms = rng.integer(5, 9);
    for (int i = 0; i < worms; ++i) {
        int ax, ay, bx, by;
        random_point(rng, r, ax, ay);
        random_point(rng, r, bx, by);
        const int az = safe_int(rng, 1, ceiling - 4), bz = safe_int(rng, 1, ceiling - 4);
        carve_worm(w, v3(ax, ay, az), v3(bx, by, bz), 2);
    }
    const int pools = rng.integer(3, 5);
    for (int i = 0; i < pools; ++i) {
        Rect b;
        if (!random_box(rng, r, 4, 4, b)) break;
        fill_rect(w, b, 0, 1, Material::Lava);
    }
}

// See-through cover: glass pillars and low glass walls.
void glass_desert(World& w, const Region& r, Rng& rng) {
    const int pillars = rng.integer(10, 19);
    for (int i = 0; i < pillars; ++i) {
        Rect b;
        if (!random_box(rng, r, 2, 5, b)) break;
        fill_rect(w, b, 0, rng.integer(5, 11), Material::Glass);
    }
    const int walls = rng.integer(5, 9);
    for (int i = 0; i < walls; ++i) {
        Rect b;
        if (!random_box(rng, r, 1, 8, b)) break;
        fill_rect(w, b, 0, 1, Material::Glass);
    }
}

// A reinforced bunker around a destructible core, with a west notch and a low closed fence.
void command_outpost(World& w, const Region& r) {
    const Rect bunker{r.cx() - 6, r.cy() - 6, 12, 12};
    fill_rect(w, bunker, 0, 6, Material::Reinforced);
    fill_rect(w, grow(bunker, -2), 0, 5, Material::Solid);
    fill_rect(w, Rect{bunker.x, r.cy() - 2, 3, 4}, 0, 3, Material::Air);
    const Rect fence = grow(bunker, 8);
    fill_rect(w, Rect{fence.x, fence.y, fence.w, 1}, 0, 1, Material::Reinforced);
    fill_rect(w, Rect{fence.x, fence.y + fence.h - 1, fence.w, 1}, 0, 1, Material::Reinforced);
    fill_rect(w, Rect{fence.x, fence.y, 1, fence.h}, 0, 1, Material::Reinforced);
    fill_rect(w, Rect{fence.x + fence.w - 1, fence.y, 1, fence.h}, 0, 1, Material::Reinforced);
}

// Thin trunks under wide leaf canopies: sight is blocked, movement mostly is not.
void dense_jungle(World& w, const Region& r, Rng& rng) {
    const int trunks = static_cast<int>(0.15f * static_cast<float>(r.area()));
    for (int i = 0; i < trunks; ++i) {
        int x, y;
        random_point(rng, r, x, y);
        const int h = rng.integer(4, 7);
        fill_rect(w, Rect{x, y, 1, 1}, 0, h, Material::Solid);
        fill_rect(w, Rect{x - 2, y - 2, 5, 5}, 3, 6, Material::Foliage);
    }
}

// A mesa with terraced rings cut into it, a central shaft and one straight ramp down.
// The pit's shape is fixed by its region; it draws no random numbers.
void mining_pit(World& w, const Region& r) {
    const int top = std::min(10, w.size_z() - 4);
    fill_rect(w, Rect{r.x0, r.y0, r.width(), r.height()}, 0, top, Material::Solid);
    const int cx = r.cx(), cy = r.cy();
    const int big = std::min(r.width(), r.height()) / 2 - 2;
    for (int rad = big; rad >= 5; rad -= 4) {
        const int z = top - (big - rad) / 2;
        for (int deg = 0; deg < 360; deg += 5) {
            double c, s;
            det_cos_sin(static_cast<double>(deg), c, s);
            const int x = cx + static_cast<int>(std::lround(rad * c)), y = cy + static_cast<int>(std::lround(rad * s));
            fill_rect(w, Rect{x - 2, y - 2, 5, 5}, z, top, Material::Air);
        }
    }
    fill_rect(w, Rect{cx - 4, cy - 4, 9, 9}, 0, top, Material::Air);
    if (big > 0) build_ramp(w, v3(cx + big, cy, top), v3(cx, cy, 0), 4, 5);
}

// A solid spine across the quadrant, with lava strips under it.
void volcanic_ridge(World& w, const Region& r, Rng& rng) {
    const bool along_x = rng.uniform() < 0.5f;
    const Rect spine = along_x ? Rect{r.x0, r.cy() - 4, r.width(), 8} : Rect{r.cx() - 4, r.y0, 8, r.height()};
    fill_rect(w, spine, 0, 4, Material::Solid);
    const int strips = rng.integer(2, 3);
    for (int i = 0; i < strips; ++i) {
        if (along_x) {
            const int x = safe_int(rng, r.x0, r.x1 - 3);
            fill_rect(w, Rect{x, r.cy() - 6, 3, 12}, 0, 1, Material::Lava);
        } else {
            const int y = safe_int(rng, r.y0, r.y1 - 3);
            fill_rect(w, Rect{r.cx() - 6, y, 12, 3}, 0, 1, Material::Lava);
        }
    }
}

// Glass greenhouses with reinforced corner columns and rows of plants inside.
void hydroponic_lab(World& w, const Region& r, Rng& rng) {
    const int houses = rng.integer(2, 3);
    for (int i = 0; i < houses; ++i) {
        Rect b;
        if (!random_box(rng, r, 10, 15, b)) break;
        const int h = rng.integer(5, 7);
        fill_rect(w, b, 0, h, Material::Glass);
        fill_rect(w, Rect{b.x, b.y, 1, 1}, 0, h, Material::Reinforced);
        fill_rect(w, Rect{b.x + b.w - 1, b.y, 1, 1}, 0, h, Material::Reinforced);
        for (int y = b.y; y < b.y + b.h; y += 3) fill_rect(w, Rect{b.x + 1, y, b.w - 2, 1}, 0, 2, Material::Foliage);
    }
}

// A lattice of reinforced racks, some with a glass conduit overhead.
void server_farm(World& w, const Region& r, Rng& rng) {
    for (int y = r.y0 + 1; y + 2 <= r.y1; y += 5)
        for (int x = r.x0 + 1; x + 2 <= r.x1; x += 5) {
            if (rng.uniform() >= 0.7f) continue;
            fill_rect(w, Rect{x, y, 2, 2}, 0, rng.integer(6, 11), Material::Reinforced);
            if (rng.uniform() < 0.5f) fill_rect(w, Rect{x + 2, y, 5, 2}, 4, 5, Material::Glass);
        }
}

// A ring of 36 reinforced posts around the quadrant centre and unsupported planks above it.
void orbital_relay(World& w, const Region& r, Rng& rng) {
    const int sz = w.size_z();
    const int rad = rng.integer(8, 11);
    for (int deg = 0; deg < 360; deg += 10) {
        double c, s;
        det_cos_sin(static_cast<double>(deg), c, s);
        const int x = r.cx() + static_cast<int>(std::lround(rad * c)), y = r.cy() + static_cast<int>(std::lround(rad * s));
        fill_rect(w, Rect{x - 1, y - 1, 3, 3}, 0, rng.integer(8, 14), Material::Reinforced);
    }
    const int planks = rng.integer(2, 3);
    for (int i = 0; i < planks; ++i) {
        const int z = std::min(rng.integer(10, 14), sz - 2);
        const int x = safe_int(rng, r.x0, r.x1 - 10);
        fill_rect(w, Rect{x, r.cy() - 1, 10, 2}, z, z + 1, Material::Solid);
    }
}

}  // namespace

std::string_view biome_name(Biome b) { return kBiomeNames[static_cast<int>(b) % kNumBiomes]; }

void paint_biome(World& w, Biome b, const Region& r, Rng& rng, const BiomeParams& p) {
    switch (b) {
        case Biome::UrbanResidential: urban_residential(w, r, rng); break;
        case Biome::IndustrialRefinery: industrial_refinery(w, r, rng); break;
        case Biome::CivicGovernment: civic_government(w, r, rng); break;
        case Biome::ForestPark: forest_park(w, r, rng); break;
        case Biome::Barrens: barrens(w, r, rng); break;
        case Biome::ArcologySpire: arcology_spire(w, r, rng, p); break;
        case Biome::SunkenCanal: sunken_canal(w, r, rng); break;
        case Biome::GeoFront: geo_front(w, r, rng); break;
        case Biome::GlassDesert: glass_desert(w, r, rng); break;
        case Biome::CommandOutpost: command_outpost(w, r); break;
        case Biome::DenseJungle: dense_jungle(w, r, rng); break;
        case Biome::MiningPit: mining_pit(w, r); break;
        case Biome::VolcanicRidge: volcanic_ridge(w, r, rng); break;
        case Biome::HydroponicLab: hydroponic_lab(w, r, rng); break;
        case Biome::ServerFarm: server_farm(w, r, rng); break;
        case Biome::OrbitalRelay: orbital_relay(w, r, rng); break;
    }
}

}  // namespace echelon::terrain
