#pragma once
// 2.5-D navigation for one hull class (docs/maps.md, "Navigation"): where a mech of that class can stand, which
// neighbouring stands it can walk, climb or drop to under the sim's real movement rules, and A*
// over that graph.
//
// A node is a standing place: the k x k block of columns with origin (bx, by) that the mech's
// footprint covers, and a floor height f (the z of its feet; 0 is the implicit bedrock). The
// rules follow movement.cpp:
//  * footprint k = ceil(2 * half_x) columns; a node's position is the block centre, where a box of
//    the class's width touches exactly those k x k columns;
//  * headroom H = ceil(height + hover margin): a settled mech hovers up to one substep of fall
//    (<= 0.024 voxel) above its floor, so a 2.0-tall light touches 3 voxel layers;
//  * step-up: the sim lifts a blocked mech by kStepUpHeight (1.1) and keeps the lift only when the
//    raised box is free, so a 1-voxel ledge is climbable when source and target blocks are clear
//    through the raised box; a 2-voxel wall blocks;
//  * drops of any height are allowed (no fall damage) and are one-way edges;
//  * diagonal moves only on flat ground with both orthogonal neighbours standable at the same
//    floor (the sim moves x then y, so the box sweeps all four blocks).
// Costs: 1 per orthogonal, sqrt(2) per diagonal move; entering water costs 1/0.6 x (the speed
// penalty), climbing adds kClimbCost, entering lava adds kLavaCost. The A* heuristic is the octile
// distance between block origins, a lower bound of every path's cost (admissible and consistent).
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/mech/classes.hpp"
#include "echelon/base/vec3.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

inline constexpr float kNavHoverMargin = 0.05f;
inline constexpr float kClimbCost = 0.5f;
inline constexpr float kLavaCost = 10.0f;
inline constexpr float kWaterCostScale = 1.0f / 0.6f;

// What the graph needs to know about a hull.
struct NavShape {
    int footprint = 1;   // k: columns covered in x and y
    int headroom = 1;    // H: free voxel layers needed from the floor up while standing
    int step_clear = 1;  // free voxel layers needed from f+1 up while stepping onto a ledge
    float height = 1.f;  // exact box height, for the ceiling check of a step
};

NavShape nav_shape(MechClass c);
// Shape for an arbitrary box (tests and tools).
NavShape nav_shape_for_box(float width, float height);

using NavNode = int32_t;  // col * capacity + slot; -1 = none
inline constexpr NavNode kNoNode = -1;

struct NavEdge {
    NavNode to;
    float cost;
};

struct NavPath {
    bool found = false;
    float cost = 0.f;
    int expanded = 0;            // nodes closed by the search
    std::vector<NavNode> nodes;  // start .. goal
};

class NavGraph {
public:
    NavGraph() = default;
    NavGraph(const World& world, NavShape shape);

    // Full rebuild from the world's current voxels.
    void rebuild(const World& world);
    // Re-derives every node and edge that the voxels of `changed` (a box, z ignored) can affect.
    // Equivalent to a full rebuild, at the cost of the affected region only.
    void patch(const World& world, IBox changed);
    // Patch from the world's change record (linear voxel indices); full rebuild if it asks for one.
    void patch_from_changes(const World& world);

    const NavShape& shape() const { return shape_; }
    int blocks_x() const { return nbx_; }
    int blocks_y() const { return nby_; }
    int capacity() const { return cap_; }
    int id_space() const { return static_cast<int>(floor_.size()); }
    int node_count() const { return node_count_; }
    bool valid(NavNode n) const;

    int node_bx(NavNode n) const { return (n / cap_) % nbx_; }
    int node_by(NavNode n) const { return (n / cap_) / nbx_; }
    int node_floor(NavNode n) const { return floor_[static_cast<size_t>(n)]; }
    // Mech feet position at the node (block centre, floor height).
    Vec3 node_position(NavNode n) const;
    // Node at block (bx, by) with floor f, or kNoNode.
    NavNode node_at(int bx, int by, int f) const;
    // Nodes of one block column, lowest floor first.
    int column_count(int bx, int by) const { return count_[static_cast<size_t>(by * nbx_ + bx)]; }

    // Outgoing edges (at most 8). Returns how many were written.
    int edges(NavNode n, NavEdge out[8]) const;

    // The node whose position is closest to `feet` (a mech's feet: centre minus half height),
    // searching blocks within `max_radius`; height gaps count 4x so a bridge overhead loses to
    // the ground below. kNoNode when none is within range.
    NavNode nearest(Vec3 feet, int max_radius) const;

    // Octile distance between block origins: a lower bound of the cost from a to b.
    float heuristic(NavNode a, NavNode b) const;

    // Marks every node reachable from `start` (flags indexed by node id, size id_space()).
    void reachable_from(NavNode start, std::vector<uint8_t>& flags) const;

private:
    void compute_cells(const World& world, int x0, int y0, int x1, int y1);
    void compute_blocks(int bx0, int by0, int bx1, int by1);
    size_t block_index(int bx, int by) const { return static_cast<size_t>(by) * nbx_ + bx; }
    NavNode id_of(size_t block, int f) const;

    NavShape shape_{};
    int sx_ = 0, sy_ = 0, sz_ = 0;
    int nbx_ = 0, nby_ = 0, cap_ = 0;
    int node_count_ = 0;
    // Per cell, bit z: the voxel collides / is lava / is water. Heights are at most 64.
    std::vector<uint64_t> cell_collide_, cell_lava_, cell_water_;
    // Per block, bit f: a node stands at floor f / every cell is free for H layers from f /
    // every cell is free for step_clear layers from f.
    std::vector<uint64_t> block_nodes_, block_free_h_, block_free_step_;
    std::vector<uint8_t> count_;   // nodes per block column
    std::vector<uint8_t> floor_;   // per node id
    std::vector<uint8_t> hazard_;  // per node id: 0 none, 1 water, 2 lava
};

// Reusable A* scratch (generation stamps, so nothing is cleared between searches). One per thread.
class NavSearch {
public:
    // A* with a closed set; never gives up on a reachable goal (no pop budget).
    NavPath find_path(const NavGraph& g, NavNode start, NavNode goal);
    // Dijkstra costs from `start` to every node (infinity where unreachable); for tests.
    std::vector<float> all_costs(const NavGraph& g, NavNode start);

private:
    void prepare(const NavGraph& g);
    std::vector<float> gcost_;
    std::vector<NavNode> parent_;
    std::vector<uint32_t> seen_, closed_;
    uint32_t stamp_ = 0;
    struct Entry {
        float f;
        float g;
        NavNode n;
    };
    std::vector<Entry> heap_;
};

// The positions of a path's nodes (mech feet), start first.
std::vector<Vec3> path_waypoints(const NavGraph& g, const NavPath& p);

}  // namespace echelon
