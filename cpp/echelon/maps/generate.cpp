#include "echelon/maps/generate.hpp"

#include "echelon/maps/procedural.hpp"
#include "echelon/maps/simple_map.hpp"

namespace echelon {

uint64_t procedural_map_seed(Rng& map_rng) { return map_rng.next_u64(); }

MapInfo generate_map(World& world, const SimConfig& cfg, Rng& rng) {
    if (cfg.map_type == MapType::Procedural) {
        const uint64_t seed = procedural_map_seed(rng);
        return terrain::generate_terrain(world, seed, cfg.packs_per_team).map;
    }
    return generate_simple_map(world, cfg, rng);
}

}  // namespace echelon
