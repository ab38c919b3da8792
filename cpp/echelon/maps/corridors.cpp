#include "echelon/maps/corridors.hpp"

#include <algorithm>
#include <cmath>

namespace echelon::terrain {

std::string_view corridor_name(CorridorKind k) {
    switch (k) {
        case CorridorKind::ObjectiveRing: return "objective_ring";
        case CorridorKind::BlueMain: return "blue_lane_main";
        case CorridorKind::BlueFlank: return "blue_lane_flank";
        case CorridorKind::RedMain: return "red_lane_main";
        default: return "red_lane_flank";
    }
}

int corridor_width(const World& w) {
    const int min_dim = std::min(w.size_x(), w.size_y());
    const int width = std::clamp(static_cast<int>(std::lround(0.06 * min_dim)), 5, 8);
    return std::min(width, std::max(2, min_dim / 4));
}

namespace {

bool keeps_floor(uint8_t m) {
    return m == static_cast<uint8_t>(Material::Water) || m == static_cast<uint8_t>(Material::Lava);
}

void clear_square(World& w, int x0, int y0, int width, int height) {
    const int x1 = std::min(w.size_x(), x0 + width), y1 = std::min(w.size_y(), y0 + width);
    const int z1 = std::min(w.size_z(), height);
    for (int y = std::max(0, y0); y < y1; ++y)
        for (int x = std::max(0, x0); x < x1; ++x)
            for (int z = 0; z < z1; ++z) {
                if (z == 0 && keeps_floor(w.get(x, y, 0))) continue;
                w.set(x, y, z, Material::Air);
            }
}

Vec3 clip_point(const World& w, Vec3 p) {
    return {std::clamp(p.x, 1.f, static_cast<float>(w.size_x() - 2)), std::clamp(p.y, 1.f, static_cast<float>(w.size_y() - 2)), 0.f};
}

}  // namespace

void carve_line(World& w, Vec3 a, Vec3 b, int width, int height) {
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    const int samples = static_cast<int>(1.5f * len) + 1;
    const float half = 0.5f * static_cast<float>(width);
    int last_x = INT32_MIN, last_y = INT32_MIN;
    for (int i = 0; i <= samples; ++i) {
        const float t = samples > 0 ? static_cast<float>(i) / static_cast<float>(samples) : 0.f;
        const int x0 = static_cast<int>(std::floor(a.x + dx * t - half + 0.5f));
        const int y0 = static_cast<int>(std::floor(a.y + dy * t - half + 0.5f));
        if (x0 == last_x && y0 == last_y) continue;
        clear_square(w, x0, y0, width, height);
        last_x = x0;
        last_y = y0;
    }
}

std::vector<Corridor> carve_corridors(World& w, const MapInfo& map, Vec3 blue_anchor, Vec3 red_anchor, int height,
                                      Rng& rng) {
    std::vector<Corridor> out;
    const int width = corridor_width(w);
    const int min_dim = std::min(w.size_x(), w.size_y());
    const Vec3 zc{map.zone.cx, map.zone.cy, 0.f};

    const int ring = std::clamp(static_cast<int>(std::lround(map.zone.radius + 1.25f * static_cast<float>(width))), 3,
                                std::max(3, static_cast<int>(0.35f * static_cast<float>(min_dim))));
    const float r = static_cast<float>(ring);
    Corridor ring_c{CorridorKind::ObjectiveRing, width, {}};
    const Vec3 corners[4] = {{zc.x - r, zc.y - r, 0.f}, {zc.x + r, zc.y - r, 0.f}, {zc.x + r, zc.y + r, 0.f}, {zc.x - r, zc.y + r, 0.f}};
    for (const Vec3& c : corners) ring_c.points.push_back(clip_point(w, c));
    ring_c.points.push_back(ring_c.points.front());
    for (int i = 0; i < 4; ++i) carve_line(w, ring_c.points[static_cast<size_t>(i)], ring_c.points[static_cast<size_t>(i) + 1], width, height);
    out.push_back(std::move(ring_c));

    for (int team = 0; team < 2; ++team) {
        const Vec3 anchor = team == 0 ? blue_anchor : red_anchor;
        const Vec3 d = zc - anchor;
        const float len = std::max(1e-6f, std::sqrt(d.x * d.x + d.y * d.y));
        const Vec3 normal{-d.y / len, d.x / len, 0.f};
        float side = team == 0 ? -1.f : 1.f;
        const float offset = rng.uniform(1.5f, 2.5f) * static_cast<float>(width);
        if (rng.uniform() < 0.5f) side = -side;
        const Vec3 shift = normal * (side * offset);
        const Vec3 a = clip_point(w, anchor), b = clip_point(w, zc);
        const Vec3 fa = clip_point(w, anchor + shift), fb = clip_point(w, zc + shift);
        carve_line(w, a, b, width, height);
        carve_line(w, fa, fb, width, height);
        out.push_back({team == 0 ? CorridorKind::BlueMain : CorridorKind::RedMain, width, {a, b}});
        out.push_back({team == 0 ? CorridorKind::BlueFlank : CorridorKind::RedFlank, width, {fa, fb}});
    }
    return out;
}

}  // namespace echelon::terrain
