#pragma once
// Device-side buffers of the CUDA observation path and the launchers of its kernels. Plain
// C++17 types only (the kernels are compiled by nvcc); cudaStream_t travels as an integer.
//
// Per step the host uploads the small per-mech state and the voxel edits of that step (whole
// grids only for worlds that were reset), then three kernels run on the caller's stream:
//   (1) terrain maps for worlds whose terrain changed (occupancy, telemetry),
//   (2) line of sight for every pair of living mechs in every world (terrain + smoke),
//   (3) observation assembly, one thread per agent, writing into the caller's tensor.
#include <cstdint>

#include "../cpp/echelon/obs_layout.hpp"
#include "../cpp/echelon/obs_view.hpp"
#include "../cpp/echelon/vec3.hpp"

namespace echelon::cuda {

struct SmokeSphere {
    Vec3 centre;
    float radius;
};

// Mech state for all worlds, [W * A] each (the layout of the host MechTable).
struct DeviceMechArrays {
    Vec3* pos;
    Vec3* vel;
    Vec3* last_damage_dir;
    float* yaw;
    float* hp;
    float* leg_hp;
    float* heat;
    float* stability;
    int32_t* fallen_ticks;
    int32_t* paint_ticks;
    int32_t* painter;
    int32_t* suppress_ticks;
    int32_t* ams_ticks;
    int32_t* focus;
    int32_t* cd_laser;
    int32_t* cd_missile;
    int32_t* cd_kinetic;
    int32_t* cd_painter;
    uint8_t* alive;
    uint8_t* cls;
    uint8_t* team;
    uint8_t* ecm;
    uint8_t* eccm;
    uint8_t* was_hit;
    uint8_t* sort_mode;
    uint8_t* hostile_only;
    uint8_t* incoming;  // [W * A]
    float* comm;        // [W * A * comm_dim]
};

struct ObsDeviceBuffers {
    int worlds, agents, size_x, size_y, size_z, smoke_capacity, comm_dim;
    uint8_t* voxels;        // [W][Z][Y][X]
    uint8_t* occupancy;     // [W][2][Y][X]
    uint8_t* column_any;    // [W][Y][X]
    float* telemetry;       // [W][256]
    uint8_t* los;           // [W][A][A]
    DeviceMechArrays m;
    ObsWorldScalars* scalars;  // [W]
    SmokeSphere* smoke;        // [W][smoke_capacity]
    int32_t* smoke_count;      // [W]
    int32_t* contact_ids;      // [W][A][5]
    int32_t* edit_index;       // global voxel index of each edit this step
    uint8_t* edit_value;
    int32_t* dirty_worlds;     // worlds whose terrain maps must be refreshed
};

inline constexpr int kTargetSlots = 5;

// Each returns nullptr on success or the CUDA error string.
const char* launch_voxel_edits(const ObsDeviceBuffers& b, int num_edits, uintptr_t stream);
const char* launch_terrain_maps(const ObsDeviceBuffers& b, int num_dirty, uintptr_t stream);
const char* launch_pair_los(const ObsDeviceBuffers& b, uintptr_t stream);
const char* launch_assemble(const ObsDeviceBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out,
                            uintptr_t stream);

}  // namespace echelon::cuda
