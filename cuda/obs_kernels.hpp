#pragma once
// Launchers of the observation-mirror kernels (obs_kernels.cu). Plain C++17 declarations:
// cudaStream_t travels as an integer. Each returns nullptr on success or the CUDA error string.
#include <cstdint>

#include "echelon/obs/layout.hpp"
#include "echelon/obs/mirror_buffers.hpp"

namespace echelon::cuda {

const char* launch_voxel_updates(const MirrorBuffers& b, int num_whole, int64_t num_edits, uintptr_t stream);
const char* launch_terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty,
                                uintptr_t stream);
const char* launch_pair_los(const MirrorBuffers& b, uintptr_t stream);
const char* launch_assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out,
                            uintptr_t stream);

}  // namespace echelon::cuda
