#pragma once
// Plain configuration structs mirroring echelon.config (Python validates; the core trusts them).
#include <cmath>
#include <cstdint>

namespace echelon {

enum class MapType : int { Simple = 0, Empty = 1, Procedural = 2 };

struct RewardWeights {
    float zone_tick = 3.0f;   // per decision, agents in the zone: weight x own team's tick
    float approach = 1.5f;    // potential-based shaping toward the zone edge
    float gamma = 0.99f;      // discount used by the shaping potential (match the learner's)
    // Combat terms (SPEC §4). Damage counts only enemy damage, capped at the victim's remaining HP.
    float damage = 0.05f;           // per point of enemy damage dealt
    float kill = 10.0f;             // per enemy kill
    float assist = 5.0f;            // once per kill of a target painted by the agent (killer in its pack)
    float death = -1.0f;            // once, in the step the agent dies
    float friendly_damage = -0.05f; // per point of damage dealt to the own team (splash), self included
    float team_kill = -10.0f;       // per teammate killed (self included)
    float contested_mult = 2.0f;    // damage/kill/assist x this when the agent started the step in a contested zone
    float contested_death_mult = 0.5f;  // death x this when the agent started the step in a contested zone
    float team_mix = 1.0f;          // alpha: alpha x own reward + (1 - alpha) x team mean
    float win = 0.0f;               // terminal reward for every agent of the winning team
    float loss = 0.0f;              // terminal reward for every agent of the losing team
};

// Tunable combat rules (docs/game_rules.md). Weapon numbers live in weapons.hpp.
struct CombatConfig {
    bool enable_target_selection = true;  // off: focus target always cleared
    bool enable_ewar = true;              // off: ECM/ECCM forced off
    bool enable_obs_control = true;       // off: sort mode "closest", hostile filter off
    bool enable_comm = true;              // off: comm messages stored as zeros
    bool friendly_splash = true;          // splash hurts the shooter's team (never rewarded)
    float ams_intercept_prob = 0.5f;      // one roll per missile per defender, then the defender cools down
    float ams_range = 5.5f;
    float ams_cooldown_s = 1.0f;
    float paint_seconds = 5.0f;
    float paint_bonus = 1.10f;            // direct-hit damage x this for the painter's pack
    float rear_mult = 1.5f;               // hits from within +-45 deg of dead astern
    float leg_hit_chance = 0.10f;         // hitscan; projectiles hit legs geometrically (lowest 30%)
    float knockdown_seconds = 3.0f;
    float suppress_seconds = 1.2f;
    float smoke_cloud_seconds = 10.0f;
    float smoke_cloud_radius = 4.0f;
};

// Which teams the core's scripted opponent drives (docs/heuristic.md). Level -1: the caller's rows
// are used ("external"); 0..kHeuristicMaxLevel: heuristic skill. `omniscient` lets it know every
// enemy's position; otherwise it knows only what its team sees (LOS) or painted, plus memory.
inline constexpr int kHeuristicMaxLevel = 4;
struct HeuristicSettings {
    int level[2] = {-1, -1};  // blue, red
    bool omniscient = false;
};

// Observation options (SPEC §3).
struct ObsConfig {
    int contact_slots = 5;         // K contact rows, 1..20
    bool full_observation = true;  // false: partial sensing (radar x quality, paint, signatures, LOS)
};

struct SimConfig {
    int size_x = 100, size_y = 100, size_z = 20;
    int packs_per_team = 1;
    float dt = 0.05f;
    int decision_repeat = 5;
    float max_episode_seconds = 60.0f;
    int comm_dim = 8;
    MapType map_type = MapType::Simple;
    float obstacle_density = 0.08f;  // fraction of ground area covered by obstacle footprints
    float gravity = 9.81f;
    RewardWeights rewards;
    CombatConfig combat;
    ObsConfig obs;
    HeuristicSettings heuristic;

    int agents_per_team() const { return 5 * packs_per_team; }
    int num_agents() const { return 2 * agents_per_team(); }
    int action_dim() const { return 9 + 5 + 4 + comm_dim; }
    float decision_seconds() const { return dt * static_cast<float>(decision_repeat); }
    int max_steps() const {
        return static_cast<int>(std::ceil(max_episode_seconds / decision_seconds() - 1e-6f));
    }
    float zone_score_to_win() const { return 0.5f * max_episode_seconds; }
    // A duration in whole substeps, rounded up (SPEC §1.10): 0.6 s at dt 0.05 is 12 ticks.
    int32_t ticks(float seconds) const {
        return static_cast<int32_t>(std::ceil(seconds / dt - 1e-4f));
    }
};

}  // namespace echelon
