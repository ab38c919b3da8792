#pragma once
// Projectiles in flight (docs/game_rules.md, "Weapons"): each substep they age, home, sweep
// against mechs and terrain, hit, explode or burst. The pool they live in: projectile_pool.hpp.
#include "echelon/combat/projectile_pool.hpp"
#include "echelon/world/raycast.hpp"

namespace echelon {

struct CombatCtx;

// Walks the voxels from a to b (end cell included, start cell not) and stops at the first one
// that blocks movement OR sight: GLASS stops rounds (no tunnelling through windows, which the
// original game allowed) and so does FOLIAGE. Leaving the grid counts as blocked with no voxel.
RayHit projectile_raycast(const VoxelView& g, Vec3 a, Vec3 b);

// The point just before voxel (x, y, z) on segment a→b, so cover shields what is behind it
// (docs/game_rules.md, "Damage").
Vec3 point_before_voxel(Vec3 a, Vec3 b, int x, int y, int z);

// Entry parameter t in [0, 1] of segment a→b into the box [lo, hi]; returns false if it misses.
bool segment_box_entry(Vec3 a, Vec3 b, Vec3 lo, Vec3 hi, float& t);

// One substep for every live projectile: age, AMS, guidance, sweep against mechs and terrain,
// impacts, explosions, smoke bursts.
void update_projectiles(CombatCtx& ctx);

}  // namespace echelon
