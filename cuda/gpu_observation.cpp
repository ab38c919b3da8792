// Host half of the CUDA observation path (C++20; the kernels are in obs_kernels.cu).
#include "gpu_observation.hpp"

#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "echelon/batch.hpp"
#include "obs_device.hpp"

namespace echelon::cuda {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}
void check_launch(const char* err, const char* what) {
    if (err) throw std::runtime_error(std::string("CUDA kernel ") + what + " failed: " + err);
}

struct DeviceFree {
    void operator()(void* p) const { cudaFree(p); }
};
using DevicePtr = std::unique_ptr<void, DeviceFree>;

struct NvtxRange {
    explicit NvtxRange(const char* name) { nvtxRangePushA(name); }
    ~NvtxRange() { nvtxRangePop(); }
};

cudaStream_t as_stream(uintptr_t s) { return reinterpret_cast<cudaStream_t>(s); }

}  // namespace

struct GpuObservation::Impl {
    BatchSim& sim;
    int device;
    ObsDeviceBuffers b{};
    ObsConstants constants{};
    ObsOffsets layout{};
    std::vector<DevicePtr> allocations;
    int64_t bytes = 0;
    int edit_capacity = 0;
    bool all_dirty = true;
    // Host staging, sized once.
    std::vector<ObsWorldScalars> scalars;
    std::vector<SmokeSphere> smoke;
    std::vector<int32_t> smoke_count, edit_index, dirty, contact_ids;
    std::vector<uint8_t> edit_value, incoming;
    std::vector<float> comm;
    int num_edits = 0, num_dirty = 0;
    cudaEvent_t events[5]{};

    template <typename T>
    T* alloc(size_t count) {
        void* p = nullptr;
        const size_t n = count * sizeof(T);
        check(cudaMalloc(&p, n > 0 ? n : 1), "cudaMalloc");
        allocations.emplace_back(p);
        bytes += static_cast<int64_t>(n);
        return static_cast<T*>(p);
    }

    Impl(BatchSim& s, int dev) : sim(s), device(dev) {
        check(cudaSetDevice(device), "cudaSetDevice");
        const SimConfig& cfg = sim.config();
        const int w = sim.num_worlds(), a = sim.num_agents();
        const size_t plane = static_cast<size_t>(cfg.size_x) * cfg.size_y, grid = plane * cfg.size_z;
        const size_t wa = static_cast<size_t>(w) * a;
        b.worlds = w; b.agents = a; b.size_x = cfg.size_x; b.size_y = cfg.size_y; b.size_z = cfg.size_z;
        b.comm_dim = cfg.comm_dim;
        b.smoke_capacity = static_cast<int>(sim.world_state(0).combat.smoke.capacity());
        b.voxels = alloc<uint8_t>(grid * w);
        b.occupancy = alloc<uint8_t>(2 * plane * w);
        b.column_any = alloc<uint8_t>(plane * w);
        b.telemetry = alloc<float>(256 * static_cast<size_t>(w));
        b.los = alloc<uint8_t>(static_cast<size_t>(a) * a * w);
        check(cudaMemset(b.los, 0, static_cast<size_t>(a) * a * w), "cudaMemset");
        DeviceMechArrays& m = b.m;
        m.pos = alloc<Vec3>(wa); m.vel = alloc<Vec3>(wa); m.last_damage_dir = alloc<Vec3>(wa);
        m.yaw = alloc<float>(wa); m.hp = alloc<float>(wa); m.leg_hp = alloc<float>(wa); m.heat = alloc<float>(wa);
        m.stability = alloc<float>(wa);
        for (int32_t** p : {&m.fallen_ticks, &m.paint_ticks, &m.painter, &m.suppress_ticks, &m.ams_ticks, &m.focus,
                            &m.cd_laser, &m.cd_missile, &m.cd_kinetic, &m.cd_painter})
            *p = alloc<int32_t>(wa);
        for (uint8_t** p : {&m.alive, &m.cls, &m.team, &m.ecm, &m.eccm, &m.was_hit, &m.sort_mode, &m.hostile_only,
                            &m.incoming})
            *p = alloc<uint8_t>(wa);
        m.comm = alloc<float>(wa * static_cast<size_t>(cfg.comm_dim));
        b.scalars = alloc<ObsWorldScalars>(w);
        b.smoke = alloc<SmokeSphere>(static_cast<size_t>(w) * b.smoke_capacity);
        b.smoke_count = alloc<int32_t>(w);
        b.contact_ids = alloc<int32_t>(wa * kTargetSlots);
        b.dirty_worlds = alloc<int32_t>(w);
        // Voxel edits per step: generous; a step with more edits than this uploads whole grids.
        edit_capacity = static_cast<int>(std::min<size_t>(grid * w, 1u << 20));
        b.edit_index = alloc<int32_t>(edit_capacity);
        b.edit_value = alloc<uint8_t>(edit_capacity);
        constants = sim.obs_constants();
        layout = sim.layout().offsets();
        scalars.resize(w);
        smoke.resize(static_cast<size_t>(w) * b.smoke_capacity);
        smoke_count.resize(w);
        dirty.resize(w);
        contact_ids.resize(wa * kTargetSlots);
        edit_index.resize(edit_capacity);
        edit_value.resize(edit_capacity);
        incoming.resize(wa);
        comm.resize(wa * static_cast<size_t>(cfg.comm_dim));
        for (auto& e : events) check(cudaEventCreate(&e), "cudaEventCreate");
    }

    ~Impl() {
        for (auto& e : events)
            if (e) cudaEventDestroy(e);
    }

    template <typename T>
    void put(T* dst, const std::vector<T>& src, cudaStream_t s) {
        check(cudaMemcpyAsync(dst, src.data(), src.size() * sizeof(T), cudaMemcpyHostToDevice, s), "upload");
    }

    // Voxel edits of this step; worlds rebuilt this step (reset) or marked dirty send whole grids.
    void upload_terrain(cudaStream_t s) {
        const SimConfig& cfg = sim.config();
        const size_t grid = static_cast<size_t>(cfg.size_x) * cfg.size_y * cfg.size_z;
        num_edits = 0;
        num_dirty = 0;
        for (int w = 0; w < sim.num_worlds(); ++w) {
            const World& world = sim.world_state(w).world;
            const auto changed = world.changed();
            const bool whole = all_dirty || world.full_rebuild() || num_edits + static_cast<int>(changed.size()) > edit_capacity;
            if (whole) {
                check(cudaMemcpyAsync(b.voxels + grid * w, world.voxels().data(), grid, cudaMemcpyHostToDevice, s),
                      "grid upload");
            } else if (!changed.empty()) {
                for (const int32_t idx : changed) {
                    edit_index[num_edits] = static_cast<int32_t>(grid * w) + idx;
                    edit_value[num_edits] = world.voxels()[idx];
                    ++num_edits;
                }
            } else {
                continue;
            }
            dirty[num_dirty++] = w;
        }
        all_dirty = false;
        if (num_edits > 0) {
            check(cudaMemcpyAsync(b.edit_index, edit_index.data(), num_edits * sizeof(int32_t), cudaMemcpyHostToDevice, s), "edits");
            check(cudaMemcpyAsync(b.edit_value, edit_value.data(), num_edits, cudaMemcpyHostToDevice, s), "edits");
        }
        if (num_dirty > 0)
            check(cudaMemcpyAsync(b.dirty_worlds, dirty.data(), num_dirty * sizeof(int32_t), cudaMemcpyHostToDevice, s), "dirty");
    }

    void upload_state(cudaStream_t s) {
        MechTable& t = sim.mechs();
        DeviceMechArrays& m = b.m;
        put(m.pos, t.pos, s); put(m.vel, t.vel, s); put(m.last_damage_dir, t.last_damage_dir, s);
        put(m.yaw, t.yaw, s); put(m.hp, t.hp, s); put(m.leg_hp, t.leg_hp, s); put(m.heat, t.heat, s);
        put(m.stability, t.stability, s); put(m.fallen_ticks, t.fallen_ticks, s); put(m.paint_ticks, t.paint_ticks, s);
        put(m.painter, t.painter, s); put(m.suppress_ticks, t.suppress_ticks, s); put(m.ams_ticks, t.ams_ticks, s);
        put(m.focus, t.focus, s); put(m.cd_laser, t.cd_laser, s); put(m.cd_missile, t.cd_missile, s);
        put(m.cd_kinetic, t.cd_kinetic, s); put(m.cd_painter, t.cd_painter, s); put(m.alive, t.alive, s);
        put(m.cls, t.cls, s); put(m.team, t.team, s); put(m.ecm, t.ecm, s); put(m.eccm, t.eccm, s);
        put(m.was_hit, t.was_hit, s); put(m.sort_mode, t.sort_mode, s); put(m.hostile_only, t.hostile_only, s);
        const int a = sim.num_agents(), cd = sim.config().comm_dim;
        for (int w = 0; w < sim.num_worlds(); ++w) {
            WorldState& ws = sim.world_state(w);
            scalars[w] = sim.obs_scalars(w);
            const SmokePool& pool = ws.combat.smoke;
            smoke_count[w] = static_cast<int32_t>(pool.size());
            for (size_t k = 0; k < pool.size(); ++k)
                smoke[static_cast<size_t>(w) * b.smoke_capacity + k] = {pool[k].centre, pool[k].radius};
            mark_incoming_missiles(ws.combat.projectiles, ws.obs_cache);
            std::copy(ws.obs_cache.incoming.begin(), ws.obs_cache.incoming.end(), incoming.begin() + static_cast<size_t>(w) * a);
            std::copy(ws.combat.comm.begin(), ws.combat.comm.end(), comm.begin() + static_cast<size_t>(w) * a * cd);
        }
        put(b.scalars, scalars, s); put(b.smoke, smoke, s); put(b.smoke_count, smoke_count, s);
        put(m.incoming, incoming, s); put(m.comm, comm, s);
    }
};

GpuObservation::GpuObservation(BatchSim& sim, int device) : impl_(std::make_unique<Impl>(sim, device)) {}
GpuObservation::~GpuObservation() = default;

void GpuObservation::upload(uintptr_t stream) {
    NvtxRange r("echelon/obs/upload");
    const cudaStream_t s = as_stream(stream);
    check(cudaEventRecord(impl_->events[0], s), "event");
    impl_->upload_terrain(s);
    impl_->upload_state(s);
    check(cudaEventRecord(impl_->events[1], s), "event");
}

void GpuObservation::compute(float* out, uintptr_t stream) {
    Impl& im = *impl_;
    const cudaStream_t s = as_stream(stream);
    {
        NvtxRange r("echelon/obs/terrain");
        check_launch(launch_voxel_edits(im.b, im.num_edits, stream), "voxel_edits");
        check_launch(launch_terrain_maps(im.b, im.num_dirty, stream), "terrain_maps");
        check(cudaEventRecord(im.events[2], s), "event");
    }
    {
        NvtxRange r("echelon/obs/los");
        check_launch(launch_pair_los(im.b, stream), "pair_los");
        check(cudaEventRecord(im.events[3], s), "event");
    }
    {
        NvtxRange r("echelon/obs/assemble");
        check_launch(launch_assemble(im.b, im.constants, im.layout, out, stream), "assemble");
        check(cudaMemcpyAsync(im.contact_ids.data(), im.b.contact_ids, im.contact_ids.size() * sizeof(int32_t),
                              cudaMemcpyDeviceToHost, s), "contact ids");
        check(cudaEventRecord(im.events[4], s), "event");
    }
}

void GpuObservation::finish(uintptr_t stream) {
    NvtxRange r("echelon/obs/finish");
    Impl& im = *impl_;
    check(cudaStreamSynchronize(as_stream(stream)), "cudaStreamSynchronize");
    const int a = im.sim.num_agents();
    for (int w = 0; w < im.sim.num_worlds(); ++w) {
        auto& ids = im.sim.world_state(w).combat.contact_ids;
        std::copy_n(im.contact_ids.begin() + static_cast<std::ptrdiff_t>(w) * a * kTargetSlots, ids.size(), ids.begin());
    }
}

GpuTimings GpuObservation::last_timings() const {
    GpuTimings t;
    cudaEventElapsedTime(&t.upload_ms, impl_->events[0], impl_->events[1]);
    cudaEventElapsedTime(&t.terrain_ms, impl_->events[1], impl_->events[2]);
    cudaEventElapsedTime(&t.los_ms, impl_->events[2], impl_->events[3]);
    cudaEventElapsedTime(&t.assemble_ms, impl_->events[3], impl_->events[4]);
    return t;
}

void GpuObservation::mark_all_dirty() { impl_->all_dirty = true; }

int64_t GpuObservation::device_bytes() const { return impl_->bytes; }

}  // namespace echelon::cuda
