#pragma once
// Every per-mech field, declared once. ECHELON_MECH_FIELDS derives the mech table and its
// per-world view (mech_table.hpp), the start-of-episode defaults (reset_mechs), the snapshot's
// save and load (snapshot.cpp, in this order), the observation's view of the mechs
// (obs/world_view.hpp) and the GPU mirror's copy and upload (obs/mirror_buffers.hpp,
// obs/mirror.hpp), and the numpy views tests and tools read (BatchSim.mech_<name>,
// BatchSim.mech_state). To add a field, add one row.
//
// X(type, name, value at an episode's start, OBSERVED or HIDDEN): OBSERVED fields are uploaded
// to the mirror and readable by the per-agent observation writer. Every timer is an integer count
// of physics substeps (docs/game_rules.md, "Time"): a timer set to n at substep s reaches 0 at
// substep s + n, with no floating-point drift. Spawning then sets position, class, team, health
// and the other hull fields of each mech. C++17 (nvcc compiles the observation side).
#include <cstdint>

#include "echelon/base/vec3.hpp"

namespace echelon {

inline constexpr int32_t kNoMech = -1;  // "no agent" in agent-index fields

// clang-format off
#define ECHELON_MECH_FIELDS(X)                                                                     \
    X(Vec3, pos, Vec3{}, OBSERVED)              /* box centre */                                   \
    X(Vec3, vel, Vec3{}, OBSERVED)                                                                 \
    X(float, yaw, 0.f, OBSERVED)                /* radians, CCW from +x */                         \
    X(float, hp, 0.f, OBSERVED)                                                                    \
    X(float, leg_hp, 0.f, OBSERVED)                                                                \
    X(float, heat, 0.f, OBSERVED)                                                                  \
    X(float, stability, 0.f, OBSERVED)                                                             \
    X(int32_t, fallen_ticks, 0, OBSERVED)       /* knocked down: substeps until it stands */       \
    X(int32_t, cd_laser, 0, OBSERVED)           /* weapon cooldowns (substeps) */                  \
    X(int32_t, cd_missile, 0, OBSERVED)                                                            \
    X(int32_t, cd_kinetic, 0, OBSERVED)                                                            \
    X(int32_t, cd_painter, 0, OBSERVED)                                                            \
    X(int32_t, paint_ticks, 0, OBSERVED)        /* time left on the paint mark */                  \
    X(int32_t, painter, kNoMech, OBSERVED)      /* agent that painted it last */                   \
    X(int32_t, suppress_ticks, 0, OBSERVED)     /* autocannon suppression left */                  \
    X(int32_t, ams_ticks, 0, OBSERVED)          /* AMS cooldown left */                            \
    X(int32_t, focus, kNoMech, OBSERVED)        /* focus target chosen by the policy */            \
    X(uint8_t, alive, 0, OBSERVED)                                                                 \
    X(uint8_t, cls, 0, OBSERVED)                /* MechClass */                                    \
    X(uint8_t, team, 0, OBSERVED)               /* 0 blue, 1 red */                                \
    X(uint8_t, ecm, 0, OBSERVED)                /* EWAR emitters switched on (scouts only) */      \
    X(uint8_t, eccm, 0, OBSERVED)                                                                  \
    X(uint8_t, was_hit, 0, OBSERVED)            /* hit by a weapon during this decision */         \
    X(uint8_t, shutdown_prev, 0, HIDDEN)        /* shutdown at the last heat check (statistics) */ \
    X(uint8_t, sort_mode, 0, OBSERVED)          /* observation controls (read by the obs code) */  \
    X(uint8_t, hostile_only, 0, OBSERVED)                                                          \
    X(Vec3, last_damage_dir, Vec3{}, OBSERVED)  /* toward the last damage source this decision */
// clang-format on

// Expands `x` for observed fields only: ECHELON_MECH_##visibility(x).
#define ECHELON_MECH_OBSERVED(x) x
#define ECHELON_MECH_HIDDEN(x)

}  // namespace echelon
