#pragma once
// Per-agent rewards (docs/game_rules.md, "Rewards"): zone tick, potential-based approach shaping, and the combat terms
// with the fixes — enemy-only damage capped at remaining HP, friendly damage and team kills cost
// reward, one assist per kill, the contested multiplier from the start-of-step position (so the
// death discount can apply) — plus optional team mixing and terminal win/loss rewards.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/rules/step_tally.hpp"
#include "echelon/config.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/rules/zone.hpp"

namespace echelon {

// Phi(s) = -(distance to the zone edge) / (largest map side): 0 inside the zone.
inline float approach_potential(const CaptureZone& zone, Vec3 pos, float map_scale) {
    return -zone.distance_to_edge(pos.x, pos.y) / map_scale;
}

// Each agent at the start of a decision; the rewards compare the decision's end against it.
struct DecisionStart {
    std::vector<uint8_t> alive;
    std::vector<float> potential;    // approach potential Phi(s)
    std::vector<uint8_t> contested;  // alive inside a contested zone
    void resize(size_t agents) {
        alive.assign(agents, 0);
        potential.assign(agents, 0.f);
        contested.assign(agents, 0);
    }
};
void record_decision_start(const CaptureZone& zone, float map_scale, const MechSpan& m, DecisionStart& out);

struct RewardInputs {
    const CaptureZone* zone;
    ZoneTicks ticks;                      // after the step
    std::span<const float> potential_before;
    std::span<const uint8_t> alive_before;
    bool episode_terminated;              // terminal transition: Phi(s') = 0
    float map_scale;
    const StepTally* combat = nullptr;          // this step's damage / kill / assist / death record
    std::span<const uint8_t> contested_before = {};  // agent was in a contested zone at the step start
    bool episode_ended = false;
    int winner = -1;                      // 0 blue, 1 red, -1 draw / none
};

// Writes one reward per agent. Agents dead before the step get exactly 0 (padding rows).
//  zone:     w_zone x own team's tick, for agents inside the zone after the step;
//  approach: w_approach x (gamma Phi(s') - Phi(s)), with Phi(s') = 0 on terminal transitions and
//            for agents that died this step, so shaping never changes the optimal policy;
//  combat:   mult x (w_damage x enemy damage + w_kill x kills + w_assist x assists)
//            + w_friendly_damage x friendly damage + w_team_kill x team kills
//            + w_death x (contested_death_mult if contested at the start) when the agent died,
//            mult = contested_mult when the agent started the step in a contested zone;
//  mixing:   alpha x own + (1 - alpha) x mean over the team's live rows;
//  terminal: w_win / w_loss for every live row of the winning / losing team when the episode ends.
// `late_terminal` (size A) receives the terminal reward of agents that died earlier in the episode
// (their last real row is already gone; the learner adds it to that row). Zeroed otherwise.
void compute_rewards(MechSpan m, const RewardInputs& in, const RewardWeights& w, std::span<float> out,
                     std::span<float> late_terminal = {});

}  // namespace echelon
