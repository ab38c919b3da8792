#include "obs.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace echelon {

namespace {
constexpr int kSelfDim = 23;
constexpr int kZoneDim = 11;
constexpr float kMaxStability = 100.f;
constexpr float kMaxHeatFraction = 2.f;

float clamp01(float v) { return std::clamp(v, 0.f, 1.f); }
}  // namespace

ObsLayout::ObsLayout(const SimConfig&) {
    add("self", {kSelfDim});
    add("zone", {kZoneDim});
}

void ObsLayout::add(const std::string& name, std::vector<int> shape) {
    ObsBlock b{name, dim_, std::move(shape)};
    dim_ += b.size();
    blocks_.push_back(std::move(b));
}

const ObsBlock& ObsLayout::block(const std::string& name) const {
    for (const auto& b : blocks_)
        if (b.name == name) return b;
    throw std::out_of_range("no observation block named " + name);
}

namespace {

// self: hull one-hot (4), hp, leg hp, heat (/cap, up to 2), stability, shutdown, legged, fallen,
// velocity in the world frame (3) and in the mech's frame (forward, left, up) (3), both divided
// by the fastest class's speed; cos/sin yaw; position / map size (3); time fraction.
void write_self(MechSpan m, int i, const EpisodeView& ep, float* o) {
    const ClassSpec s = m.spec(i);
    for (int k = 0; k < 4; ++k) o[k] = m.cls[i] == k ? 1.f : 0.f;
    o[4] = clamp01(m.hp[i] / s.hp);
    o[5] = clamp01(m.leg_hp[i] / s.leg_hp);
    o[6] = std::clamp(m.heat[i] / s.heat_cap, 0.f, kMaxHeatFraction);
    o[7] = clamp01(m.stability[i] / kMaxStability);
    o[8] = m.is_shutdown(i) ? 1.f : 0.f;
    o[9] = m.is_legged(i) ? 1.f : 0.f;
    o[10] = m.is_fallen(i) ? 1.f : 0.f;
    const Vec3 v = m.vel[i] * (1.f / kFastestMaxSpeed);
    const float c = std::cos(m.yaw[i]), sn = std::sin(m.yaw[i]);
    o[11] = v.x; o[12] = v.y; o[13] = v.z;
    o[14] = c * v.x + sn * v.y;
    o[15] = -sn * v.x + c * v.y;
    o[16] = v.z;
    o[17] = c; o[18] = sn;
    o[19] = m.pos[i].x / static_cast<float>(ep.size_x);
    o[20] = m.pos[i].y / static_cast<float>(ep.size_y);
    o[21] = m.pos[i].z / static_cast<float>(ep.size_z);
    o[22] = clamp01(ep.time_fraction);
}

// zone: vector to the zone centre / max map side in the world frame (3) and the mech's frame
// (forward, left) (2), distance to the zone edge / map diagonal, radius / max side, in zone,
// own and enemy score / score to win, own side's tonnage margin in the zone.
void write_zone(MechSpan m, int i, const EpisodeView& ep, float* o) {
    const CaptureZone& z = ep.map->zone;
    const float scale = 1.f / static_cast<float>(std::max(1, std::max(ep.size_x, ep.size_y)));
    const float dx = z.cx - m.pos[i].x, dy = z.cy - m.pos[i].y, dz = -m.pos[i].z;
    const float c = std::cos(m.yaw[i]), sn = std::sin(m.yaw[i]);
    o[0] = dx * scale; o[1] = dy * scale; o[2] = dz * scale;
    o[3] = (c * dx + sn * dy) * scale;
    o[4] = (-sn * dx + c * dy) * scale;
    const float diag = std::hypot(static_cast<float>(ep.size_x), static_cast<float>(ep.size_y));
    o[5] = z.distance_to_edge(m.pos[i].x, m.pos[i].y) / diag;
    o[6] = clamp01(z.radius * scale);
    o[7] = z.contains(m.pos[i].x, m.pos[i].y) ? 1.f : 0.f;
    const int own = m.team[i], enemy = 1 - own;
    o[8] = clamp01(ep.zone_score[own] / ep.score_to_win);
    o[9] = clamp01(ep.zone_score[enemy] / ep.score_to_win);
    o[10] = own == 0 ? ep.ticks.margin() : -ep.ticks.margin();
}

}  // namespace

void write_observations(const ObsLayout& layout, MechSpan m, const EpisodeView& ep, std::span<float> out) {
    const int d = layout.dim();
    std::fill(out.begin(), out.end(), 0.f);
    const int self_off = layout.block("self").offset, zone_off = layout.block("zone").offset;
    for (int i = 0; i < m.size(); ++i) {
        if (!m.alive[i]) continue;
        float* row = &out[static_cast<size_t>(i) * d];
        write_self(m, i, ep, row + self_off);
        write_zone(m, i, ep, row + zone_off);
    }
}

}  // namespace echelon
