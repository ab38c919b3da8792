#include "echelon/maps/procedural.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "echelon/maps/placement.hpp"
#include "echelon/maps/nav.hpp"

namespace echelon::terrain {

namespace {

enum StreamPurpose : uint64_t { kLayoutStream = 101, kVariantStream = 102, kZoneStream = 103, kCorridorStream = 104 };

Rng stream(uint64_t seed, StreamPurpose p) { return Rng(mix_seed(seed, 0, 0, p)); }

}  // namespace

TerrainMeta generate_terrain(World& w, uint64_t seed, int packs_per_team) {
    if (w.size_z() < kMinProceduralHeight || w.size_z() > kMaxProceduralHeight)
        throw std::invalid_argument("procedural maps need a height (size_z) in [" + std::to_string(kMinProceduralHeight) + ", " +
                                    std::to_string(kMaxProceduralHeight) + "], got " + std::to_string(w.size_z()));
    if (packs_per_team < 1) throw std::invalid_argument("packs_per_team must be at least 1");
    TerrainMeta m;
    m.seed = seed;
    m.size_x = w.size_x();
    m.size_y = w.size_y();
    m.size_z = w.size_z();
    m.packs_per_team = packs_per_team;
    const int heavy_headroom = nav_shape(MechClass::Heavy).headroom;
    m.corridor_height = std::min(w.size_z(), heavy_headroom + 1);

    w.clear_all();
    Rng layout_rng = stream(seed, kLayoutStream);
    m.layout = paint_layout(w, layout_rng, BiomeParams{m.corridor_height});

    Rng variant_rng = stream(seed, kVariantStream);
    m.canonical_blue = static_cast<Corner>(variant_rng.integer(0, 3));
    m.transform = static_cast<Transform>(variant_rng.integer(0, 3));
    apply_transform(w, m.layout, m.transform);
    m.map.spawn_corner[0] = transform_corner(m.transform, m.canonical_blue);
    m.map.spawn_corner[1] = opposite(m.map.spawn_corner[0]);

    m.map.spawn_clear = spawn_clear_size(w, kPackSize * packs_per_team);
    clear_spawn_areas(w, m.map);
    Rng zone_rng = stream(seed, kZoneStream);
    place_fair_zone(w, m.map, zone_rng);

    Rng corridor_rng = stream(seed, kCorridorStream);
    m.corridors = carve_corridors(w, m.map, spawn_area_centre(w, m.map, 0), spawn_area_centre(w, m.map, 1),
                                  m.corridor_height, corridor_rng);
    m.connectivity = ensure_connectivity(w, m.map);
    if (!m.connectivity.ok) throw std::runtime_error("procedural map " + std::to_string(seed) + ": connectivity fix-ups failed");
    w.ensure_ground_layer();

    m.content_hash = content_hash(w);
    m.recipe_json = recipe_json(m);
    m.recipe_hash = fnv1a64(m.recipe_json.data(), m.recipe_json.size());
    return m;
}

}  // namespace echelon::terrain
