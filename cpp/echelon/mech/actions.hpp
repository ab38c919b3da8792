#pragma once
// Action vector slots (reference sim.md §5). The layout is fixed per batch: 9 base slots,
// 5 target-selection slots, 4 observation-control slots, then comm_dim message floats.
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
inline constexpr int kSortMode = 14;     // 3 slots
inline constexpr int kHostileOnly = 17;
inline constexpr int kComm = 18;         // comm_dim slots
inline constexpr int kBaseDim = 18;

}  // namespace echelon::action

namespace echelon {

// Target selection picks among the first kContactSlots contact rows of the agent's last
// observation; the simulator keeps which agent each of them showed.
inline constexpr int kContactSlots = action::kTargetSlots;

}  // namespace echelon
