#include "echelon/maps/placement.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "echelon/maps/spawn.hpp"

namespace echelon {

void choose_spawn_corners(MapInfo& map, Rng& rng) {
    map.spawn_corner[0] = static_cast<Corner>(rng.integer(0, 3));
    map.spawn_corner[1] = opposite(map.spawn_corner[0]);
}

int spawn_clear_size(const World& world, int agents_per_team) {
    const int min_dim = std::min(world.size_x(), world.size_y());
    const int preferred = std::max(25, min_dim / 4);
    const int required = required_spawn_clear(agents_per_team, min_dim);
    if (required > min_dim / 2)
        throw std::invalid_argument("map too small for the roster: each team needs a " + std::to_string(required) +
                                    "-voxel spawn square in its corner, at most half the map's shorter side");
    return std::clamp(preferred, required, min_dim / 2);
}

namespace {

// Largest allowed relative difference between the zone's distances to the two spawn squares.
constexpr float kZoneFairness = 0.1f;

IBox spawn_box(const World& world, const MapInfo& map, int team) {
    const int s = map.spawn_clear;
    const Corner c = map.spawn_corner[team];
    const int x0 = corner_is_left(c) ? 0 : world.size_x() - s;
    const int y0 = corner_is_bottom(c) ? 0 : world.size_y() - s;
    return IBox{x0, y0, 0, x0 + s, y0 + s, world.size_z()};
}

// Distance from a point to an axis-aligned square (0 inside).
float distance_to_box(float x, float y, const IBox& b) {
    const float dx = std::fmax(std::fmax(static_cast<float>(b.x0) - x, 0.f), x - static_cast<float>(b.x1));
    const float dy = std::fmax(std::fmax(static_cast<float>(b.y0) - y, 0.f), y - static_cast<float>(b.y1));
    return std::hypot(dx, dy);
}

void clear_zone_columns(World& world, const CaptureZone& zone) {
    const float reach = zone.radius + 0.70710678f;
    for (int y = 0; y < world.size_y(); ++y)
        for (int x = 0; x < world.size_x(); ++x) {
            if (std::hypot(x + 0.5f - zone.cx, y + 0.5f - zone.cy) > reach) continue;
            for (int z = 0; z < world.size_z(); ++z) world.set(x, y, z, Material::Air);
        }
}

}  // namespace

void clear_spawn_areas(World& world, const MapInfo& map) {
    for (int team = 0; team < 2; ++team) world.fill_box(spawn_box(world, map, team), Material::Air);
}

Vec3 spawn_area_centre(const World& world, const MapInfo& map, int team) {
    const IBox b = spawn_box(world, map, team);
    return {0.5f * (b.x0 + b.x1), 0.5f * (b.y0 + b.y1), 0.f};
}

void place_fair_zone(World& world, MapInfo& map, Rng& rng) {
    const float sx = static_cast<float>(world.size_x()), sy = static_cast<float>(world.size_y());
    const float min_dim = std::min(sx, sy);
    const Vec3 a = spawn_area_centre(world, map, 0), b = spawn_area_centre(world, map, 1);
    const Vec3 mid = (a + b) * 0.5f;
    Vec3 perp{-(b.y - a.y), b.x - a.x, 0.f};
    const float plen = std::fmax(1e-6f, length(perp));
    perp = perp * (1.f / plen);
    const IBox box_a = spawn_box(world, map, 0), box_b = spawn_box(world, map, 1);

    float radius = std::clamp(7.5f * rng.uniform(0.5f, 1.5f), 1.f, std::fmax(1.f, min_dim / 2.f - 2.f));
    // Scan the bisector for centres where the circle fits in the map and clears both spawn
    // squares; prefer those within a quarter of the map of the midpoint, shrink the radius if none.
    constexpr float kStep = 0.25f;
    const int reach = static_cast<int>(min_dim / kStep);
    std::vector<float> near, far;
    for (int attempt = 0; attempt < 32; ++attempt) {
        near.clear();
        far.clear();
        for (int k = -reach; k <= reach; ++k) {
            const float t = static_cast<float>(k) * kStep;
            const float cx = mid.x + perp.x * t, cy = mid.y + perp.y * t;
            const bool inside = cx - radius >= 1.f && cy - radius >= 1.f && cx + radius <= sx - 1.f && cy + radius <= sy - 1.f;
            const float da = distance_to_box(cx, cy, box_a), db = distance_to_box(cx, cy, box_b);
            const bool clear = da > radius && db > radius;
            // On a non-square map the bisector of the centres is no symmetry axis of the squares,
            // so far from the midpoint the distances to the squares drift apart (docs/game_rules.md, "Changes from the original game" 11).
            const bool fair = std::fabs(da - db) <= kZoneFairness * std::fmax(da, db);
            if (inside && clear && fair) (std::fabs(t) <= 0.25f * min_dim ? near : far).push_back(t);
        }
        if (!near.empty() || !far.empty() || radius <= 1.f) break;
        radius = std::fmax(1.f, radius * 0.85f);
    }
    const std::vector<float>& pool = near.empty() ? far : near;
    const float offset = pool.empty() ? 0.f : pool[static_cast<size_t>(rng.integer(0, static_cast<int>(pool.size()) - 1))];
    map.zone = CaptureZone{mid.x + perp.x * offset, mid.y + perp.y * offset, radius};
    clear_zone_columns(world, map.zone);
}

}  // namespace echelon
