#pragma once
// The observation mirror's buffers: a copy, in device memory, of everything the observation
// reads, for all worlds at once. Plain C++17 aggregates of raw pointers so nvcc kernels and the
// host emulator take them by value; who owns the memory is the Device's business (mirror.hpp).
#include <cstdint>

#include "echelon/obs/world_view.hpp"
#include "echelon/base/vec3.hpp"

namespace echelon {

inline constexpr int kMirrorTargetSlots = 5;  // contact slots that feed target selection

struct SmokeSphere {
    Vec3 centre;
    float radius;
};

// Mech state for all worlds, [W * A] each (the layout of the host MechTable).
struct MirrorMechArrays {
#define ECHELON_MIRROR_FIELD(type, name, start, visibility, valid) ECHELON_MECH_##visibility(type* name;)
    ECHELON_MECH_FIELDS(ECHELON_MIRROR_FIELD)
#undef ECHELON_MIRROR_FIELD
    uint8_t* incoming;  // [W * A]
    float* comm;        // [W * A * comm_dim]
};

struct MirrorBuffers {
    int worlds, agents, size_x, size_y, size_z, smoke_capacity, comm_dim;
    uint8_t* voxels;        // [W][Z][Y][X]
    uint8_t* occupancy;     // [W][2][Y][X]
    uint8_t* column_any;    // [W][Y][X]
    float* telemetry;       // [W][256]
    uint8_t* los;           // [W][A][A]
    int32_t* contact_ids;   // [W][A][kMirrorTargetSlots]
    // The step's staged block: written by the worker threads into page-locked host memory, one
    // copy to the device per step (obs/mirror.hpp lays it out).
    MirrorMechArrays m;
    ObsWorldScalars* scalars;  // [W]
    SmokeSphere* smoke;        // [W][smoke_capacity]
    int32_t* smoke_count;      // [W]
    int32_t* whole_worlds;     // worlds whose whole grid went up this step, in whole_grids' order
    int32_t* dirty_worlds;     // worlds whose terrain maps must be refreshed (whole or edited)
    // Copied only as far as this step fills them:
    uint64_t* edits;           // voxel edits: batch-wide voxel index | value << kEditValueShift
    uint8_t* whole_grids;      // [whole][Z][Y][X]: the grids of whole_worlds
};

inline constexpr int kEditValueShift = 56;
inline constexpr uint64_t kEditIndexMask = (uint64_t{1} << kEditValueShift) - 1;

}  // namespace echelon
