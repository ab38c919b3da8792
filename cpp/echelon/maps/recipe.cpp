#include "echelon/maps/recipe.hpp"

#include <cstdio>

namespace echelon::terrain {

uint64_t fnv1a64(const void* data, size_t n, uint64_t h) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t content_hash(const World& w) {
    const uint32_t dims[3] = {static_cast<uint32_t>(w.size_x()), static_cast<uint32_t>(w.size_y()),
                              static_cast<uint32_t>(w.size_z())};
    uint8_t head[12];
    for (int i = 0; i < 3; ++i)
        for (int b = 0; b < 4; ++b) head[4 * i + b] = static_cast<uint8_t>(dims[i] >> (8 * b));  // little-endian everywhere
    const uint64_t h = fnv1a64(head, sizeof head);
    return fnv1a64(w.voxels().data(), w.voxels().size(), h);
}

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string_view corner_name(Corner c) {
    switch (c) {
        case Corner::BottomLeft: return "BL";
        case Corner::BottomRight: return "BR";
        case Corner::TopLeft: return "TL";
        default: return "TR";
    }
}

namespace {

std::string num(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

// Built by appending: GCC 12 warns falsely (-Wrestrict) on `"literal" + std::string` once inlined.
std::string quoted(std::string_view s) {
    std::string r;
    r.reserve(s.size() + 2);
    r += '"';
    r += s;
    r += '"';
    return r;
}

std::string point(Vec3 p) {
    std::string r = "[";
    r += num(p.x);
    r += ',';
    r += num(p.y);
    r += ']';
    return r;
}

const char* separator(size_t i) { return i ? "," : ""; }

}  // namespace

// Keys in sorted order at every level, so the text (and its hash) is canonical.
std::string recipe_json(const TerrainMeta& m) {
    std::string s = "{\"corridor_height\":" + std::to_string(m.corridor_height) + ",\"corridors\":[";
    for (size_t i = 0; i < m.corridors.size(); ++i) {
        const Corridor& c = m.corridors[i];
        if (i) s += ",";
        s += "{\"kind\":" + quoted(corridor_name(c.kind)) + ",\"points\":[";
        for (size_t j = 0; j < c.points.size(); ++j) {
            s += separator(j);
            s += point(c.points[j]);
        }
        s += "],\"width\":" + std::to_string(c.width) + "}";
    }
    s += "],\"fixups\":[";
    for (size_t i = 0; i < m.connectivity.fixups.size(); ++i) {
        s += separator(i);
        s += quoted(m.connectivity.fixups[i]);
    }
    s += "],\"generator\":{\"id\":" + quoted(kGeneratorId) + ",\"version\":" + std::to_string(kGeneratorVersion) + "}";
    s += ",\"layout\":{\"biomes\":{";
    constexpr Corner order[4] = {Corner::BottomLeft, Corner::BottomRight, Corner::TopLeft, Corner::TopRight};
    for (int i = 0; i < 4; ++i) {
        s += separator(static_cast<size_t>(i));
        s += quoted(corner_name(order[i])) + ":" + quoted(biome_name(m.layout.biome[static_cast<int>(order[i])]));
    }
    s += "},\"paint_order\":[";
    for (int i = 0; i < 4; ++i) {
        s += separator(static_cast<size_t>(i));
        s += quoted(corner_name(m.layout.paint_order[i]));
    }
    s += "],\"split\":[" + std::to_string(m.layout.split_x) + "," + std::to_string(m.layout.split_y) + "]}";
    s += ",\"packs_per_team\":" + std::to_string(m.packs_per_team);
    s += ",\"schema_version\":1";
    s += ",\"seed\":" + std::to_string(m.seed);
    s += ",\"size\":[" + std::to_string(m.size_x) + "," + std::to_string(m.size_y) + "," + std::to_string(m.size_z) + "]";
    s += ",\"spawns\":{\"blue\":" + quoted(corner_name(m.map.spawn_corner[0])) +
         ",\"canonical_blue\":" + quoted(corner_name(m.canonical_blue)) + ",\"clear\":" + std::to_string(m.map.spawn_clear) +
         ",\"red\":" + quoted(corner_name(m.map.spawn_corner[1])) + "}";
    s += ",\"transform\":" + quoted(transform_name(m.transform));
    s += ",\"zone\":{\"center\":[" + num(m.map.zone.cx) + "," + num(m.map.zone.cy) + "],\"radius\":" + num(m.map.zone.radius) + "}}";
    return s;
}

}  // namespace echelon::terrain
