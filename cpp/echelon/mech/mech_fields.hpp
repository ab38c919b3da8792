#pragma once
// Every per-mech field, declared once. ECHELON_MECH_FIELDS derives the mech table and its
// per-world view (mech_table.hpp), the start-of-episode defaults (reset_mechs), the snapshot's
// save, load and load checks (snapshot.cpp, in this order), the observation's view of the mechs
// (obs/world_view.hpp) and the GPU mirror's copy and upload (obs/mirror_buffers.hpp,
// obs/mirror.hpp), and the numpy views tests and tools read (BatchSim.mech_<name>,
// BatchSim.mech_state). To add a field, add one row.
//
// X(type, name, value at an episode's start, OBSERVED or HIDDEN, range): OBSERVED fields are
// uploaded to the mirror and readable by the per-agent observation writer; `range` (a MechRange)
// is what a step can leave in the field, which load_state checks every loaded value against. Every timer is an integer count
// of physics substeps (docs/game_rules.md, "Time"): a timer set to n at substep s reaches 0 at
// substep s + n, with no floating-point drift. Spawning then sets position, class, team, health
// and the other hull fields of each mech. C++17 (nvcc compiles the observation side).
#include <cstdint>

#include "echelon/base/vec3.hpp"

namespace echelon {

inline constexpr int32_t kNoMech = -1;  // "no agent" in agent-index fields

// The values a field can hold after any step (snapshot.cpp turns each into a check; the bounds
// are generous, they catch corrupt or forged state, not unusual play).
enum class MechRange : uint8_t {
    InMap,        // a point inside the map
    Speed,        // a velocity, each component within +-1000 vox/s
    Angle,        // radians within +-8
    ClassHp,      // at most the class's HP (negative after overkill)
    ClassLegHp,   // at most the class's leg HP
    NonNegative,  // a finite amount >= 0
    Ticks,        // a timer: substeps left, >= 0
    Agent,        // an agent index of the world, or kNoMech
    Flag,         // 0 or 1
    Class,        // a MechClass
    Team,         // 0 or 1
    SortMode,     // one of the action's sort modes
    Direction,    // a unit vector or zero (components within +-2)
};

// clang-format off
#define ECHELON_MECH_FIELDS(X)                                                                                 \
    X(Vec3, pos, Vec3{}, OBSERVED, InMap)                 /* box centre */                                     \
    X(Vec3, vel, Vec3{}, OBSERVED, Speed)                                                                      \
    X(float, yaw, 0.f, OBSERVED, Angle)                   /* radians, CCW from +x */                           \
    X(float, hp, 0.f, OBSERVED, ClassHp)                                                                       \
    X(float, leg_hp, 0.f, OBSERVED, ClassLegHp)                                                                \
    X(float, heat, 0.f, OBSERVED, NonNegative)                                                                 \
    X(float, stability, 0.f, OBSERVED, NonNegative)                                                            \
    X(int32_t, fallen_ticks, 0, OBSERVED, Ticks)          /* knocked down: substeps until it stands */         \
    X(int32_t, cd_laser, 0, OBSERVED, Ticks)              /* weapon cooldowns (substeps) */                    \
    X(int32_t, cd_missile, 0, OBSERVED, Ticks)                                                                 \
    X(int32_t, cd_kinetic, 0, OBSERVED, Ticks)                                                                 \
    X(int32_t, cd_painter, 0, OBSERVED, Ticks)                                                                 \
    X(int32_t, paint_ticks, 0, OBSERVED, Ticks)           /* time left on the paint mark */                    \
    X(int32_t, painter, kNoMech, OBSERVED, Agent)         /* agent that painted it last */                     \
    X(int32_t, suppress_ticks, 0, OBSERVED, Ticks)        /* autocannon suppression left */                    \
    X(int32_t, ams_ticks, 0, OBSERVED, Ticks)             /* AMS cooldown left */                              \
    X(int32_t, focus, kNoMech, OBSERVED, Agent)           /* focus target chosen by the policy */              \
    X(uint8_t, alive, 0, OBSERVED, Flag)                                                                       \
    X(uint8_t, cls, 0, OBSERVED, Class)                   /* MechClass */                                      \
    X(uint8_t, team, 0, OBSERVED, Team)                   /* 0 blue, 1 red */                                  \
    X(uint8_t, ecm, 0, OBSERVED, Flag)                    /* EWAR emitters switched on (scouts only) */        \
    X(uint8_t, eccm, 0, OBSERVED, Flag)                                                                        \
    X(uint8_t, was_hit, 0, OBSERVED, Flag)                /* hit by a weapon during this decision */           \
    X(uint8_t, shutdown_prev, 0, HIDDEN, Flag)            /* shutdown at the last heat check (statistics) */   \
    X(uint8_t, sort_mode, 0, OBSERVED, SortMode)          /* observation controls (read by the obs code) */    \
    X(uint8_t, hostile_only, 0, OBSERVED, Flag)                                                                \
    X(Vec3, last_damage_dir, Vec3{}, OBSERVED, Direction)
// clang-format on

// Expands `x` for observed fields only: ECHELON_MECH_##visibility(x).
#define ECHELON_MECH_OBSERVED(x) x
#define ECHELON_MECH_HIDDEN(x)

}  // namespace echelon
