// The CUDA observation kernels: one CUDA thread runs one thread body of mirror_threads.hpp, the
// code the host emulator (cpp/echelon/obs/emulated_device.cpp) runs in a loop.
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

__global__ void assemble_kernel(MirrorBuffers b, ObsConstants c, ObsOffsets layout, float* out, long long n) {
    const long long t = thread_index();
    if (t < n) assemble_agent(b, c, layout, out, t);
}

}  // namespace

const char* launch_voxel_edits(const MirrorBuffers& b, int64_t num_edits, uintptr_t stream) {
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
    // Few, heavy threads (each walks every other agent): small blocks spread them over more SMs.
    constexpr int kAssembleThreads = 64;
    assemble_kernel<<<blocks_for(n, kAssembleThreads), kAssembleThreads, 0, as_stream(stream)>>>(b, c, layout, out, n);
    return last_error();
}

}  // namespace echelon::cuda
