#include "echelon/maps/simple_map.hpp"

#include <algorithm>

#include "echelon/maps/placement.hpp"

namespace echelon {

namespace {

Material pick_block_material(Rng& rng) {
    const float u = rng.uniform();
    if (u < 0.55f) return Material::Solid;
    if (u < 0.67f) return Material::Glass;
    if (u < 0.79f) return Material::Foliage;
    if (u < 0.89f) return Material::Reinforced;
    return Material::SolidDebris;
}

void scatter_blocks(World& world, const SimConfig& cfg, Rng& rng) {
    const int sx = world.size_x(), sy = world.size_y(), sz = world.size_z();
    constexpr float kMeanFootprint = 16.f;  // mean of (2..6)^2 footprints, roughly
    const int count = static_cast<int>(cfg.obstacle_density * static_cast<float>(sx * sy) / kMeanFootprint);
    for (int i = 0; i < count; ++i) {
        const int w = rng.integer(2, 6), d = rng.integer(2, 6);
        const int h = rng.integer(1, std::max(1, std::min(6, sz - 2)));
        const int x = rng.integer(0, std::max(0, sx - w)), y = rng.integer(0, std::max(0, sy - d));
        world.fill_box(IBox{x, y, 0, x + w, y + d, h}, pick_block_material(rng));
    }
}

void scatter_floor_pads(World& world, Rng& rng) {
    const int sx = world.size_x(), sy = world.size_y();
    const int pads = std::max(1, sx * sy / 2500);
    for (int i = 0; i < pads; ++i) {
        const int w = rng.integer(3, 6), d = rng.integer(3, 6);
        const int x = rng.integer(0, std::max(0, sx - w)), y = rng.integer(0, std::max(0, sy - d));
        const Material m = rng.uniform() < 0.7f ? Material::Water : Material::Lava;
        world.fill_box(IBox{x, y, 0, x + w, y + d, 1}, m);
    }
}

}  // namespace

MapInfo generate_simple_map(World& world, const SimConfig& cfg, Rng& rng) {
    world.clear_all();
    MapInfo map;
    if (cfg.map_type == MapType::Simple) {
        scatter_blocks(world, cfg, rng);
        scatter_floor_pads(world, rng);
    }
    choose_spawn_corners(map, rng);
    map.spawn_clear = spawn_clear_size(world, cfg.agents_per_team());
    clear_spawn_areas(world, map);
    place_fair_zone(world, map, rng);
    world.ensure_ground_layer();
    return map;
}

}  // namespace echelon
