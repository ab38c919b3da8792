#include "echelon/obs/cpu_writer.hpp"

#include <algorithm>

#include "echelon/world/raycast.hpp"
#include "echelon/obs/terrain_maps.hpp"
#include "echelon/combat/weapons.hpp"

namespace echelon {

ObsConstants make_obs_constants(const SimConfig& cfg, int agents) {
    ObsConstants c{};
    c.agents = agents;
    c.agents_per_team = cfg.agents_per_team();
    c.comm_dim = cfg.comm_dim;
    c.size_x = cfg.size_x; c.size_y = cfg.size_y; c.size_z = cfg.size_z;
    c.full_observation = cfg.obs.full_observation ? 1 : 0;
    c.dt = cfg.dt;
    c.gravity = cfg.gravity;
    c.score_to_win = cfg.zone_score_to_win();
    auto t = [&](float s) { return static_cast<float>(std::max(1, cfg.ticks(s))); };
    c.laser_ticks = t(weapon_spec(Weapon::Laser).cooldown_s);
    c.missile_ticks = t(weapon_spec(Weapon::Missile).cooldown_s);
    c.painter_ticks = t(weapon_spec(Weapon::Painter).cooldown_s);
    c.suppress_ticks = t(cfg.combat.suppress_seconds);
    c.ams_ticks = t(cfg.combat.ams_cooldown_s);
    c.kinetic_ticks[0] = 1.f;  // scouts have no kinetic weapon
    c.kinetic_ticks[1] = t(weapon_spec(Weapon::Flamer).cooldown_s);
    c.kinetic_ticks[2] = t(weapon_spec(Weapon::Autocannon).cooldown_s);
    c.kinetic_ticks[3] = t(weapon_spec(Weapon::Gauss).cooldown_s);
    return c;
}

void rebuild_terrain_maps(const World& world, ObsCache& cache) {
    const int sx = world.size_x(), sy = world.size_y(), sz = world.size_z();
    const uint8_t* vox = world.voxels().data();
    for (int y = 0; y < sy; ++y)
        for (int x = 0; x < sx; ++x) refresh_column(vox, sx, sy, sz, x, y, cache.occupancy.data(), cache.column_any.data());
    for (int by = 0; by < kTelemetrySide; ++by)
        for (int bx = 0; bx < kTelemetrySide; ++bx)
            cache.telemetry[by * kTelemetrySide + bx] = telemetry_bin(cache.column_any.data(), sx, sy, bx, by);
}

void refresh_terrain_maps(const World& world, ObsCache& cache) {
    if (world.full_rebuild()) {
        rebuild_terrain_maps(world, cache);
        return;
    }
    const int sx = world.size_x(), sy = world.size_y(), sz = world.size_z();
    const uint8_t* vox = world.voxels().data();
    const auto changed = world.changed();
    if (changed.empty()) return;
    std::fill(cache.dirty_bins.begin(), cache.dirty_bins.end(), 0);
    const int plane = sx * sy;
    for (const int32_t idx : changed) {
        const int col = idx % plane, x = col % sx, y = col / sx;
        refresh_column(vox, sx, sy, sz, x, y, cache.occupancy.data(), cache.column_any.data());
        cache.dirty_bins[telemetry_bin_of(y, sy) * kTelemetrySide + telemetry_bin_of(x, sx)] = 1;
    }
    for (int b = 0; b < kTelemetrySide * kTelemetrySide; ++b)
        if (cache.dirty_bins[b])
            cache.telemetry[b] = telemetry_bin(cache.column_any.data(), sx, sy, b % kTelemetrySide, b / kTelemetrySide);
}

void compute_pair_los(MechSpan m, const World& world, const SmokePool& smoke, ObsCache& cache) {
    const int a = m.size();
    std::fill(cache.los.begin(), cache.los.end(), 0);
    const VoxelView g = world.view();
    for (int i = 0; i < a; ++i) {
        if (!m.alive[i]) continue;
        for (int j = i + 1; j < a; ++j) {
            if (!m.alive[j]) continue;
            const bool clear = has_terrain_los(g, m.pos[i], m.pos[j]) && !smoke.blocks(m.pos[i], m.pos[j]);
            cache.los[static_cast<size_t>(i) * a + j] = cache.los[static_cast<size_t>(j) * a + i] = clear ? 1 : 0;
        }
    }
}

void mark_incoming_missiles(const ProjectilePool& projectiles, ObsCache& cache) {
    std::fill(cache.incoming.begin(), cache.incoming.end(), 0);
    for (const Projectile& p : projectiles.live())
        if (p.guidance == Guidance::Homing && p.target >= 0 && p.life_ticks >= 0 &&
            static_cast<size_t>(p.target) < cache.incoming.size())
            cache.incoming[static_cast<size_t>(p.target)] = 1;
}

ObsWorldView make_world_view(MechSpan m, std::span<const float> comm, const ObsCache& cache) {
    ObsWorldView v{};
    ObsMechArrays& a = v.m;
#define ECHELON_OBS_POINT(type, name, start, visibility, valid) ECHELON_MECH_##visibility(a.name = m.name.data();)
    ECHELON_MECH_FIELDS(ECHELON_OBS_POINT)
#undef ECHELON_OBS_POINT
    a.incoming_missile = cache.incoming.data();
    a.comm = comm.data();
    v.s = cache.scalars;
    v.los = cache.los.data();
    v.occupancy = cache.occupancy.data();
    v.telemetry = cache.telemetry.data();
    return v;
}

void write_world_observations(const ObsOffsets& layout, const ObsConstants& c, const ObsWorldView& view,
                              std::span<float> out, std::span<int32_t> contact_ids) {
    std::fill(out.begin(), out.end(), 0.f);
    const int ids_per_agent = static_cast<int>(contact_ids.size()) / c.agents;
    for (int v = 0; v < c.agents; ++v)
        write_agent_observation(view, c, layout, v, &out[static_cast<size_t>(v) * layout.dim],
                                &contact_ids[static_cast<size_t>(v) * ids_per_agent], ids_per_agent);
}

}  // namespace echelon
