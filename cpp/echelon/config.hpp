#pragma once
// Plain configuration structs mirroring echelon.config (Python validates; the core trusts them).
#include <cmath>
#include <cstdint>

namespace echelon {

enum class MapType : int { Simple = 0, Empty = 1 };

struct RewardWeights {
    float zone_tick = 3.0f;   // per decision, agents in the zone: weight x own team's tick
    float approach = 1.5f;    // potential-based shaping toward the zone edge
    float gamma = 0.99f;      // discount used by the shaping potential (match the learner's)
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

    int agents_per_team() const { return 5 * packs_per_team; }
    int num_agents() const { return 2 * agents_per_team(); }
    int action_dim() const { return 9 + 5 + 4 + comm_dim; }
    float decision_seconds() const { return dt * static_cast<float>(decision_repeat); }
    int max_steps() const {
        return static_cast<int>(std::ceil(max_episode_seconds / decision_seconds() - 1e-6f));
    }
    float zone_score_to_win() const { return 0.5f * max_episode_seconds; }
};

}  // namespace echelon
