#include "echelon/maps/connectivity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "echelon/maps/placement.hpp"

namespace echelon::terrain {

namespace {

constexpr const char* kTeamNames[2] = {"blue", "red"};
constexpr const char* kClassNames[kNumClasses] = {"scout", "light", "medium", "heavy"};

// Block origin whose footprint is centred nearest to (x, y), clamped to the graph.
void block_near(const NavGraph& g, float x, float y, int& bx, int& by) {
    const float half = 0.5f * static_cast<float>(g.shape().footprint);
    bx = std::clamp(static_cast<int>(std::lround(x - half)), 0, std::max(0, g.blocks_x() - 1));
    by = std::clamp(static_cast<int>(std::lround(y - half)), 0, std::max(0, g.blocks_y() - 1));
}

// Cheapest 4-connected route over blocks; a block without ground standing costs kDigPenalty more.
std::vector<int> dig_route(const NavGraph& g, int sbx, int sby, int gbx, int gby) {
    const int nx = g.blocks_x(), ny = g.blocks_y();
    const size_t n = static_cast<size_t>(nx) * ny;
    std::vector<float> dist(n, std::numeric_limits<float>::infinity());
    std::vector<int> parent(n, -1);
    using Item = std::pair<float, int>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> pq;
    const int start = sby * nx + sbx, goal = gby * nx + gbx;
    dist[static_cast<size_t>(start)] = 0.f;
    pq.push({0.f, start});
    constexpr int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
    while (!pq.empty()) {
        const auto [d, b] = pq.top();
        pq.pop();
        if (d > dist[static_cast<size_t>(b)]) continue;
        if (b == goal) break;
        const int bx = b % nx, by = b / nx;
        for (int k = 0; k < 4; ++k) {
            const int tx = bx + dx[k], ty = by + dy[k];
            if (tx < 0 || ty < 0 || tx >= nx || ty >= ny) continue;
            const float step = 1.f + (g.node_at(tx, ty, 0) == kNoNode ? kDigPenalty : 0.f);
            const int t = ty * nx + tx;
            if (d + step < dist[static_cast<size_t>(t)]) {
                dist[static_cast<size_t>(t)] = d + step;
                parent[static_cast<size_t>(t)] = b;
                pq.push({d + step, t});
            }
        }
    }
    std::vector<int> route;
    for (int b = goal; b != -1; b = parent[static_cast<size_t>(b)]) route.push_back(b);
    return route;
}

// Clears a block to the class's headroom (keeping water and lava in layer 0); returns true if dug.
bool dig_block(World& w, const NavShape& s, int bx, int by) {
    bool dug = false;
    for (int z = 0; z < std::min(w.size_z(), s.headroom); ++z)
        for (int y = by; y < by + s.footprint; ++y)
            for (int x = bx; x < bx + s.footprint; ++x) {
                const uint8_t m = w.get(x, y, z);
                if (!material_collides(m)) continue;
                w.set(x, y, z, Material::Air);
                dug = true;
            }
    return dug;
}

}  // namespace

NavNode spawn_node(const NavGraph& g, const World& w, const MapInfo& map, int team) {
    const Vec3 c = spawn_area_centre(w, map, team);
    return g.nearest({c.x, c.y, 0.f}, std::max(4, map.spawn_clear / 2));
}

bool reaches_zone(const NavGraph& g, NavNode start, const CaptureZone& zone, std::vector<uint8_t>& scratch) {
    if (!g.valid(start)) return false;
    // Greedy best-first toward the zone centre: complete (it only stops when the open set is
    // empty or a zone node is found) and, on open maps, far cheaper than flooding the graph.
    scratch.assign(static_cast<size_t>(g.id_space()), 0);
    auto distance = [&](NavNode n) {
        const Vec3 p = g.node_position(n);
        return std::fabs(p.x - zone.cx) + std::fabs(p.y - zone.cy);
    };
    using Item = std::pair<float, NavNode>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
    open.push({distance(start), start});
    scratch[static_cast<size_t>(start)] = 1;
    NavEdge e[8];
    while (!open.empty()) {
        const NavNode n = open.top().second;
        open.pop();
        const Vec3 p = g.node_position(n);
        if (zone.contains(p.x, p.y)) return true;
        const int c = g.edges(n, e);
        for (int i = 0; i < c; ++i) {
            const size_t t = static_cast<size_t>(e[i].to);
            if (scratch[t]) continue;
            scratch[t] = 1;
            open.push({distance(e[i].to), e[i].to});
        }
    }
    return false;
}

void check_connectivity(const World& w, const MapInfo& map, bool out[kNumClasses][2]) {
    std::vector<uint8_t> scratch;
    for (int c = 0; c < kNumClasses; ++c) {
        const NavGraph g(w, nav_shape(static_cast<MechClass>(c)));
        for (int team = 0; team < 2; ++team) out[c][team] = reaches_zone(g, spawn_node(g, w, map, team), map.zone, scratch);
    }
}

ConnectivityReport ensure_connectivity(World& w, const MapInfo& map) {
    ConnectivityReport report;
    std::vector<uint8_t> scratch;
    // Largest hull first: its passage usually serves the smaller ones too.
    for (int round = 0; round < 2 * kNumClasses + 1; ++round) {
        bool all_ok = true;
        for (int c = kNumClasses - 1; c >= 0 && all_ok; --c) {
            NavGraph g(w, nav_shape(static_cast<MechClass>(c)));
            for (int team = 0; team < 2; ++team) {
                const NavNode start = spawn_node(g, w, map, team);
                if (reaches_zone(g, start, map.zone, scratch)) continue;
                all_ok = false;
                int sbx, sby, gbx, gby;
                if (start != kNoNode) {
                    sbx = g.node_bx(start);
                    sby = g.node_by(start);
                } else {
                    const Vec3 sc = spawn_area_centre(w, map, team);
                    block_near(g, sc.x, sc.y, sbx, sby);
                }
                block_near(g, map.zone.cx, map.zone.cy, gbx, gby);
                int dug = 0;
                for (const int b : dig_route(g, sbx, sby, gbx, gby))
                    dug += dig_block(w, g.shape(), b % g.blocks_x(), b / g.blocks_x()) ? 1 : 0;
                report.digs += dug;
                report.fixups.push_back(std::string(kTeamNames[team]) + ":" + kClassNames[c] + ":dug=" + std::to_string(dug));
                break;  // re-check everyone on the changed terrain
            }
        }
        if (all_ok) return report;
    }
    report.ok = false;
    return report;
}

}  // namespace echelon::terrain
