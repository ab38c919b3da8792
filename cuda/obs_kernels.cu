// The CUDA observation kernels: one CUDA thread runs one thread body of mirror_threads.hpp (the
// assembly: one warp per agent row), the code the host emulator (cpp/echelon/obs/emulated_device.cpp)
// runs in a loop.
#include <cuda_runtime.h>

#include "echelon/obs/mirror_threads.hpp"
#include "obs_kernels.hpp"

namespace echelon::cuda {

namespace {

constexpr int kThreads = 256;

const char* last_error() {
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? nullptr : cudaGetErrorString(err);
}

unsigned blocks_for(long long n, int threads = kThreads) { return static_cast<unsigned>((n + threads - 1) / threads); }

cudaStream_t as_stream(uintptr_t s) { return reinterpret_cast<cudaStream_t>(s); }

__device__ long long thread_index() { return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; }

__global__ void whole_grids_kernel(MirrorBuffers b, long long n) {
    const long long t = thread_index();
    if (t < n) place_whole_grid_voxel(b, t);
}

__global__ void voxel_edits_kernel(MirrorBuffers b, long long n) {
    const long long t = thread_index();
    if (t < n) apply_voxel_edit(b, t);
}

__global__ void columns_kernel(MirrorBuffers b, int num_whole, long long n) {
    const long long t = thread_index();
    if (t < n) refresh_dirty_column(b, num_whole, t);
}

__global__ void telemetry_kernel(MirrorBuffers b, long long n) {
    const long long t = thread_index();
    if (t < n) refresh_dirty_telemetry_bin(b, t);
}

__global__ void pair_los_kernel(MirrorBuffers b, long long n) {
    const long long t = thread_index();
    if (t < n) pair_line_of_sight(b, t);
}

// One warp per agent row, each with its scratch row in shared memory: the warp clears it, lane 0
// writes the observation into it, and the warp stores it with coalesced writes.
__global__ void assemble_kernel(MirrorBuffers b, ObsConstants c, ObsOffsets layout, float* out, long long n) {
    extern __shared__ float rows[];
    const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
    const long long t = static_cast<long long>(blockIdx.x) * (blockDim.x / 32) + warp;
    if (t >= n) return;  // whole warps leave together: the barriers below stay per warp
    float* row = rows + static_cast<long long>(warp) * layout.dim;
    clear_agent_row(row, layout.dim, lane, 32);
    __syncwarp();
    if (lane == 0) write_agent_row(b, c, layout, t, row);
    __syncwarp();
    copy_agent_row(row, out, t, layout.dim, lane, 32);
}

}  // namespace

const char* launch_voxel_updates(const MirrorBuffers& b, int num_whole, int64_t num_edits, uintptr_t stream) {
    const long long voxels = whole_grid_threads(b, num_whole);
    if (voxels > 0) {
        whole_grids_kernel<<<blocks_for(voxels), kThreads, 0, as_stream(stream)>>>(b, voxels);
        if (const char* e = last_error()) return e;
    }
    if (num_edits <= 0) return nullptr;
    voxel_edits_kernel<<<blocks_for(num_edits), kThreads, 0, as_stream(stream)>>>(b, num_edits);
    return last_error();
}

const char* launch_terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty,
                                uintptr_t stream) {
    if (num_dirty <= 0) return nullptr;
    const long long columns = column_threads(b, num_whole, num_edits), bins = telemetry_threads(num_dirty);
    columns_kernel<<<blocks_for(columns), kThreads, 0, as_stream(stream)>>>(b, num_whole, columns);
    if (const char* e = last_error()) return e;
    telemetry_kernel<<<blocks_for(bins), kThreads, 0, as_stream(stream)>>>(b, bins);
    return last_error();
}

const char* launch_pair_los(const MirrorBuffers& b, uintptr_t stream) {
    const long long n = pair_threads(b);
    if (n <= 0) return nullptr;
    pair_los_kernel<<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(b, n);
    return last_error();
}

const char* launch_assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out,
                            uintptr_t stream) {
    const long long n = agent_threads(b);
    if (n <= 0) return nullptr;
    // Few, heavy rows (each walks every other agent): two warps per block spread them over more
    // SMs; each warp's scratch row is layout.dim floats of shared memory (3 KB at the default width).
    constexpr int kWarps = 2;
    const size_t shared = static_cast<size_t>(kWarps) * static_cast<size_t>(layout.dim) * sizeof(float);
    if (shared > 48 * 1024) return "observation rows too wide for the assembly kernel's shared memory (48 KB per block)";
    assemble_kernel<<<blocks_for(n, kWarps), kWarps * 32, shared, as_stream(stream)>>>(b, c, layout, out, n);
    return last_error();
}

}  // namespace echelon::cuda
