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
    MirrorMechArrays m;
    ObsWorldScalars* scalars;  // [W]
    SmokeSphere* smoke;        // [W][smoke_capacity]
    int32_t* smoke_count;      // [W]
    int32_t* contact_ids;      // [W][A][kMirrorTargetSlots]
    int64_t* edit_index;       // batch-wide voxel index of each edit this step
    uint8_t* edit_value;
    int32_t* whole_worlds;     // worlds whose whole grid went up this step: every column refreshed
    int32_t* dirty_worlds;     // worlds whose telemetry must be refreshed (whole or edited)
};

}  // namespace echelon
