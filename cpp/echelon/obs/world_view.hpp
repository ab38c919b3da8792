#pragma once
// ObsWorldView: everything the observation of one world reads, as raw pointers to that world's
// arrays. The CPU writer points it at host memory, the CUDA kernels at the device mirror; the
// per-agent writer (obs_agent.hpp) cannot tell the difference. C++17 (compiled by nvcc too).
#include <cstdint>

#include "echelon/base/host_device.hpp"
#include "echelon/base/vec3.hpp"

namespace echelon {

inline constexpr int kMaxAgents = 80;  // 8 packs per team

struct ObsMechArrays {
    const Vec3* pos;
    const Vec3* vel;
    const Vec3* last_damage_dir;
    const float* yaw;
    const float* hp;
    const float* leg_hp;
    const float* heat;
    const float* stability;
    const int32_t* fallen_ticks;
    const int32_t* paint_ticks;
    const int32_t* painter;
    const int32_t* suppress_ticks;
    const int32_t* ams_ticks;
    const int32_t* focus;
    const int32_t* cd_laser;
    const int32_t* cd_missile;
    const int32_t* cd_kinetic;
    const int32_t* cd_painter;
    const uint8_t* alive;
    const uint8_t* cls;
    const uint8_t* team;
    const uint8_t* ecm;
    const uint8_t* eccm;
    const uint8_t* was_hit;
    const uint8_t* sort_mode;
    const uint8_t* hostile_only;
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
