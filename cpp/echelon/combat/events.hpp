#pragma once
// The event record of one decision step, for replays, statistics and debugging
// (docs/game_rules.md, "Statistics and events"). A fixed-capacity buffer per world: pushing never allocates; overflow is counted.
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/base/vec3.hpp"
#include "echelon/combat/weapons.hpp"

namespace echelon {

struct StateAccess;

enum class EventType : uint8_t {
    Kill = 0, Assist, WeaponHit, MissileLaunch, KineticFire, Paint, SmokeLaunch, Explosion, SmokeCloud,
    AmsIntercept, Knockdown, Shutdown, Legged, VoxelDestroyed,
};
inline constexpr int kNumEventTypes = 14;
inline const char* const kEventTypeNames[kNumEventTypes] = {
    "kill", "assist", "weapon_hit", "missile_launch", "kinetic_fire", "paint", "smoke_launch", "explosion",
    "smoke_cloud", "ams_intercept", "knockdown", "shutdown", "legged", "voxel_destroyed"};

// Flag bits of Event::flags.
inline constexpr uint8_t kEventCrit = 1, kEventLeg = 2, kEventPainted = 4, kEventSplash = 8, kEventPaintLock = 16;

struct Event {
    int32_t tick;       // substep count within the episode
    EventType type;
    Weapon weapon;
    uint8_t flags;
    int16_t shooter;    // agent index, -1 for none (hazards)
    int16_t target;     // agent index, -1 for none
    Vec3 pos;
    float value;        // damage (hits), radius (explosion, cloud), 0 otherwise
};

class EventLog {
    friend struct StateAccess;  // snapshot.cpp: save/load of the private state

public:
    void init(size_t capacity) { buf_.assign(capacity, Event{}); n_ = 0; }
    void clear() { n_ = 0; }
    void push(const Event& e) {
        if (n_ < buf_.size()) buf_[n_++] = e;
        else ++dropped_;
    }
    std::span<const Event> view() const { return {buf_.data(), n_}; }
    int64_t dropped() const { return dropped_; }

private:
    std::vector<Event> buf_;
    size_t n_ = 0;
    int64_t dropped_ = 0;
};

}  // namespace echelon
