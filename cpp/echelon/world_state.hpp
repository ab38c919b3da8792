#pragma once
// Everything one world owns besides its slice of the mech table.
#include <cstdint>
#include <vector>

#include "map_info.hpp"
#include "rng.hpp"
#include "world.hpp"
#include "zone.hpp"

namespace echelon {

// Per-episode statistics, reported when a world's episode ends. Columns of info["episode_stats"].
enum EpisodeStat : int {
    kStatLength = 0,
    kStatEndReason,
    kStatZoneScoreBlue,
    kStatZoneScoreRed,
    kStatZoneTimeBlue,   // seconds with at least one alive blue mech in the zone
    kStatZoneTimeRed,
    kStatBadActionsBlue, // non-finite action entries replaced by 0
    kStatBadActionsRed,
    kNumEpisodeStats,
};
inline const char* const kEpisodeStatNames[kNumEpisodeStats] = {
    "length", "end_reason", "zone_score_blue", "zone_score_red",
    "zone_time_blue", "zone_time_red", "bad_actions_blue", "bad_actions_red",
};

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
    std::vector<float> potential;  // approach potential before the step
    std::vector<uint8_t> alive_before;
    std::vector<int> order;
};

}  // namespace echelon
