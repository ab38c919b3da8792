#pragma once
// One "thread" of each observation-mirror kernel, as ECHELON_HD functions of a flat thread index.
// The CUDA kernels (cuda/obs_kernels.cu) call them with blockIdx * blockDim + threadIdx; the
// host emulator (emulated_device.cpp) calls them in a loop. Every per-element rule is the core's
// shared code (terrain_maps.hpp, raycast.hpp, agent_writer.hpp): these only map indices to elements.
// C++17 (compiled by nvcc too).
#include <cstdint>

#include "echelon/base/host_device.hpp"
#include "echelon/obs/agent_writer.hpp"
#include "echelon/world/raycast.hpp"
#include "echelon/obs/terrain_maps.hpp"
#include "echelon/obs/mirror_buffers.hpp"

namespace echelon {

ECHELON_HD inline long long mirror_grid_voxels(const MirrorBuffers& b) {
    return static_cast<long long>(b.size_x) * b.size_y * b.size_z;
}
ECHELON_HD inline long long mirror_plane(const MirrorBuffers& b) { return static_cast<long long>(b.size_x) * b.size_y; }

// --- voxel updates: one thread per voxel of each whole grid sent, then one per edit (a world
// sends either its whole grid or its edits) ---
ECHELON_HD inline long long edit_voxel(uint64_t e) { return static_cast<long long>(e & kEditIndexMask); }

ECHELON_HD inline long long whole_grid_threads(const MirrorBuffers& b, int num_whole) {
    return mirror_grid_voxels(b) * num_whole;
}

ECHELON_HD inline void place_whole_grid_voxel(const MirrorBuffers& b, long long t) {
    const long long grid = mirror_grid_voxels(b);
    b.voxels[b.whole_worlds[t / grid] * grid + t % grid] = b.whole_grids[t];
}

ECHELON_HD inline void apply_voxel_edit(const MirrorBuffers& b, long long i) {
    b.voxels[edit_voxel(b.edits[i])] = static_cast<uint8_t>(b.edits[i] >> kEditValueShift);
}

// --- terrain maps: one thread per column to refresh (every column of each whole-grid world, then
// the column of each voxel edit), then one per (dirty world, telemetry bin). Two edits in one
// column refresh it twice with the same values, which is harmless. ---
ECHELON_HD inline long long column_threads(const MirrorBuffers& b, int num_whole, long long num_edits) {
    return mirror_plane(b) * num_whole + num_edits;
}

ECHELON_HD inline void refresh_dirty_column(const MirrorBuffers& b, int num_whole, long long t) {
    const long long plane = mirror_plane(b), whole = plane * num_whole;
    long long w, col;
    if (t < whole) {
        w = b.whole_worlds[t / plane];
        col = t % plane;
    } else {
        const long long idx = edit_voxel(b.edits[t - whole]), grid = mirror_grid_voxels(b);
        w = idx / grid;
        col = (idx % grid) % plane;
    }
    const int x = static_cast<int>(col % b.size_x), y = static_cast<int>(col / b.size_x);
    refresh_column(b.voxels + w * mirror_grid_voxels(b), b.size_x, b.size_y, b.size_z, x, y, b.occupancy + w * 2 * plane,
                   b.column_any + w * plane);
}

inline constexpr int kTelemetryBins = kTelemetrySide * kTelemetrySide;

ECHELON_HD inline long long telemetry_threads(int num_dirty) { return static_cast<long long>(kTelemetryBins) * num_dirty; }

ECHELON_HD inline void refresh_dirty_telemetry_bin(const MirrorBuffers& b, long long t) {
    const int w = b.dirty_worlds[t / kTelemetryBins];
    const int bin = static_cast<int>(t % kTelemetryBins);
    b.telemetry[w * kTelemetryBins + bin] = telemetry_bin(b.column_any + w * mirror_plane(b), b.size_x, b.size_y,
                                                          bin % kTelemetrySide, bin / kTelemetrySide);
}

// --- line of sight: one thread per (world, unordered pair i < j) ---
ECHELON_HD inline long long pair_threads(const MirrorBuffers& b) {
    return static_cast<long long>(b.agents) * (b.agents - 1) / 2 * b.worlds;
}

ECHELON_HD inline bool mirror_smoke_blocks(const MirrorBuffers& b, int w, Vec3 p, Vec3 q) {
    const int n = b.smoke_count[w];
    const SmokeSphere* s = b.smoke + static_cast<long long>(w) * b.smoke_capacity;
    for (int k = 0; k < n; ++k)
        if (segment_hits_sphere(p, q, s[k].centre, s[k].radius)) return true;
    return false;
}

// Pair p of A agents decodes to (i, j) row-major over the upper triangle. Dead pairs write 0, as
// the CPU's compute_pair_los leaves them; the diagonal is never written (zeroed at allocation).
ECHELON_HD inline void pair_line_of_sight(const MirrorBuffers& b, long long t) {
    const int a = b.agents;
    const int pairs = a * (a - 1) / 2;
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
        const VoxelView g{b.voxels + w * mirror_grid_voxels(b), b.size_x, b.size_y, b.size_z};
        const Vec3 pi = b.m.pos[base + i], pj = b.m.pos[base + j];
        clear = (has_terrain_los(g, pi, pj) && !mirror_smoke_blocks(b, w, pi, pj)) ? 1 : 0;
    }
    uint8_t* los = b.los + static_cast<long long>(w) * a * a;
    los[i * a + j] = clear;
    los[j * a + i] = clear;
}

// --- assembly ---
ECHELON_HD inline ObsWorldView mirror_world_view(const MirrorBuffers& b, int w) {
    const long long o = static_cast<long long>(w) * b.agents;
    const long long plane = mirror_plane(b);
    ObsWorldView v;
    ObsMechArrays& m = v.m;
#define ECHELON_MIRROR_VIEW(type, name, start, visibility, valid) ECHELON_MECH_##visibility(m.name = b.m.name + o;)
    ECHELON_MECH_FIELDS(ECHELON_MIRROR_VIEW)
#undef ECHELON_MIRROR_VIEW
    m.incoming_missile = b.m.incoming + o;
    m.comm = b.m.comm + o * b.comm_dim;
    v.s = b.scalars[w];
    v.los = b.los + static_cast<long long>(w) * b.agents * b.agents;
    v.occupancy = b.occupancy + w * 2 * plane;
    v.telemetry = b.telemetry + w * kTelemetryBins;
    return v;
}

ECHELON_HD inline long long agent_threads(const MirrorBuffers& b) { return static_cast<long long>(b.worlds) * b.agents; }

// One agent's row is built by a group of `lanes` threads (a warp on the GPU, one thread on the
// host) in a scratch row of layout.dim floats (shared memory on the GPU): the group clears it,
// lane 0 writes the agent's observation into it, and the group copies it out, consecutive lanes
// on consecutive floats (coalesced), every element, zeros included: no separate zeroing pass.
// The caller separates the three phases with a barrier for the group (__syncwarp).
ECHELON_HD inline void clear_agent_row(float* row, int dim, int lane, int lanes) {
    for (int k = lane; k < dim; k += lanes) row[k] = 0.f;
}

ECHELON_HD inline void write_agent_row(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, long long t,
                                       float* row) {
    const int w = static_cast<int>(t / b.agents), v = static_cast<int>(t % b.agents);
    const ObsWorldView view = mirror_world_view(b, w);
    write_agent_observation(view, c, layout, v, row, b.contact_ids + t * kMirrorTargetSlots, kMirrorTargetSlots);
}

ECHELON_HD inline void copy_agent_row(const float* row, float* out, long long t, int dim, int lane, int lanes) {
    float* dst = out + t * dim;
    for (int k = lane; k < dim; k += lanes) dst[k] = row[k];
}

}  // namespace echelon
