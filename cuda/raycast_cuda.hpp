#pragma once
// Host launchers for the batched raycast kernel. Pointers are device pointers; `stream` is a
// cudaStream_t passed as an integer so this header needs no CUDA includes.
#include <cstdint>

namespace echelon::cuda {

struct RaycastBatchArgs {
    const uint8_t* voxels;  // [Z][Y][X] device grid
    int size_x, size_y, size_z;
    const float* starts;    // [N, 3]
    const float* ends;      // [N, 3]
    int64_t num_rays;
    bool include_end;
    bool* blocked;          // [N]
    int32_t* hit_voxel;     // [N, 3], -1 when none
};

// Launches one thread per ray on `stream`; returns a CUDA error string, or nullptr on success.
const char* launch_raycast_batch(const RaycastBatchArgs& args, uintptr_t stream);

}  // namespace echelon::cuda
