#include "echelon/maps/spawn.hpp"

#include <algorithm>
#include <cmath>

namespace echelon {

namespace {
constexpr float kSpawnMargin = 2.0f;
// The original game's 3.5 pitch equals the heavy's width, so jitter could start two mechs inside each
// other; a 4.0 pitch leaves a 0.5 gap that the +-0.25 jitter cannot close.
constexpr float kSpawnPitch = 4.0f;
constexpr float kSpawnJitter = 0.25f;

}  // namespace

int spawn_columns(int agents_per_team, int min_map_side) {
    // Widest grid whose square still fits in half the map: 2 + (cols-1)*pitch + 2*1.75 + 1 <= side/2.
    const float room = 0.5f * static_cast<float>(min_map_side) - kSpawnMargin - 2.f * kLargestHalfXY - 1.f;
    const int fit = static_cast<int>(std::floor(room / kSpawnPitch)) + 1;
    return std::clamp(fit, 1, std::min(kPackSize, agents_per_team));
}

int required_spawn_clear(int agents_per_team, int min_map_side) {
    const int cols = spawn_columns(agents_per_team, min_map_side);
    const int rows = (agents_per_team + cols - 1) / cols;
    const float need_x = kSpawnMargin + (cols - 1) * kSpawnPitch + 2.f * kLargestHalfXY;
    const float need_y = kSpawnMargin + (rows - 1) * kSpawnPitch + 2.f * kLargestHalfXY;
    return static_cast<int>(std::ceil(std::max(need_x, need_y) + 1.f));
}

void spawn_teams(MechSpan m, int agents_per_team, const MapInfo& map, const World& world, Rng& rng) {
    const float sx = static_cast<float>(world.size_x()), sy = static_cast<float>(world.size_y());
    const int cols = spawn_columns(agents_per_team, std::min(world.size_x(), world.size_y()));
    for (int i = 0; i < m.size(); ++i) {
        const int team = i < agents_per_team ? 0 : 1;
        const int k = i - team * agents_per_team;
        const MechClass c = roster_class(k);
        const ClassSpec s = class_spec(c);
        const Corner corner = map.spawn_corner[team];
        const int col = k % cols, row = k / cols;
        float x = corner_is_left(corner) ? kSpawnMargin + kSpawnPitch * col + s.half_x
                                         : sx - kSpawnMargin - kSpawnPitch * col - s.half_x;
        float y = corner_is_bottom(corner) ? kSpawnMargin + kSpawnPitch * row + s.half_y
                                           : sy - kSpawnMargin - kSpawnPitch * row - s.half_y;
        x = std::clamp(x + rng.uniform(-kSpawnJitter, kSpawnJitter), s.half_x, sx - s.half_x);
        y = std::clamp(y + rng.uniform(-kSpawnJitter, kSpawnJitter), s.half_y, sy - s.half_y);
        const float yaw = std::atan2(map.zone.cy - y, map.zone.cx - x) + rng.uniform(-0.15f, 0.15f);
        m.cls[i] = static_cast<uint8_t>(c);
        m.team[i] = static_cast<uint8_t>(team);
        m.pos[i] = {x, y, s.half_z};
        m.vel[i] = {0.f, 0.f, 0.f};
        m.yaw[i] = wrap_angle(yaw);
        m.hp[i] = s.hp;
        m.leg_hp[i] = s.leg_hp;
        m.heat[i] = 0.f;
        m.stability[i] = 100.f;
        m.fallen_ticks[i] = 0;
        m.alive[i] = 1;
    }
}

}  // namespace echelon
