#pragma once
// Everything one world owns besides its slice of the mech table.
#include <cstdint>
#include <vector>

#include "echelon/combat/combat_state.hpp"
#include "echelon/rules/episode_stats.hpp"
#include "echelon/maps/map_info.hpp"
#include "echelon/obs/cache.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"
#include "echelon/rules/rewards.hpp"
#include "echelon/rules/zone.hpp"

namespace echelon {

struct WorldState {
    World world;
    MapInfo map;
    Rng sim_rng;
    int64_t episode = -1;  // episodes started in this world; -1 before the first reset
    int step = 0;
    int64_t bad_action_entries = 0;  // since construction, across episodes
    float zone_score[2] = {0.f, 0.f};
    ZoneTicks ticks;
    float stats[kNumEpisodeStats] = {};
    // Per-world scratch, sized once so a step allocates nothing.
    std::vector<float> actions;    // sanitised action rows
    DecisionStart start;           // alive, approach potential, contested: at the step's start
    std::vector<int> order;        // movement order, shuffled every substep
    CombatState combat;
    ObsCache obs_cache;
};

}  // namespace echelon
