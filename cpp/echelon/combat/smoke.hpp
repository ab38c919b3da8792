#pragma once
// Smoke clouds: spheres that block line of sight (not projectiles, splash or radar) until their
// life runs out (docs/game_rules.md, "Weapons"). A fixed pool per world.
#include <cstdint>
#include <vector>

#include "echelon/world/raycast.hpp"

namespace echelon {

struct StateAccess;

struct SmokeCloud {
    Vec3 centre;
    float radius;
    int32_t ticks_left;
};

class SmokePool {
    friend struct StateAccess;  // snapshot.cpp: save/load of the private state

public:
    void init(size_t capacity) { clouds_.assign(capacity, SmokeCloud{}); n_ = 0; }
    void clear() { n_ = 0; }
    // Returns false (no cloud) when the pool is full; the cap is sized so that cannot happen in play.
    bool add(Vec3 centre, float radius, int32_t ticks) {
        if (n_ >= clouds_.size() || ticks <= 0) return false;
        clouds_[n_++] = {centre, radius, ticks};
        return true;
    }
    // One substep of life; expired clouds are removed (order is irrelevant to LOS).
    void tick() {
        for (size_t k = 0; k < n_;) {
            if (--clouds_[k].ticks_left <= 0) clouds_[k] = clouds_[--n_];
            else ++k;
        }
    }
    bool blocks(Vec3 a, Vec3 b) const {
        for (size_t k = 0; k < n_; ++k)
            if (segment_hits_sphere(a, b, clouds_[k].centre, clouds_[k].radius)) return true;
        return false;
    }
    size_t size() const { return n_; }
    size_t capacity() const { return clouds_.size(); }
    const SmokeCloud& operator[](size_t k) const { return clouds_[k]; }

private:
    std::vector<SmokeCloud> clouds_;
    size_t n_ = 0;
};

}  // namespace echelon
