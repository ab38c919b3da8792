#include "echelon/rules/episode_end.hpp"

namespace echelon {

namespace {

int leader(float blue, float red, float margin) {
    if (blue > red + margin) return 0;
    if (red > blue + margin) return 1;
    return kWinnerNone;
}

}  // namespace

Outcome check_episode_end(MechSpan m, const EpisodeProgress& p) {
    Outcome o;
    if (p.zone_score[0] >= p.score_to_win || p.zone_score[1] >= p.score_to_win) {
        o.reason = EndReason::Zone;
        o.winner = leader(p.zone_score[0], p.zone_score[1], 0.f);
        return o;
    }
    int alive[2] = {0, 0};
    float hp[2] = {0.f, 0.f};
    for (int i = 0; i < m.size(); ++i)
        if (m.alive[i]) {
            ++alive[m.team[i]];
            hp[m.team[i]] += m.hp[i];
        }
    if (alive[0] == 0 || alive[1] == 0) {
        o.reason = EndReason::Elimination;
        o.winner = alive[0] > 0 ? 0 : (alive[1] > 0 ? 1 : kWinnerNone);
        return o;
    }
    if (p.step >= p.max_steps) {
        o.reason = EndReason::TimeLimit;
        o.winner = leader(p.zone_score[0], p.zone_score[1], 1e-3f);
        if (o.winner == kWinnerNone) o.winner = leader(hp[0], hp[1], 1e-3f);
    }
    return o;
}

void write_done_flags(const MechSpan& m, std::span<const uint8_t> alive_before, const Outcome& outcome,
                      std::span<bool> terminated, std::span<bool> truncated) {
    for (int i = 0; i < m.size(); ++i) {
        const bool was = alive_before[static_cast<size_t>(i)] != 0, is = m.alive[i] != 0;
        const bool died = was && !is;
        terminated[i] = was && (died || outcome.terminated());
        truncated[i] = was && !terminated[i] && outcome.truncated();
    }
}

}  // namespace echelon
