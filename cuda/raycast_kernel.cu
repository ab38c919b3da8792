// Batched voxel raycasting on the GPU: the same DDA as the CPU core (cpp/echelon/raycast.hpp).
#include <cuda_runtime.h>

#include "echelon/world/raycast.hpp"
#include "raycast_cuda.hpp"

namespace echelon::cuda {

namespace {

__global__ void raycast_batch_kernel(RaycastBatchArgs a) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= a.num_rays) return;
    const VoxelView g{a.voxels, a.size_x, a.size_y, a.size_z};
    const Vec3 s{a.starts[3 * i], a.starts[3 * i + 1], a.starts[3 * i + 2]};
    const Vec3 e{a.ends[3 * i], a.ends[3 * i + 1], a.ends[3 * i + 2]};
    const RayHit h = raycast(g, s, e, a.include_end);
    a.blocked[i] = h.blocked;
    a.hit_voxel[3 * i] = h.x;
    a.hit_voxel[3 * i + 1] = h.y;
    a.hit_voxel[3 * i + 2] = h.z;
}

}  // namespace

const char* launch_raycast_batch(const RaycastBatchArgs& args, uintptr_t stream) {
    if (args.num_rays <= 0) return nullptr;
    constexpr int kThreads = 256;
    const auto blocks = static_cast<unsigned>((args.num_rays + kThreads - 1) / kThreads);
    raycast_batch_kernel<<<blocks, kThreads, 0, reinterpret_cast<cudaStream_t>(stream)>>>(args);
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? nullptr : cudaGetErrorString(err);
}

}  // namespace echelon::cuda
