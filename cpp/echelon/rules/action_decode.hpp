#pragma once
// Decision-level action decoding (docs/game_rules.md, "Actions"): focus target
// from the target-selection slots, scout EWAR from SECONDARY, observation-control slots; after the
// physics, the pack comm message. Triggers, vent and movement are read per substep.
#include <span>

#include "echelon/config.hpp"
#include "echelon/mech/mech_table.hpp"

namespace echelon {

// Before the substeps. Dead mechs: no focus, EWAR off.
// `contact_ids` [A, kContactSlots]: the agent each contact slot of the last observation showed.
void decode_decision_actions(const SimConfig& cfg, MechSpan m, std::span<const int32_t> contact_ids,
                             std::span<const float> actions);
// After the substeps: each agent's comm message into `comm` [A, comm_dim] (zeros for the dead or
// when comms are off).
void store_comm_messages(const SimConfig& cfg, const MechSpan& m, std::span<float> comm, std::span<const float> actions);

}  // namespace echelon
