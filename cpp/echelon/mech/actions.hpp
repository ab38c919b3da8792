#pragma once
// The action vector of one agent, declared once: each constant below is a slot, and
// kActionBlocks names the blocks they form (exported as BatchSim.action_layout(), which
// VecEnv.action_layout and the docs' action table are built from). 9 base slots, 5
// target-selection slots, 4 observation-control slots, then comm_dim message floats; every entry
// is clipped to [-1, 1]. What each slot does: docs/game_rules.md, "Actions".
#include <iterator>

namespace echelon::action {

inline constexpr int kForward = 0;
inline constexpr int kStrafe = 1;   // along forward rotated +90° CCW (the mech's left)
inline constexpr int kVertical = 2; // jump jets
inline constexpr int kYawRate = 3;  // fraction of max yaw rate, positive = CCW
inline constexpr int kPrimary = 4;
inline constexpr int kVent = 5;
inline constexpr int kSecondary = 6;
inline constexpr int kTertiary = 7;
inline constexpr int kSpecial = 8;
inline constexpr int kTargetSelect = 9;  // kTargetSlots slots
inline constexpr int kTargetSlots = 5;
inline constexpr int kSortMode = 14;     // kSortModes slots: closest, biggest, most damaged
inline constexpr int kSortModes = 3;
inline constexpr int kHostileOnly = 17;
inline constexpr int kComm = 18;         // comm_dim slots
inline constexpr int kBaseDim = 18;

// A named block of consecutive slots. `channels`: the slots' names, space-separated (empty for
// comm, whose width is the config's comm_dim).
struct Block {
    const char* name;
    int offset;
    int width;  // -1: comm_dim
    const char* channels;
    const char* meaning;
};

inline constexpr Block kActionBlocks[] = {
    {"movement", kForward, 4, "forward strafe vertical yaw_rate",
     "move (forward, strafe left, jump jets) and turn (fraction of the max yaw rate, + = CCW)"},
    {"triggers", kPrimary, 5, "primary vent secondary tertiary special",
     "> 0 pulls; the weapon depends on the class; the scout's secondary picks ECM/ECCM"},
    {"focus_target", kTargetSelect, kTargetSlots, "contact_0 contact_1 contact_2 contact_3 contact_4",
     "argmax over the last observation's first contact slots, if > 0 and an alive enemy"},
    {"sort_mode", kSortMode, kSortModes, "closest biggest most_damaged", "argmax: contact order of the next observations"},
    {"hostile_filter", kHostileOnly, 1, "hostile_only", "> 0: every contact slot for hostiles"},
    {"comm", kComm, -1, "", "pack message, heard by pack mates at their next decision"},
};

// The blocks tile the vector in order, with comm last.
constexpr bool blocks_tile() {
    int next = 0;
    for (const Block& b : kActionBlocks) {
        if (b.offset != next) return false;
        next += b.width < 0 ? 0 : b.width;
    }
    return next == kBaseDim && kActionBlocks[std::size(kActionBlocks) - 1].offset == kComm;
}
static_assert(blocks_tile(), "action blocks must tile the base slots, then comm");

}  // namespace echelon::action

namespace echelon {

// Target selection picks among the first kContactSlots contact rows of the agent's last
// observation; the simulator keeps which agent each of them showed.
inline constexpr int kContactSlots = action::kTargetSlots;

}  // namespace echelon
