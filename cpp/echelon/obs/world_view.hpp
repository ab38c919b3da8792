#pragma once
// ObsWorldView: everything the observation of one world reads, as raw pointers to that world's
// arrays. The CPU writer points it at host memory, the CUDA kernels at the device mirror; the
// per-agent writer (agent_writer.hpp) cannot tell the difference. C++17 (compiled by nvcc too).
#include <cstdint>

#include "echelon/base/host_device.hpp"
#include "echelon/base/vec3.hpp"
#include "echelon/mech/mech_fields.hpp"

namespace echelon {

inline constexpr int kMaxAgents = 80;  // 8 packs per team

// The observed mech fields (mech_fields.hpp) of one world, plus what the observation adds.
struct ObsMechArrays {
#define ECHELON_OBS_FIELD(type, name, start, visibility, valid) ECHELON_MECH_##visibility(const type* name;)
    ECHELON_MECH_FIELDS(ECHELON_OBS_FIELD)
#undef ECHELON_OBS_FIELD
    const uint8_t* incoming_missile;  // a live homing missile targets this mech
    const float* comm;                // [A, comm_dim]
};

// Per-world scalars, packed so the CUDA path uploads one small record per world.
struct ObsWorldScalars {
    float zone_cx, zone_cy, zone_radius;
    float zone_score[2];
    float zone_margin;  // blue's tonnage margin in the zone
    float time_fraction;
};

// Batch-wide constants.
struct ObsConstants {
    int agents, agents_per_team, comm_dim;
    int size_x, size_y, size_z;
    int full_observation;  // 1: every living mech is a contact; 0: the partial sensor rules
    float dt, gravity, score_to_win;
    // Cooldown lengths in ticks, for normalising timers by their own weapon.
    float laser_ticks, missile_ticks, painter_ticks, suppress_ticks, ams_ticks;
    float kinetic_ticks[4];  // by class: scout (none: 1), light flamer, medium autocannon, heavy gauss
};

struct ObsWorldView {
    ObsMechArrays m;
    ObsWorldScalars s;
    const uint8_t* los;        // [A, A] 1 = terrain and smoke clear between centres
    const uint8_t* occupancy;  // [2][Y][X] movement and sight blockers in the low slab
    const float* telemetry;    // [16 * 16] share of columns with a movement blocker, world frame
};

}  // namespace echelon
