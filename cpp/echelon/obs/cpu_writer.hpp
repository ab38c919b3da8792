#pragma once
// The CPU observation writer. Per world: refresh the terrain summaries where terrain changed,
// line of sight for every pair of living mechs (terrain and smoke, once per unordered pair), the
// incoming-missile flags, then one write_agent_observation per agent (agent_writer.hpp, the same
// code the CUDA kernel runs).
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/combat/projectile_pool.hpp"
#include "echelon/combat/smoke.hpp"
#include "echelon/config.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/obs/agent_writer.hpp"
#include "echelon/obs/cache.hpp"
#include "echelon/obs/layout.hpp"
#include "echelon/obs/world_view.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

ObsConstants make_obs_constants(const SimConfig& cfg, int agents);

// Occupancy and telemetry of the whole grid (after a full rebuild or a snapshot restore).
void rebuild_terrain_maps(const World& world, ObsCache& cache);
// Occupancy and telemetry: everything after a full rebuild, else only the changed columns.
void refresh_terrain_maps(const World& world, ObsCache& cache);
// Terrain and smoke line of sight between the centres of every pair of living mechs. Each pair
// is cast once, from the lower index to the higher (the DDA is symmetric up to tie-breaking).
void compute_pair_los(MechSpan m, const World& world, const SmokePool& smoke, ObsCache& cache);
void mark_incoming_missiles(const ProjectilePool& projectiles, ObsCache& cache);

// The view of one world for the per-agent writer: its mechs, pack messages [A, comm_dim] and cache.
ObsWorldView make_world_view(MechSpan m, std::span<const float> comm, const ObsCache& cache);

// Rows of one world [A, dim] (zeroed first; dead agents stay zero) and the agent shown in each
// of the first five contact slots, for target selection.
void write_world_observations(const ObsOffsets& layout, const ObsConstants& c, const ObsWorldView& view,
                              std::span<float> out, std::span<int32_t> contact_ids);

}  // namespace echelon
