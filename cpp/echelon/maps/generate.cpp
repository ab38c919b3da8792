#include "echelon/maps/generate.hpp"

#include <utility>

#include "echelon/maps/procedural.hpp"
#include "echelon/maps/simple_map.hpp"

namespace echelon {

uint64_t procedural_map_seed(Rng& map_rng) { return map_rng.next_u64(); }

MapInfo generate_map(World& world, const SimConfig& cfg, Rng& rng) {
    if (cfg.map_type == MapType::Procedural) {
        const uint64_t seed = procedural_map_seed(rng);
        terrain::TerrainMeta meta = terrain::generate_terrain(world, seed, cfg.packs_per_team);
        meta.map.recipe_json = std::move(meta.recipe_json);
        return std::move(meta.map);
    }
    return generate_simple_map(world, cfg, rng);
}

}  // namespace echelon
