#pragma once
// The simulator's configuration, declared once. Each row of the lists below gives a field's type,
// default, allowed range and meaning; the structs, echelon._core.config_fields (from which
// echelon.config's dataclasses take their defaults and ranges, so Python and C++ cannot
// disagree) and the bindings derive from them. Python validates, with the field names users
// write; the core trusts what it gets. Game rules behind the numbers: docs/game_rules.md.
#include <cmath>
#include <cstdint>

#include "echelon/mech/actions.hpp"

namespace echelon {

enum class MapType : int { Simple = 0, Empty = 1, Procedural = 2 };

// X(type, name, default, min, max, meaning)
#define ECHELON_REWARD_FIELDS(X)                                                                        \
    X(float, zone_tick, 3.0, -100, 100, "per decision, agents in the zone: weight x own team's tick")  \
    X(float, approach, 1.5, -100, 100, "potential-based shaping toward the zone edge")                 \
    X(float, gamma, 0.99, 0, 1, "discount used by the shaping potential (match the learner's)")        \
    X(float, damage, 0.05, -1000, 1000, "per point of enemy damage dealt (capped at the victim's HP)") \
    X(float, kill, 10.0, -1000, 1000, "per enemy kill")                                                \
    X(float, assist, 5.0, -1000, 1000, "once per kill of a target the agent painted (killer in its pack)") \
    X(float, death, -1.0, -1000, 1000, "once, in the step the agent dies")                             \
    X(float, friendly_damage, -0.05, -1000, 1000, "per point of damage dealt to the own team, self included") \
    X(float, team_kill, -10.0, -1000, 1000, "per teammate killed (self included)")                     \
    X(float, contested_mult, 2.0, 0, 100, "damage/kill/assist x this when the agent started the step in a contested zone") \
    X(float, contested_death_mult, 0.5, 0, 100, "death x this when the agent started the step in a contested zone") \
    X(float, team_mix, 1.0, 0, 1, "alpha: alpha x own reward + (1 - alpha) x team mean")               \
    X(float, win, 0.0, -1000, 1000, "terminal reward for every agent of the winning team")             \
    X(float, loss, 0.0, -1000, 1000, "terminal reward for every agent of the losing team")

#define ECHELON_COMBAT_FIELDS(X)                                                                        \
    X(bool, enable_target_selection, true, 0, 1, "off: focus target always cleared")                    \
    X(bool, enable_ewar, true, 0, 1, "off: ECM/ECCM forced off")                                        \
    X(bool, enable_obs_control, true, 0, 1, "off: sort mode 'closest', hostile filter off")             \
    X(bool, enable_comm, true, 0, 1, "off: comm messages stored as zeros")                              \
    X(bool, friendly_splash, true, 0, 1, "splash hurts the shooter's team (never rewarded)")            \
    X(float, ams_intercept_prob, 0.5, 0, 1, "one roll per missile per defender, then the defender cools down") \
    X(float, ams_range, 5.5, 0, 100, "AMS reach (voxels)")                                             \
    X(float, ams_cooldown_s, 1.0, 0, 60, "AMS cooldown after any roll")                                \
    X(float, paint_seconds, 5.0, 0, 60, "how long a paint mark lasts")                                 \
    X(float, paint_bonus, 1.10, 0, 10, "direct-hit damage x this for the painter's pack")              \
    X(float, rear_mult, 1.5, 0, 10, "hits from within +-45 deg of dead astern")                        \
    X(float, leg_hit_chance, 0.10, 0, 1, "hitscan; projectiles hit legs geometrically (lowest 30%)")   \
    X(float, knockdown_seconds, 3.0, 0, 60, "time on the ground after stability runs out")             \
    X(float, suppress_seconds, 1.2, 0, 60, "autocannon suppression")                                   \
    X(float, smoke_cloud_seconds, 10.0, 0, 600, "smoke cloud lifetime")                                \
    X(float, smoke_cloud_radius, 4.0, 0, 50, "smoke cloud radius (voxels)")

#define ECHELON_OBS_FIELDS(X)                                                                           \
    X(int, contact_slots, 5, 1, 20, "K contact rows in the observation")                                \
    X(bool, full_observation, true, 0, 1, "false: partial sensing (radar x quality, paint, signatures, LOS)")

// max_episode_seconds must also cover one decision (dt x decision_repeat); a procedural map needs
// size_z >= terrain::kMinProceduralHeight; the roster must fit (required_spawn_clear).
#define ECHELON_SIM_FIELDS(X)                                                                           \
    X(int, size_x, 100, 16, 512, "map size in voxels")                                                  \
    X(int, size_y, 100, 16, 512, "map size in voxels")                                                  \
    X(int, size_z, 20, 6, 64, "map height in voxels")                                                   \
    X(int, packs_per_team, 1, 1, 8, "packs of five mechs per team")                                     \
    X(float, dt, 0.05, 0.001, 0.5, "physics substep (seconds)")                                        \
    X(int, decision_repeat, 5, 1, 100, "substeps per decision")                                         \
    X(float, max_episode_seconds, 60.0, 0, 3600, "episode time limit")                                 \
    X(int, comm_dim, 8, 0, 64, "pack message floats in the action and observation")                     \
    X(MapType, map_type, MapType::Procedural, 0, 2, "procedural (biome generator), simple or empty")    \
    X(float, obstacle_density, 0.08, 0, 0.5, "simple maps: share of the ground under obstacles")       \
    X(float, gravity, 9.81, 0, 100, "voxels per second squared")

// Defaults are written as plain decimals so Python reads exactly the number written (0.05, not
// the float nearest to it); each converts to the same float as its f-suffixed literal.
#define ECHELON_CONFIG_MEMBER(type, name, value, lo, hi, meaning) type name = static_cast<type>(value);

struct RewardWeights {
    ECHELON_REWARD_FIELDS(ECHELON_CONFIG_MEMBER)
};

// Tunable combat rules (docs/game_rules.md). Weapon numbers live in combat/weapons.hpp.
struct CombatConfig {
    ECHELON_COMBAT_FIELDS(ECHELON_CONFIG_MEMBER)
};

struct ObsConfig {
    ECHELON_OBS_FIELDS(ECHELON_CONFIG_MEMBER)
};

// Which teams the core's scripted opponent drives (docs/heuristic.md). Level -1: the caller's rows
// are used ("external"); 0..kHeuristicMaxLevel: heuristic skill. `omniscient` lets it know every
// enemy's position; otherwise it knows only what its team sees (LOS) or painted, plus memory.
inline constexpr int kHeuristicMaxLevel = 4;
inline constexpr int kExternalTeam = -1;
struct HeuristicSettings {
    int level[2] = {kExternalTeam, kExternalTeam};  // blue, red
    bool omniscient = false;
};

struct SimConfig {
    ECHELON_SIM_FIELDS(ECHELON_CONFIG_MEMBER)
    RewardWeights rewards;
    CombatConfig combat;
    ObsConfig obs;
    HeuristicSettings heuristic;

    int agents_per_team() const { return 5 * packs_per_team; }
    int num_agents() const { return 2 * agents_per_team(); }
    int action_dim() const { return action::kBaseDim + comm_dim; }
    float decision_seconds() const { return dt * static_cast<float>(decision_repeat); }
    int max_steps() const {
        return static_cast<int>(std::ceil(max_episode_seconds / decision_seconds() - 1e-6f));
    }
    float zone_score_to_win() const { return 0.5f * max_episode_seconds; }
    // A duration in whole substeps, rounded up (docs/game_rules.md, "Time"): 0.6 s at dt 0.05 is
    // 12 ticks.
    int32_t ticks(float seconds) const {
        return static_cast<int32_t>(std::ceil(seconds / dt - 1e-4f));
    }
};

#undef ECHELON_CONFIG_MEMBER

}  // namespace echelon
