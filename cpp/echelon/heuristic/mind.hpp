#pragma once
// What the heuristic opponent remembers about each of its mechs: stuck detection, the path it
// follows, its target and cover. Read and written by the opponent (heuristic.hpp) and its
// steering (steer.hpp).
#include <cstddef>
#include <vector>

#include "echelon/base/vec3.hpp"
#include "echelon/mech/mech_fields.hpp"

namespace echelon {

// Per-mech memory. Cleared at every episode start.
struct MechMind {
    // Stuck detection over a window of sim time: distance covered vs distance commanded.
    Vec3 window_start{};
    float window_s = 0.f, window_expected = 0.f;
    float stuck_s = 0.f;
    int unstick_left = 0;     // decisions left in the back-off manoeuvre
    float unstick_side = 1.f; // strafe side of the manoeuvre (+1 left, -1 right)
    int wall_side = 0;        // local steering: side it slides along a wall (0 = not yet chosen)
    float commanded = 0.f;    // speed fraction commanded by the last decision
    // Path following (nav graph, level 2+).
    std::vector<Vec3> path;   // waypoints (mech feet), start first
    size_t next = 0;          // index of the waypoint being walked to
    Vec3 path_goal{};
    float replan_s = 0.f;     // seconds until the next periodic re-plan
    bool has_path = false;
    // Combat.
    int target = kNoMech;     // the enemy it aims at (its focus target)
    float cover_s = 0.f;      // seconds left holding a cover position
    Vec3 cover_pos{};
    // Diagnostics, this episode.
    int replans = 0, unsticks = 0;
};

}  // namespace echelon
