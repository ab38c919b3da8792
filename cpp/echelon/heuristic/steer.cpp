#include "echelon/heuristic/steer.hpp"

#include <cmath>

#include "echelon/mech/movement.hpp"

namespace echelon {

namespace {

constexpr float kStuckWindowS = 1.0f;     // progress is judged over this much sim time
constexpr float kStuckMinExpected = 0.8f; // vox: windows with less commanded travel are not judged
constexpr float kStuckProgress = 0.25f;   // fraction of the commanded travel that counts as moving
constexpr float kStuckTriggerS = 1.0f;    // stuck this long starts the back-off
constexpr float kUnstickS = 0.75f;
constexpr float kReplanS = 3.0f;          // periodic re-plan (terrain and goals change)
constexpr float kGoalMoved = 3.0f;        // re-plan when the goal moved this far (vox)
constexpr float kOffPath = 5.0f;          // re-plan when this far from the next waypoint
constexpr float kWaypointReached = 0.6f;
constexpr float kPi = 3.14159265f;

float flat_dist(Vec3 a, Vec3 b) { return std::hypot(a.x - b.x, a.y - b.y); }

Steer toward(Vec3 from, Vec3 to, float speed) {
    const float dx = to.x - from.x, dy = to.y - from.y, d = std::hypot(dx, dy);
    if (d < 1e-5f) return {};
    return {dx / d, dy / d, speed};
}

// Would mech i walking along (dx, dy) run into something it cannot step onto?
bool probe_blocked(const SteerContext& c, int i, float dx, float dy) {
    const MechSpan& m = c.m;
    const float reach = m.spec(i).half_x + 0.6f;
    Vec3 trial = m.pos[i];
    trial.x += dx * reach;
    trial.y += dy * reach;
    if (!mech_box_blocked(m, i, c.world, trial)) return false;
    trial.z += kStepUpHeight;
    return mech_box_blocked(m, i, c.world, trial);
}

// Straight at the goal; when a wall is ahead, slide along it on a side kept until the way clears
// (a bug-style wall follower: enough for the levels that do not plan).
Steer probe_steer(MechMind& mind, const SteerContext& c, int i, Steer want) {
    if (want.speed <= 0.f) return want;
    if (!probe_blocked(c, i, want.dx, want.dy)) {
        mind.wall_side = 0;
        return want;
    }
    if (mind.wall_side == 0) mind.wall_side = c.rng.uniform() < 0.5f ? 1 : -1;
    for (int pass = 0; pass < 2; ++pass) {
        const float side = static_cast<float>(pass == 0 ? mind.wall_side : -mind.wall_side);
        for (int k = 1; k <= 5; ++k) {
            const float a = side * static_cast<float>(k) * (kPi / 6.f);
            const float ca = std::cos(a), sa = std::sin(a);
            const float dx = want.dx * ca - want.dy * sa, dy = want.dx * sa + want.dy * ca;
            if (!probe_blocked(c, i, dx, dy)) {
                if (pass == 1) mind.wall_side = -mind.wall_side;
                return {dx, dy, want.speed};
            }
        }
    }
    return {-want.dx, -want.dy, want.speed};
}

Vec3 feet_of(const MechSpan& m, int i) { return m.pos[i] - Vec3{0.f, 0.f, m.spec(i).half_z}; }

void plan(MechMind& mind, const SteerContext& c, int i, Vec3 goal) {
    thread_local NavSearch search;  // A* scratch reused by every world this worker thread steps
    mind.has_path = false;
    mind.path_goal = goal;
    mind.replan_s = kReplanS * (0.75f + 0.5f * c.rng.uniform());  // staggered across mechs
    const NavNode start = c.nav->nearest(feet_of(c.m, i), 3);
    const NavNode end = c.nav->nearest(goal, 8);
    if (start == kNoNode || end == kNoNode) return;
    const NavPath p = search.find_path(*c.nav, start, end);
    ++mind.replans;
    if (!p.found) return;
    mind.path.clear();
    for (const NavNode n : p.nodes) mind.path.push_back(c.nav->node_position(n));
    mind.next = mind.path.size() > 1 ? 1 : 0;
    mind.has_path = true;
}

bool needs_plan(const MechMind& mind, const SteerContext& c, int i, Vec3 goal) {
    if (!mind.has_path || mind.replan_s <= 0.f) return true;
    if (flat_dist(goal, mind.path_goal) > kGoalMoved) return true;
    return flat_dist(c.m.pos[i], mind.path[mind.next]) > kOffPath;
}

// Advances past waypoints already reached or overtaken (fast mechs cover two or three per
// decision), so it never turns back to a point it has passed.
void advance(MechMind& mind, Vec3 pos) {
    const size_t last = mind.path.size() - 1;
    while (mind.next < last) {
        const Vec3 a = mind.path[mind.next], b = mind.path[mind.next + 1];
        const bool reached = flat_dist(pos, a) < kWaypointReached;
        const bool passed = (pos.x - a.x) * (b.x - a.x) + (pos.y - a.y) * (b.y - a.y) > 0.f;
        if (!reached && !passed) break;
        ++mind.next;
    }
}

}  // namespace

Steer steer_toward(MechMind& mind, const SteerContext& c, int i, Vec3 goal, float arrive) {
    const Vec3 pos = c.m.pos[i];
    const float dist = flat_dist(pos, goal);
    if (dist <= arrive) return {};
    const float speed = 1.f;
    if (c.nav != nullptr) {
        mind.replan_s -= c.dt;
        if (needs_plan(mind, c, i, goal)) plan(mind, c, i, goal);
        if (mind.has_path) {
            advance(mind, pos);
            // The goal node is the nearest standable place; from there walk straight at the goal.
            const bool at_end = mind.next + 1 >= mind.path.size() && flat_dist(pos, mind.path.back()) < 1.5f;
            const Vec3 wp = at_end ? goal : mind.path[mind.next];
            Steer s = toward(pos, wp, speed);
            if (s.speed > 0.f) return at_end ? probe_steer(mind, c, i, s) : s;
        }
    }
    return probe_steer(mind, c, i, toward(pos, goal, speed));
}

void update_stuck(MechMind& mind, const SteerContext& c, int i) {
    const MechSpan& m = c.m;
    if (mind.unstick_left > 0) --mind.unstick_left;
    const bool can_move = !m.is_fallen(i) && !m.is_shutdown(i);
    const float speed = m.spec(i).max_speed * (m.is_legged(i) ? kLeggedSpeedScale : 1.f);
    if (mind.window_s == 0.f) mind.window_start = m.pos[i];
    mind.window_s += c.dt;
    if (can_move) mind.window_expected += mind.commanded * speed * c.dt;
    if (mind.window_s + 1e-4f < kStuckWindowS) return;
    const float moved = flat_dist(m.pos[i], mind.window_start);
    const bool judged = mind.window_expected >= kStuckMinExpected;
    if (judged && moved < kStuckProgress * mind.window_expected) mind.stuck_s += mind.window_s;
    else mind.stuck_s = 0.f;
    mind.window_s = 0.f;
    mind.window_expected = 0.f;
    if (mind.stuck_s >= kStuckTriggerS) {
        mind.stuck_s = 0.f;
        mind.unstick_left = static_cast<int>(std::ceil(kUnstickS / c.dt - 1e-4f));
        mind.unstick_side = c.rng.uniform() < 0.5f ? 1.f : -1.f;
        ++mind.unsticks;
        mind.has_path = false;  // plan again from wherever the manoeuvre ends
        mind.wall_side = -mind.wall_side;
    }
}

Steer unstick_command(MechMind& mind, Steer wanted) {
    // Back away at 120 degrees from the wanted direction, to one side.
    const float a = mind.unstick_side * (2.f * kPi / 3.f);
    const float ca = std::cos(a), sa = std::sin(a);
    float dx = wanted.dx, dy = wanted.dy;
    if (wanted.speed <= 0.f) dx = 1.f, dy = 0.f;
    return {dx * ca - dy * sa, dx * sa + dy * ca, 1.f};
}

}  // namespace echelon
