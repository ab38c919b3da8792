#pragma once
// The projectiles in flight of one world: a fixed pool, kept in creation order. Data only; their
// flight is combat/projectiles.hpp.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/base/vec3.hpp"
#include "echelon/combat/weapons.hpp"

namespace echelon {

struct StateAccess;

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

}  // namespace echelon
