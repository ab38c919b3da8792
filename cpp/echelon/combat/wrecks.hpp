#pragma once
// Wreck debris: a dead mech's box becomes SOLID_DEBRIS or DEBRIS_FIELD (docs/game_rules.md, "Damage").
#include "echelon/mech/mech_table.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

// Fills the AIR / DIRT voxels of the dead mech's box (clipped to the grid), skipping any voxel
// that touches a living mech. The hull type comes from a hash of (agent, class, box), never from
// an RNG stream, so wrecks are identical whatever else happened. HP follows the material (docs/game_rules.md, "Changes from the original game" 1).
// Returns the number of voxels written.
int spawn_wreck(World& world, const MechSpan& m, int dead);

// The hash roll in [0, 1) used by spawn_wreck (exposed for tests).
float wreck_roll(int agent, int cls, int x0, int y0, int z0, int x1, int y1, int z1);

}  // namespace echelon
