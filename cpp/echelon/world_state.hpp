#pragma once
// Everything one world owns besides its slice of the mech table.
#include <cstdint>
#include <vector>

#include "echelon/combat/combat_state.hpp"
#include "echelon/maps/map_info.hpp"
#include "echelon/obs/cpu_writer.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/world/world.hpp"
#include "echelon/rules/zone.hpp"

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
    // Combat, per team (blue then red: index base + team). Credited to the acting team.
    kStatKillsBlue, kStatKillsRed,                  // enemy mechs killed
    kStatTeamKillsBlue, kStatTeamKillsRed,          // own mechs killed by own fire (splash)
    kStatDeathsBlue, kStatDeathsRed,                // own mechs lost, any cause
    kStatHazardDeathsBlue, kStatHazardDeathsRed,    // own mechs killed by lava / debris
    kStatDamageBlue, kStatDamageRed,                // damage dealt to enemies (capped at remaining HP)
    kStatFriendlyDamageBlue, kStatFriendlyDamageRed,// damage dealt to the own team (capped)
    kStatShotsBlue, kStatShotsRed,                  // laser, flamer, missile, gauss, autocannon discharges
    kStatHitsBlue, kStatHitsRed,                    // direct hits on enemies
    kStatPaintsBlue, kStatPaintsRed,
    kStatAssistsBlue, kStatAssistsRed,
    kStatKnockdownsBlue, kStatKnockdownsRed,        // own mechs knocked down
    kStatShutdownsBlue, kStatShutdownsRed,          // own mechs entering shutdown
    kStatLeggedBlue, kStatLeggedRed,                // own mechs losing their legs
    kStatAmsInterceptsBlue, kStatAmsInterceptsRed,  // missiles shot down by the team's AMS
    kStatVoxelsDestroyedBlue, kStatVoxelsDestroyedRed,
    kNumEpisodeStats,
};
inline const char* const kEpisodeStatNames[kNumEpisodeStats] = {
    "length", "end_reason", "zone_score_blue", "zone_score_red",
    "zone_time_blue", "zone_time_red", "bad_actions_blue", "bad_actions_red",
    "kills_blue", "kills_red", "team_kills_blue", "team_kills_red", "deaths_blue", "deaths_red",
    "hazard_deaths_blue", "hazard_deaths_red", "damage_blue", "damage_red",
    "friendly_damage_blue", "friendly_damage_red", "shots_blue", "shots_red", "hits_blue", "hits_red",
    "paints_blue", "paints_red", "assists_blue", "assists_red", "knockdowns_blue", "knockdowns_red",
    "shutdowns_blue", "shutdowns_red", "legged_blue", "legged_red", "ams_intercepts_blue", "ams_intercepts_red",
    "voxels_destroyed_blue", "voxels_destroyed_red",
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
    std::vector<uint8_t> contested_before;  // in a contested zone at the start of the step
    CombatState combat;
    ObsCache obs_cache;
};

}  // namespace echelon
