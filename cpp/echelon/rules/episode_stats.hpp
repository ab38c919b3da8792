#pragma once
// Per-episode statistics: one row of info["episode_stats"] per world whose episode ended. The
// mechanics count into the world's row as things happen (CombatCtx::stat); the simulator adds
// length, end reason and zone scores when the episode ends.

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

}  // namespace echelon
