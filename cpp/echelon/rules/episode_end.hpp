#pragma once
// Episode end conditions, checked after every decision (docs/game_rules.md, "Zone and episode end").
#include <cstdint>
#include <span>

#include "echelon/mech/mech_table.hpp"

namespace echelon {

enum class EndReason : int { None = 0, Zone = 1, Elimination = 2, TimeLimit = 3 };
// By EndReason value: the end_reason column of info["episode_stats"].
inline const char* const kEndReasonNames[] = {"none", "zone", "elimination", "time_limit"};
inline constexpr int kWinnerNone = -1;  // draw, or no end yet

struct Outcome {
    EndReason reason = EndReason::None;
    int winner = kWinnerNone;  // 0 blue, 1 red, -1 draw
    bool ended() const { return reason != EndReason::None; }
    bool terminated() const { return reason == EndReason::Zone || reason == EndReason::Elimination; }
    bool truncated() const { return reason == EndReason::TimeLimit; }
};

struct EpisodeProgress {
    float zone_score[2];
    float score_to_win;
    int step;
    int max_steps;
};

// In order: zone win (a tie in score is a draw, not red's win), elimination (both wiped out is a
// draw), time limit (higher zone score, then higher alive HP, each by a 1e-3 margin, else draw).
Outcome check_episode_end(MechSpan m, const EpisodeProgress& p);

// Per agent alive at the decision's start: terminated when it died in this decision or the
// episode terminated; truncated when the episode hit its time limit instead. Rows of agents dead
// before the decision are padding: both false.
void write_done_flags(const MechSpan& m, std::span<const uint8_t> alive_before, const Outcome& outcome,
                      std::span<bool> terminated, std::span<bool> truncated);

}  // namespace echelon
