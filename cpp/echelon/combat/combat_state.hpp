#pragma once
// Per-world combat state and the context every combat mechanic works on (the substep that orders
// the mechanics is combat/substep.hpp).
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/config.hpp"
#include "echelon/mech/actions.hpp"
#include "echelon/rules/episode_stats.hpp"
#include "echelon/rules/step_tally.hpp"
#include "echelon/combat/events.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/combat/projectile_pool.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/combat/smoke.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

enum class ShotKind : uint8_t { Hitscan, Paint, Spawn };

// A shot decided on the pre-fire state of a substep and applied afterwards (docs/game_rules.md, "Changes from the original game" 3).
struct ShotPlan {
    ShotKind kind;
    Weapon weapon;
    int16_t shooter, target;
    uint8_t leg_hit;
    Projectile projectile;  // for ShotKind::Spawn
};

// Pool sizes per world (documented caps; a full pool drops the shot and counts it):
//  projectiles: 8 per agent (a heavy has at most ~2 missiles and 1 gauss round in flight, a
//  medium ~3 autocannon rounds, anyone 1 smoke shell); smoke clouds: 3 per agent (10 s clouds,
//  one launch per 5 s); events: 64 per agent per decision step.
inline constexpr int kProjectilesPerAgent = 8, kCloudsPerAgent = 3, kEventsPerAgent = 64;

struct CombatState {
    ProjectilePool projectiles;
    SmokePool smoke;
    EventLog events;
    StepTally tally;                     // this decision step's counts, read by the rewards
    std::vector<ShotPlan> plans;         // scratch for the weapons phase
    std::vector<int32_t> plan_order;
    std::vector<float> comm;             // [A, comm_dim] last message of each agent
    std::vector<int32_t> contact_ids;    // [A, 5] agent index in each contact slot of the last obs, -1 empty
    int32_t tick = 0;                    // substeps since the episode started
    int64_t dropped_shots = 0;           // shots lost to a full projectile pool (never expected)

    void init(int agents, int comm_dim) {
        const size_t a = static_cast<size_t>(agents);
        projectiles.init(a * kProjectilesPerAgent);
        smoke.init(a * kCloudsPerAgent);
        events.init(a * kEventsPerAgent);
        tally.resize(a);
        plans.assign(a * 4, ShotPlan{});
        plan_order.assign(a * 4, 0);
        comm.assign(a * static_cast<size_t>(comm_dim), 0.f);
        contact_ids.assign(a * kContactSlots, -1);
    }
};

struct CombatCtx {
    const SimConfig& cfg;
    MechSpan m;
    World& world;
    CombatState& cs;
    Rng& rng;
    float* stats;  // the world's episode statistics
    int agents_per_team() const { return cfg.agents_per_team(); }
    void emit(EventType type, Weapon weapon, int shooter, int target, Vec3 pos, float value, uint8_t flags = 0) {
        cs.events.push(Event{cs.tick, type, weapon, flags, static_cast<int16_t>(shooter), static_cast<int16_t>(target),
                             pos, value});
    }
    void stat(int base, int team, float v = 1.f) { stats[base + team] += v; }
};

}  // namespace echelon
