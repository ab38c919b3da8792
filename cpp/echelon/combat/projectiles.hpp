#pragma once
// Projectiles in flight (reference sim.md §11): a fixed pool per world, kept in creation order.
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/world/raycast.hpp"
#include "echelon/combat/weapons.hpp"

namespace echelon {

struct StateAccess;

struct CombatCtx;

struct Projectile {
    Vec3 pos, vel;
    float speed, damage, stab_damage, splash_radius, splash_scale;
    int32_t age_ticks, life_ticks;
    int16_t shooter, target;  // agent indices; target -1 when unguided
    uint8_t team;             // shooter's team: direct hits skip it (its splash does not)
    Weapon weapon;
    Guidance guidance;
    uint8_t ams_engaged;      // an AMS has already rolled against this missile
};

class ProjectilePool {
    friend struct StateAccess;  // snapshot.cpp: save/load of the private state

public:
    void init(size_t capacity) { items_.assign(capacity, Projectile{}); n_ = 0; }
    void clear() { n_ = 0; }
    bool full() const { return n_ >= items_.size(); }
    bool add(const Projectile& p) {
        if (full()) return false;
        items_[n_++] = p;
        return true;
    }
    std::span<Projectile> live() { return {items_.data(), n_}; }
    std::span<const Projectile> live() const { return {items_.data(), n_}; }
    // Drops the projectiles marked dead (life_ticks < 0), keeping creation order.
    void compact() {
        size_t k = 0;
        for (size_t i = 0; i < n_; ++i)
            if (items_[i].life_ticks >= 0) items_[k++] = items_[i];
        n_ = k;
    }

private:
    std::vector<Projectile> items_;
    size_t n_ = 0;
};

// Walks the voxels from a to b (end cell included, start cell not) and stops at the first one
// that blocks movement OR sight: GLASS stops rounds (no tunnelling, reference §21.17) and so does
// FOLIAGE. Leaving the grid counts as blocked with no voxel.
RayHit projectile_raycast(const VoxelView& g, Vec3 a, Vec3 b);

// The point just before voxel (x, y, z) on segment a→b, so cover shields what is behind it (§11.4).
Vec3 point_before_voxel(Vec3 a, Vec3 b, int x, int y, int z);

// Entry parameter t in [0, 1] of segment a→b into the box [lo, hi]; returns false if it misses.
bool segment_box_entry(Vec3 a, Vec3 b, Vec3 lo, Vec3 hi, float& t);

// One substep for every live projectile: age, AMS, guidance, sweep against mechs and terrain,
// impacts, explosions, smoke bursts.
void update_projectiles(CombatCtx& ctx);

}  // namespace echelon
