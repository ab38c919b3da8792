#pragma once
// Mech movement for one physics substep (docs/game_rules.md, "Movement"): rotation, velocity command,
// axis-separated integration with step-up, gravity and jump jets, collision with the world and
// with other mechs, and the world ceiling (docs/game_rules.md, "Changes from the original game" 2).
#include <span>

#include "echelon/mech/mech_table.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

inline constexpr float kVelocityDamping = 0.98f;
inline constexpr float kStepUpHeight = 1.1f;
inline constexpr float kStepUpMaxVz = 1.0f;
inline constexpr float kLeggedSpeedScale = 0.4f;
inline constexpr float kLeggedAccelScale = 0.5f;
inline constexpr float kWaterSpeedScale = 0.6f;

struct MovementParams {
    float dt;
    float gravity;
};

// Moves every alive mech of one world by one substep. `actions` holds the sanitised action rows
// (stride `action_dim`). Mechs move one at a time in an order shuffled each substep with `rng`,
// so no team always moves first into a contested gap. `order` is scratch of size m.size().
void move_mechs(MechSpan m, const World& world, std::span<const float> actions, int action_dim,
                const MovementParams& p, Rng& rng, std::span<int> order);

// Single-mech pieces, exposed for tests and for the heuristic's look-ahead.
void apply_rotation(MechSpan m, int i, float yaw_input, float dt);
void apply_velocity_command(MechSpan m, int i, const World& world, float forward, float strafe,
                            float vertical, const MovementParams& p);
void integrate_position(MechSpan m, int i, const World& world, float dt);

// Does mech i's box at `centre` touch a movement-blocking voxel or another alive mech?
bool mech_box_blocked(MechSpan m, int i, const World& world, Vec3 centre);

}  // namespace echelon
