#include "echelon/maps/nav.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "echelon/mech/movement.hpp"

namespace echelon {

namespace {

constexpr float kSqrt2 = 1.41421356f;
// Directions: four orthogonal first, then the diagonals.
constexpr int kDirX[8] = {1, -1, 0, 0, 1, -1, 1, -1};
constexpr int kDirY[8] = {0, 0, 1, -1, 1, 1, -1, -1};

uint64_t grid_mask(int sz) { return sz >= 64 ? ~0ull : ((1ull << sz) - 1ull); }
uint64_t below(int f) { return f >= 64 ? ~0ull : ((1ull << f) - 1ull); }
bool bit(uint64_t m, int f) { return f >= 0 && f < 64 && ((m >> f) & 1ull); }

// Bit f set iff bits f .. f+n-1 of `free` are all set.
uint64_t runs_of(uint64_t free, int n) {
    uint64_t r = free;
    for (int i = 1; i < n; ++i) r &= free >> i;
    return r;
}

}  // namespace

NavShape nav_shape_for_box(float width, float height) {
    if (!(width > 0.f) || !(height > 0.f)) throw std::invalid_argument("nav shape needs a positive width and height");
    NavShape s;
    s.footprint = std::max(1, static_cast<int>(std::ceil(width - 1e-4f)));
    s.headroom = std::max(1, static_cast<int>(std::ceil(height + kNavHoverMargin)));
    s.step_clear = std::max(1, static_cast<int>(std::ceil(kStepUpHeight + height + kNavHoverMargin)) - 1);
    s.height = height;
    return s;
}

NavShape nav_shape(MechClass c) {
    const ClassSpec s = class_spec(c);
    return nav_shape_for_box(2.f * s.half_x, 2.f * s.half_z);
}

NavGraph::NavGraph(const World& world, NavShape shape) : shape_(shape) { rebuild(world); }

void NavGraph::rebuild(const World& world) {
    sx_ = world.size_x();
    sy_ = world.size_y();
    sz_ = world.size_z();
    if (sz_ > 64) throw std::invalid_argument("nav graph supports worlds at most 64 voxels high");
    const int k = shape_.footprint, h = shape_.headroom;
    nbx_ = std::max(0, sx_ - k + 1);
    nby_ = std::max(0, sy_ - k + 1);
    // Floors of one block are at least H + 1 apart (a solid layer and H free layers between).
    cap_ = sz_ >= h ? (sz_ - h) / (h + 1) + 1 : 1;
    const size_t cells = static_cast<size_t>(sx_) * sy_, blocks = static_cast<size_t>(nbx_) * nby_;
    cell_collide_.assign(cells, 0);
    cell_lava_.assign(cells, 0);
    cell_water_.assign(cells, 0);
    block_nodes_.assign(blocks, 0);
    block_free_h_.assign(blocks, 0);
    block_free_step_.assign(blocks, 0);
    count_.assign(blocks, 0);
    floor_.assign(blocks * cap_, 0);
    hazard_.assign(blocks * cap_, 0);
    node_count_ = 0;
    compute_cells(world, 0, 0, sx_, sy_);
    compute_blocks(0, 0, nbx_, nby_);
}

void NavGraph::compute_cells(const World& world, int x0, int y0, int x1, int y1) {
    const auto vox = world.voxels();
    for (int y = y0; y < y1; ++y) {
        const size_t row = static_cast<size_t>(y) * sx_;
        std::fill(cell_collide_.begin() + static_cast<std::ptrdiff_t>(row + x0), cell_collide_.begin() + static_cast<std::ptrdiff_t>(row + x1), 0);
        std::fill(cell_lava_.begin() + static_cast<std::ptrdiff_t>(row + x0), cell_lava_.begin() + static_cast<std::ptrdiff_t>(row + x1), 0);
        std::fill(cell_water_.begin() + static_cast<std::ptrdiff_t>(row + x0), cell_water_.begin() + static_cast<std::ptrdiff_t>(row + x1), 0);
    }
    // Layer by layer, so the voxels are read in memory order.
    for (int z = 0; z < sz_; ++z) {
        const uint64_t b = 1ull << z;
        for (int y = y0; y < y1; ++y) {
            const uint8_t* src = &vox[static_cast<size_t>(world.index(0, y, z))];
            const size_t row = static_cast<size_t>(y) * sx_;
            for (int x = x0; x < x1; ++x) {
                const uint8_t m = src[x];
                if (m == 0) continue;
                if (material_collides(m)) cell_collide_[row + x] |= b;
                else if (m == static_cast<uint8_t>(Material::Lava)) cell_lava_[row + x] |= b;
                else if (m == static_cast<uint8_t>(Material::Water)) cell_water_[row + x] |= b;
            }
        }
    }
}

void NavGraph::compute_blocks(int bx0, int by0, int bx1, int by1) {
    if (bx0 >= bx1 || by0 >= by1) return;
    const int k = shape_.footprint;
    const uint64_t grid = grid_mask(sz_);
    // Separable block reduction: per-cell masks, then k-wide runs along x, then along y.
    const int cw = bx1 - bx0 + k - 1, ch = by1 - by0 + k - 1, bw = bx1 - bx0;
    struct Masks {
        uint64_t free_h, free_step, support, lava;
    };
    std::vector<Masks> cells(static_cast<size_t>(cw) * ch), rows(static_cast<size_t>(bw) * ch);
    for (int y = 0; y < ch; ++y)
        for (int x = 0; x < cw; ++x) {
            const size_t i = static_cast<size_t>(by0 + y) * sx_ + (bx0 + x);
            const uint64_t c = cell_collide_[i], free = ~c & grid;
            cells[static_cast<size_t>(y) * cw + x] = {runs_of(free, shape_.headroom), runs_of(free, shape_.step_clear),
                                                       1ull | (c << 1), cell_lava_[i]};
        }
    for (int y = 0; y < ch; ++y)
        for (int x = 0; x < bw; ++x) {
            Masks m{grid, grid, 0, 0};
            for (int d = 0; d < k; ++d) {
                const Masks& c = cells[static_cast<size_t>(y) * cw + x + d];
                m.free_h &= c.free_h;
                m.free_step &= c.free_step;
                m.support |= c.support;
                m.lava |= c.lava;
            }
            rows[static_cast<size_t>(y) * bw + x] = m;
        }
    for (int by = by0; by < by1; ++by)
        for (int bx = bx0; bx < bx1; ++bx) {
            Masks m{grid, grid, 0, 0};
            for (int d = 0; d < k; ++d) {
                const Masks& r = rows[static_cast<size_t>(by - by0 + d) * bw + (bx - bx0)];
                m.free_h &= r.free_h;
                m.free_step &= r.free_step;
                m.support |= r.support;
                m.lava |= r.lava;
            }
            const uint64_t water = cell_water_[static_cast<size_t>(by + k / 2) * sx_ + (bx + k / 2)];
            const size_t b = block_index(bx, by);
            const uint64_t nodes = m.free_h & m.support;
            block_free_h_[b] = m.free_h;
            block_free_step_[b] = m.free_step;
            block_nodes_[b] = nodes;
            node_count_ -= count_[b];
            int slot = 0;
            for (uint64_t bits = nodes; bits != 0 && slot < cap_; bits &= bits - 1, ++slot) {
                const int f = std::countr_zero(bits);
                const size_t id = b * cap_ + slot;
                floor_[id] = static_cast<uint8_t>(f);
                hazard_[id] = bit(m.lava, f) ? 2 : (bit(water, f) ? 1 : 0);
            }
            count_[b] = static_cast<uint8_t>(slot);
            node_count_ += slot;
        }
}

void NavGraph::patch(const World& world, IBox changed) {
    if (world.size_x() != sx_ || world.size_y() != sy_ || world.size_z() != sz_) {
        rebuild(world);
        return;
    }
    const int x0 = std::max(0, changed.x0), y0 = std::max(0, changed.y0);
    const int x1 = std::min(sx_, changed.x1), y1 = std::min(sy_, changed.y1);
    if (x0 >= x1 || y0 >= y1) return;
    compute_cells(world, x0, y0, x1, y1);
    const int k = shape_.footprint;
    compute_blocks(std::max(0, x0 - k + 1), std::max(0, y0 - k + 1), std::min(nbx_, x1), std::min(nby_, y1));
}

void NavGraph::patch_from_changes(const World& world) {
    if (world.full_rebuild()) {
        rebuild(world);
        return;
    }
    const auto ch = world.changed();
    if (ch.empty()) return;
    IBox box{sx_, sy_, 0, 0, 0, 1};
    for (const int32_t idx : ch) {
        const int x = idx % sx_, y = (idx / sx_) % sy_;
        box.x0 = std::min(box.x0, x);
        box.y0 = std::min(box.y0, y);
        box.x1 = std::max(box.x1, x + 1);
        box.y1 = std::max(box.y1, y + 1);
    }
    patch(world, box);
}

bool NavGraph::valid(NavNode n) const {
    if (n < 0 || n >= id_space()) return false;
    return n % cap_ < count_[static_cast<size_t>(n / cap_)];
}

NavNode NavGraph::id_of(size_t block, int f) const {
    // Callers know the floor is a node of the block; columns hold a handful of floors.
    const size_t base = block * cap_;
    int s = 0;
    while (s + 1 < count_[block] && floor_[base + s] != f) ++s;
    return static_cast<NavNode>(base + s);
}

NavNode NavGraph::node_at(int bx, int by, int f) const {
    if (bx < 0 || by < 0 || bx >= nbx_ || by >= nby_) return kNoNode;
    const size_t b = block_index(bx, by);
    return bit(block_nodes_[b], f) ? id_of(b, f) : kNoNode;
}

Vec3 NavGraph::node_position(NavNode n) const {
    const float half = 0.5f * static_cast<float>(shape_.footprint);
    return {static_cast<float>(node_bx(n)) + half, static_cast<float>(node_by(n)) + half,
            static_cast<float>(node_floor(n))};
}

int NavGraph::edges(NavNode n, NavEdge out[8]) const {
    const size_t b = static_cast<size_t>(n / cap_);
    const int bx = static_cast<int>(b % nbx_), by = static_cast<int>(b / nbx_);
    const int f = floor_[static_cast<size_t>(n)];
    const bool can_step = static_cast<float>(f) + kStepUpHeight + shape_.height + kNavHoverMargin <= static_cast<float>(sz_);
    int count = 0;
    auto emit = [&](size_t tb, int tf, float base, bool climb) {
        const NavNode to = id_of(tb, tf);
        const uint8_t hz = hazard_[static_cast<size_t>(to)];
        float cost = base * (hz == 1 ? kWaterCostScale : 1.f);
        if (hz == 2) cost += kLavaCost;
        if (climb) cost += kClimbCost;
        out[count++] = NavEdge{to, cost};
    };
    for (int d = 0; d < 8; ++d) {
        const int tx = bx + kDirX[d], ty = by + kDirY[d];
        if (tx < 0 || ty < 0 || tx >= nbx_ || ty >= nby_) continue;
        const size_t tb = block_index(tx, ty);
        const uint64_t tn = block_nodes_[tb];
        if (d >= 4) {  // diagonal: flat ground only, both orthogonal blocks standable at f
            if (bit(tn, f) && bit(block_nodes_[block_index(tx, by)], f) && bit(block_nodes_[block_index(bx, ty)], f))
                emit(tb, f, kSqrt2, false);
            continue;
        }
        if (bit(tn, f)) {
            emit(tb, f, 1.f, false);
        } else if (bit(tn, f + 1)) {
            if (can_step && bit(block_free_step_[b], f + 1) && bit(block_free_step_[tb], f + 1)) emit(tb, f + 1, 1.f, true);
        } else if (bit(block_free_h_[tb], f)) {
            const uint64_t lower = tn & below(f);
            if (lower != 0) emit(tb, 63 - std::countl_zero(lower), 1.f, false);
        }
    }
    return count;
}

NavNode NavGraph::nearest(Vec3 feet, int max_radius) const {
    const float half = 0.5f * static_cast<float>(shape_.footprint);
    const int cbx = static_cast<int>(std::lround(feet.x - half)), cby = static_cast<int>(std::lround(feet.y - half));
    NavNode best = kNoNode;
    float best_score = std::numeric_limits<float>::infinity();
    for (int by = std::max(0, cby - max_radius); by <= std::min(nby_ - 1, cby + max_radius); ++by)
        for (int bx = std::max(0, cbx - max_radius); bx <= std::min(nbx_ - 1, cbx + max_radius); ++bx) {
            const size_t b = block_index(bx, by);
            for (int s = 0; s < count_[b]; ++s) {
                const NavNode n = static_cast<NavNode>(b * cap_ + s);
                const Vec3 p = node_position(n);
                const float dx = p.x - feet.x, dy = p.y - feet.y, dz = 4.f * (p.z - feet.z);
                const float score = dx * dx + dy * dy + dz * dz;
                if (score < best_score) {
                    best_score = score;
                    best = n;
                }
            }
        }
    return best;
}

float NavGraph::heuristic(NavNode a, NavNode b) const {
    const float dx = static_cast<float>(std::abs(node_bx(a) - node_bx(b)));
    const float dy = static_cast<float>(std::abs(node_by(a) - node_by(b)));
    return std::max(dx, dy) + (kSqrt2 - 1.f) * std::min(dx, dy);
}

void NavGraph::reachable_from(NavNode start, std::vector<uint8_t>& flags) const {
    flags.assign(static_cast<size_t>(id_space()), 0);
    if (!valid(start)) return;
    std::vector<NavNode> stack{start};
    flags[static_cast<size_t>(start)] = 1;
    NavEdge e[8];
    while (!stack.empty()) {
        const NavNode n = stack.back();
        stack.pop_back();
        const int c = edges(n, e);
        for (int i = 0; i < c; ++i)
            if (!flags[static_cast<size_t>(e[i].to)]) {
                flags[static_cast<size_t>(e[i].to)] = 1;
                stack.push_back(e[i].to);
            }
    }
}

void NavSearch::prepare(const NavGraph& g) {
    const size_t n = static_cast<size_t>(g.id_space());
    if (gcost_.size() != n) {
        gcost_.assign(n, 0.f);
        parent_.assign(n, kNoNode);
        seen_.assign(n, 0);
        closed_.assign(n, 0);
        stamp_ = 0;
    }
    if (++stamp_ == 0) {  // wrapped: clear once every 2^32 searches
        std::fill(seen_.begin(), seen_.end(), 0);
        std::fill(closed_.begin(), closed_.end(), 0);
        stamp_ = 1;
    }
    heap_.clear();
}

NavPath NavSearch::find_path(const NavGraph& g, NavNode start, NavNode goal) {
    NavPath out;
    if (!g.valid(start) || !g.valid(goal)) return out;
    prepare(g);
    // Min-heap on f; ties prefer the larger g (deeper node), which finds equal-cost paths sooner.
    auto worse = [](const Entry& a, const Entry& b) { return a.f > b.f || (a.f == b.f && a.g < b.g); };
    gcost_[static_cast<size_t>(start)] = 0.f;
    parent_[static_cast<size_t>(start)] = kNoNode;
    seen_[static_cast<size_t>(start)] = stamp_;
    heap_.push_back({g.heuristic(start, goal), 0.f, start});
    NavEdge e[8];
    while (!heap_.empty()) {
        std::pop_heap(heap_.begin(), heap_.end(), worse);
        const Entry cur = heap_.back();
        heap_.pop_back();
        const size_t ci = static_cast<size_t>(cur.n);
        if (closed_[ci] == stamp_ || cur.g > gcost_[ci]) continue;  // stale entry
        closed_[ci] = stamp_;
        ++out.expanded;
        if (cur.n == goal) break;
        const int c = g.edges(cur.n, e);
        for (int i = 0; i < c; ++i) {
            const size_t ni = static_cast<size_t>(e[i].to);
            if (closed_[ni] == stamp_) continue;
            const float ng = cur.g + e[i].cost;
            if (seen_[ni] == stamp_ && ng >= gcost_[ni]) continue;
            seen_[ni] = stamp_;
            gcost_[ni] = ng;
            parent_[ni] = cur.n;
            heap_.push_back({ng + g.heuristic(e[i].to, goal), ng, e[i].to});
            std::push_heap(heap_.begin(), heap_.end(), worse);
        }
    }
    if (closed_[static_cast<size_t>(goal)] != stamp_) return out;
    out.found = true;
    out.cost = gcost_[static_cast<size_t>(goal)];
    for (NavNode n = goal; n != kNoNode; n = parent_[static_cast<size_t>(n)]) out.nodes.push_back(n);
    std::reverse(out.nodes.begin(), out.nodes.end());
    return out;
}

std::vector<float> NavSearch::all_costs(const NavGraph& g, NavNode start) {
    std::vector<float> cost(static_cast<size_t>(g.id_space()), std::numeric_limits<float>::infinity());
    if (!g.valid(start)) return cost;
    prepare(g);
    auto worse = [](const Entry& a, const Entry& b) { return a.f > b.f; };
    cost[static_cast<size_t>(start)] = 0.f;
    heap_.push_back({0.f, 0.f, start});
    NavEdge e[8];
    while (!heap_.empty()) {
        std::pop_heap(heap_.begin(), heap_.end(), worse);
        const Entry cur = heap_.back();
        heap_.pop_back();
        if (cur.g > cost[static_cast<size_t>(cur.n)]) continue;
        const int c = g.edges(cur.n, e);
        for (int i = 0; i < c; ++i) {
            const float ng = cur.g + e[i].cost;
            if (ng < cost[static_cast<size_t>(e[i].to)]) {
                cost[static_cast<size_t>(e[i].to)] = ng;
                heap_.push_back({ng, ng, e[i].to});
                std::push_heap(heap_.begin(), heap_.end(), worse);
            }
        }
    }
    return cost;
}

std::vector<Vec3> path_waypoints(const NavGraph& g, const NavPath& p) {
    std::vector<Vec3> out;
    out.reserve(p.nodes.size());
    for (const NavNode n : p.nodes) out.push_back(g.node_position(n));
    return out;
}

}  // namespace echelon
