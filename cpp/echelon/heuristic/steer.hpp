#pragma once
// How the heuristic opponent walks: A* paths on the nav graph (level 2+) or a straight line with
// obstacle probing (levels 0-1, and the fallback when no path exists), plus time-based stuck
// detection and a short back-off manoeuvre that keeps the mech aiming and shooting.
#include "echelon/base/rng.hpp"
#include "echelon/config.hpp"
#include "echelon/heuristic/mind.hpp"
#include "echelon/maps/nav.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

struct SteerContext {
    const SimConfig& cfg;
    MechSpan m;
    const World& world;
    const NavGraph* nav;  // null: obstacle probing only
    Rng& rng;
    float dt;             // seconds per decision
};

// World-frame walking command: unit horizontal direction and speed fraction in [0, 1].
struct Steer {
    float dx = 0.f, dy = 0.f;
    float speed = 0.f;
};

// Direction from mech i toward `goal` (feet position; z used only to pick a nav node). Stops
// within `arrive` (horizontal distance).
Steer steer_toward(MechMind& mind, const SteerContext& c, int i, Vec3 goal, float arrive);

// Updates the stuck detector with the mech's progress since the last decision and starts the
// back-off manoeuvre when it has made less than a quarter of the commanded progress for a second.
// Knocked-down or shut-down mechs are not expected to move.
void update_stuck(MechMind& mind, const SteerContext& c, int i);

// The back-off manoeuvre's command, given the direction it wanted to go.
Steer unstick_command(MechMind& mind, Steer wanted);

}  // namespace echelon
