// The CUDA observation kernels. All per-element logic is the shared ECHELON_HD code of the core
// (terrain_maps.hpp, raycast.hpp, obs_agent.hpp): these kernels only map threads to elements.
#include <cuda_runtime.h>

#include "../cpp/echelon/obs_agent.hpp"
#include "../cpp/echelon/raycast.hpp"
#include "../cpp/echelon/terrain_maps.hpp"
#include "obs_device.hpp"

namespace echelon::cuda {

namespace {

constexpr int kThreads = 256;

const char* last_error() {
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? nullptr : cudaGetErrorString(err);
}

unsigned blocks_for(long long n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

cudaStream_t as_stream(uintptr_t s) { return reinterpret_cast<cudaStream_t>(s); }

__global__ void voxel_edits_kernel(uint8_t* voxels, const int32_t* index, const uint8_t* value, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) voxels[index[i]] = value[i];
}

// One thread per (dirty world, column).
__global__ void columns_kernel(ObsDeviceBuffers b, int num_dirty) {
    const long long plane = static_cast<long long>(b.size_x) * b.size_y;
    const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (t >= plane * num_dirty) return;
    const int w = b.dirty_worlds[t / plane];
    const int col = static_cast<int>(t % plane);
    const long long grid = plane * b.size_z;
    refresh_column(b.voxels + w * grid, b.size_x, b.size_y, b.size_z, col % b.size_x, col / b.size_x,
                   b.occupancy + w * 2 * plane, b.column_any + w * plane);
}

// One thread per (dirty world, telemetry bin).
__global__ void telemetry_kernel(ObsDeviceBuffers b, int num_dirty) {
    constexpr int bins = kTelemetrySide * kTelemetrySide;
    const int t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= bins * num_dirty) return;
    const int w = b.dirty_worlds[t / bins];
    const int bin = t % bins;
    const long long plane = static_cast<long long>(b.size_x) * b.size_y;
    b.telemetry[w * bins + bin] =
        telemetry_bin(b.column_any + w * plane, b.size_x, b.size_y, bin % kTelemetrySide, bin / kTelemetrySide);
}

__device__ bool smoke_blocks(const ObsDeviceBuffers& b, int w, Vec3 p, Vec3 q) {
    const int n = b.smoke_count[w];
    const SmokeSphere* s = b.smoke + static_cast<long long>(w) * b.smoke_capacity;
    for (int k = 0; k < n; ++k)
        if (segment_hits_sphere(p, q, s[k].centre, s[k].radius)) return true;
    return false;
}

// One thread per (world, unordered pair i < j); pair p of A agents decodes to (i, j) row-major.
__global__ void pair_los_kernel(ObsDeviceBuffers b) {
    const int a = b.agents;
    const int pairs = a * (a - 1) / 2;
    const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (t >= static_cast<long long>(pairs) * b.worlds) return;
    const int w = static_cast<int>(t / pairs);
    int p = static_cast<int>(t % pairs);
    int i = 0;
    while (p >= a - 1 - i) {
        p -= a - 1 - i;
        ++i;
    }
    const int j = i + 1 + p;
    const long long base = static_cast<long long>(w) * a;
    uint8_t clear = 0;
    if (b.m.alive[base + i] && b.m.alive[base + j]) {
        const long long grid = static_cast<long long>(b.size_x) * b.size_y * b.size_z;
        const VoxelView g{b.voxels + w * grid, b.size_x, b.size_y, b.size_z};
        const Vec3 pi = b.m.pos[base + i], pj = b.m.pos[base + j];
        clear = (has_terrain_los(g, pi, pj) && !smoke_blocks(b, w, pi, pj)) ? 1 : 0;
    }
    uint8_t* los = b.los + static_cast<long long>(w) * a * a;
    los[i * a + j] = clear;
    los[j * a + i] = clear;
}

__device__ ObsWorldView world_view(const ObsDeviceBuffers& b, int w) {
    const long long o = static_cast<long long>(w) * b.agents;
    const long long plane = static_cast<long long>(b.size_x) * b.size_y;
    ObsWorldView v;
    ObsMechArrays& m = v.m;
    m.pos = b.m.pos + o; m.vel = b.m.vel + o; m.last_damage_dir = b.m.last_damage_dir + o;
    m.yaw = b.m.yaw + o; m.hp = b.m.hp + o; m.leg_hp = b.m.leg_hp + o; m.heat = b.m.heat + o;
    m.stability = b.m.stability + o; m.fallen_ticks = b.m.fallen_ticks + o; m.paint_ticks = b.m.paint_ticks + o;
    m.painter = b.m.painter + o; m.suppress_ticks = b.m.suppress_ticks + o; m.ams_ticks = b.m.ams_ticks + o;
    m.focus = b.m.focus + o; m.cd_laser = b.m.cd_laser + o; m.cd_missile = b.m.cd_missile + o;
    m.cd_kinetic = b.m.cd_kinetic + o; m.cd_painter = b.m.cd_painter + o; m.alive = b.m.alive + o;
    m.cls = b.m.cls + o; m.team = b.m.team + o; m.ecm = b.m.ecm + o; m.eccm = b.m.eccm + o;
    m.was_hit = b.m.was_hit + o; m.sort_mode = b.m.sort_mode + o; m.hostile_only = b.m.hostile_only + o;
    m.incoming_missile = b.m.incoming + o;
    m.comm = b.m.comm + o * b.comm_dim;
    v.s = b.scalars[w];
    v.los = b.los + static_cast<long long>(w) * b.agents * b.agents;
    v.occupancy = b.occupancy + w * 2 * plane;
    v.telemetry = b.telemetry + w * kTelemetrySide * kTelemetrySide;
    return v;
}

// One thread per agent of every world; rows were zeroed by a memset on the same stream.
__global__ void assemble_kernel(ObsDeviceBuffers b, ObsConstants c, ObsOffsets layout, float* out) {
    const long long t = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (t >= static_cast<long long>(b.worlds) * b.agents) return;
    const int w = static_cast<int>(t / b.agents), v = static_cast<int>(t % b.agents);
    const ObsWorldView view = world_view(b, w);
    write_agent_observation(view, c, layout, v, out + t * layout.dim, b.contact_ids + t * kTargetSlots, kTargetSlots);
}

}  // namespace

const char* launch_voxel_edits(const ObsDeviceBuffers& b, int num_edits, uintptr_t stream) {
    if (num_edits <= 0) return nullptr;
    voxel_edits_kernel<<<blocks_for(num_edits), kThreads, 0, as_stream(stream)>>>(b.voxels, b.edit_index, b.edit_value,
                                                                                   num_edits);
    return last_error();
}

const char* launch_terrain_maps(const ObsDeviceBuffers& b, int num_dirty, uintptr_t stream) {
    if (num_dirty <= 0) return nullptr;
    const long long columns = static_cast<long long>(b.size_x) * b.size_y * num_dirty;
    columns_kernel<<<blocks_for(columns), kThreads, 0, as_stream(stream)>>>(b, num_dirty);
    if (const char* e = last_error()) return e;
    telemetry_kernel<<<blocks_for(256LL * num_dirty), kThreads, 0, as_stream(stream)>>>(b, num_dirty);
    return last_error();
}

const char* launch_pair_los(const ObsDeviceBuffers& b, uintptr_t stream) {
    const long long n = static_cast<long long>(b.agents) * (b.agents - 1) / 2 * b.worlds;
    if (n <= 0) return nullptr;
    pair_los_kernel<<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(b);
    return last_error();
}

const char* launch_assemble(const ObsDeviceBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out,
                            uintptr_t stream) {
    const long long n = static_cast<long long>(b.worlds) * b.agents;
    cudaMemsetAsync(out, 0, static_cast<size_t>(n) * layout.dim * sizeof(float), as_stream(stream));
    // Few, heavy threads (each walks every other agent): smaller blocks spread them over more SMs.
    assemble_kernel<<<static_cast<unsigned>((n + 63) / 64), 64, 0, as_stream(stream)>>>(b, c, layout, out);
    return last_error();
}

}  // namespace echelon::cuda
