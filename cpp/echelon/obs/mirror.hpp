#pragma once
// ObsMirror<Device>: the observation computed from a mirror of the simulation state in device
// memory, for every world of a BatchSim at once. The simulation itself stays on the CPU threads.
//
// publish(out, stream), once per step: upload copies the mech arrays, per-world scalars, smoke
// clouds, pack messages and this step's voxel edits (whole grids only for worlds that were reset,
// restored, or edited between steps); compute runs the kernels into `out` ([W, A, D] in device
// memory); finish waits for the stream and hands the contact slots back to the worlds, which need
// them to decode the next step's focus targets. That is the step's one synchronisation.
//
// Device is CudaDevice (cuda/cuda_device.hpp: the real GPU path) or HostDevice (host_device.hpp:
// the same protocol and thread bodies run on the CPU, so the mirror is tested without a GPU). It
// provides alloc_bytes / alloc_host_bytes, to_device / to_host / zero, sync, record / elapsed_ms,
// the four launchers, an RAII Range for profiler annotations and an RAII Scope that makes the
// mirror's device current for a call and restores the caller's (multi-GPU processes).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "echelon/mech/actions.hpp"
#include "echelon/obs/mirror_base.hpp"
#include "echelon/obs/mirror_buffers.hpp"

namespace echelon {

static_assert(kMirrorTargetSlots == kContactSlots, "the mirror hands back the contact slots target selection reads");

template <class Device>
class ObsMirror final : public ObsMirrorBase {
public:
    ObsMirror(const MirrorInputs& in, int device_index) : in_(in), dev_(device_index) {
        typename Device::Scope on(dev_);
        allocate();
    }
    ObsMirror(const ObsMirror&) = delete;
    ObsMirror& operator=(const ObsMirror&) = delete;

    void publish(float* out, uintptr_t stream) override {
        upload(stream);
        compute(out, stream);
        finish(stream);
    }

    MirrorTimings last_timings() const override {
        typename Device::Scope on(dev_);
        return {dev_.elapsed_ms(0, 1), dev_.elapsed_ms(1, 2), dev_.elapsed_ms(2, 3), dev_.elapsed_ms(3, 4)};
    }
    void mark_all_dirty() override { all_dirty_ = true; }
    int64_t device_bytes() const override { return dev_.bytes(); }
    int last_whole_grids() const override { return whole_grids_; }
    int64_t last_edits() const override { return num_edits_; }

private:
    int64_t out_floats() const { return static_cast<int64_t>(b_.worlds) * b_.agents * layout_.dim; }

    void upload(uintptr_t stream) {
        typename Device::Scope on(dev_);
        typename Device::Range r("echelon/obs/upload");
        dev_.record(0, stream);
        upload_terrain(stream);
        upload_state(stream);
        dev_.record(1, stream);
    }

    void compute(float* out, uintptr_t stream) {
        typename Device::Scope on(dev_);
        {
            typename Device::Range r("echelon/obs/terrain");
            dev_.voxel_edits(b_, num_edits_, stream);
            dev_.terrain_maps(b_, whole_grids_, num_edits_, num_dirty_, stream);
            dev_.record(2, stream);
        }
        {
            typename Device::Range r("echelon/obs/los");
            dev_.pair_los(b_, stream);
            dev_.record(3, stream);
        }
        {
            typename Device::Range r("echelon/obs/assemble");
            dev_.zero(out, static_cast<size_t>(out_floats()) * sizeof(float), stream);
            dev_.assemble(b_, constants_, layout_, out, stream);
            dev_.to_host(contact_ids_.data(), b_.contact_ids, contact_ids_.size_bytes(), stream);
            dev_.record(4, stream);
        }
    }

    void finish(uintptr_t stream) {
        typename Device::Scope on(dev_);
        typename Device::Range r("echelon/obs/finish");
        dev_.sync(stream);
        const size_t per_world = static_cast<size_t>(b_.agents) * kMirrorTargetSlots;
        for (int w = 0; w < b_.worlds; ++w)
            std::copy_n(contact_ids_.begin() + static_cast<std::ptrdiff_t>(w * per_world), per_world,
                        in_.worlds[static_cast<size_t>(w)].contact_ids);
    }

    template <typename T>
    T* alloc(size_t count) {
        return static_cast<T*>(dev_.alloc_bytes(count * sizeof(T)));
    }
    template <typename T>
    std::span<T> alloc_host(size_t count) {
        return {static_cast<T*>(dev_.alloc_host_bytes(count * sizeof(T))), count};
    }
    template <typename T>
    void put(T* dst, std::span<const T> src, uintptr_t s) {
        dev_.to_device(dst, src.data(), src.size_bytes(), s);
    }
    template <typename T>
    void put(T* dst, const std::vector<T>& src, uintptr_t s) {
        put(dst, std::span<const T>(src), s);
    }

    void allocate() {
        const SimConfig& cfg = in_.cfg;
        const int w = static_cast<int>(in_.worlds.size()), a = cfg.num_agents();
        const size_t plane = static_cast<size_t>(cfg.size_x) * cfg.size_y, grid = plane * cfg.size_z;
        const size_t wa = static_cast<size_t>(w) * a;
        b_.worlds = w; b_.agents = a; b_.size_x = cfg.size_x; b_.size_y = cfg.size_y; b_.size_z = cfg.size_z;
        b_.comm_dim = cfg.comm_dim;
        b_.smoke_capacity = static_cast<int>(in_.worlds[0].smoke->capacity());
        b_.voxels = alloc<uint8_t>(grid * w);
        b_.occupancy = alloc<uint8_t>(2 * plane * w);
        b_.column_any = alloc<uint8_t>(plane * w);
        b_.telemetry = alloc<float>(256 * static_cast<size_t>(w));
        b_.los = alloc<uint8_t>(static_cast<size_t>(a) * a * w);
        MirrorMechArrays& m = b_.m;
#define ECHELON_MIRROR_ALLOC(type, name, start, visibility, valid) ECHELON_MECH_##visibility(m.name = alloc<type>(wa);)
        ECHELON_MECH_FIELDS(ECHELON_MIRROR_ALLOC)
#undef ECHELON_MIRROR_ALLOC
        m.incoming = alloc<uint8_t>(wa);
        m.comm = alloc<float>(wa * static_cast<size_t>(cfg.comm_dim));
        b_.scalars = alloc<ObsWorldScalars>(w);
        b_.smoke = alloc<SmokeSphere>(static_cast<size_t>(w) * b_.smoke_capacity);
        b_.smoke_count = alloc<int32_t>(w);
        b_.contact_ids = alloc<int32_t>(wa * kMirrorTargetSlots);
        b_.whole_worlds = alloc<int32_t>(w);
        b_.dirty_worlds = alloc<int32_t>(w);
        // Voxel edits per step: generous; a step with more edits than this sends whole grids.
        edit_capacity_ = static_cast<int>(std::min<size_t>(grid * w, size_t{1} << 20));
        b_.edit_index = alloc<int64_t>(edit_capacity_);
        b_.edit_value = alloc<uint8_t>(edit_capacity_);
        constants_ = in_.constants;
        layout_ = in_.layout;
        // Host staging in the Device's host memory (page-locked on CUDA, so copies are async).
        scalars_ = alloc_host<ObsWorldScalars>(w);
        smoke_ = alloc_host<SmokeSphere>(static_cast<size_t>(w) * b_.smoke_capacity);
        smoke_count_ = alloc_host<int32_t>(w);
        dirty_ = alloc_host<int32_t>(w);
        whole_ = alloc_host<int32_t>(w);
        contact_ids_ = alloc_host<int32_t>(wa * kMirrorTargetSlots);
        edit_index_ = alloc_host<int64_t>(edit_capacity_);
        edit_value_ = alloc_host<uint8_t>(edit_capacity_);
        incoming_ = alloc_host<uint8_t>(wa);
        comm_ = alloc_host<float>(wa * static_cast<size_t>(cfg.comm_dim));
        seen_revision_.assign(static_cast<size_t>(w), 0);
    }

    // A world sends its whole grid when it was rebuilt (reset), when the mirror was marked dirty,
    // when this step's edits overflow the edit buffer, or when it was edited after the last upload
    // and before this step began (those edits were cleared from its change record at the step's
    // start: its revision at that clear differs from the one the mirror saw).
    void upload_terrain(uintptr_t s) {
        const SimConfig& cfg = in_.cfg;
        const size_t grid = static_cast<size_t>(cfg.size_x) * cfg.size_y * cfg.size_z;
        num_edits_ = 0;
        num_dirty_ = 0;
        whole_grids_ = 0;
        for (int w = 0; w < b_.worlds; ++w) {
            const World& world = *in_.worlds[static_cast<size_t>(w)].world;
            const auto changed = world.changed();
            const auto ws = static_cast<size_t>(w);
            const bool edited_unseen = world.revision_at_clear() != seen_revision_[ws];
            const bool whole = all_dirty_ || world.full_rebuild() || edited_unseen ||
                               num_edits_ + static_cast<int64_t>(changed.size()) > edit_capacity_;
            seen_revision_[ws] = world.revision();
            if (whole) {
                dev_.to_device(b_.voxels + grid * ws, world.voxels().data(), grid, s);
                whole_[static_cast<size_t>(whole_grids_++)] = w;
            } else if (!changed.empty()) {
                for (const int32_t idx : changed) {
                    edit_index_[static_cast<size_t>(num_edits_)] = static_cast<int64_t>(grid * ws) + idx;
                    edit_value_[static_cast<size_t>(num_edits_)] = world.voxels()[static_cast<size_t>(idx)];
                    ++num_edits_;
                }
            } else {
                continue;
            }
            dirty_[static_cast<size_t>(num_dirty_++)] = w;
        }
        all_dirty_ = false;
        if (num_edits_ > 0) {
            put(b_.edit_index, std::span<const int64_t>(edit_index_.first(static_cast<size_t>(num_edits_))), s);
            put(b_.edit_value, std::span<const uint8_t>(edit_value_.first(static_cast<size_t>(num_edits_))), s);
        }
        if (num_dirty_ > 0) put(b_.dirty_worlds, std::span<const int32_t>(dirty_.first(static_cast<size_t>(num_dirty_))), s);
        if (whole_grids_ > 0) put(b_.whole_worlds, std::span<const int32_t>(whole_.first(static_cast<size_t>(whole_grids_))), s);
    }

    void upload_state(uintptr_t s) {
        const MechTable& t = *in_.mechs;
        MirrorMechArrays& m = b_.m;
#define ECHELON_MIRROR_PUT(type, name, start, visibility, valid) ECHELON_MECH_##visibility(put(m.name, t.name, s);)
        ECHELON_MECH_FIELDS(ECHELON_MIRROR_PUT)
#undef ECHELON_MIRROR_PUT
        const size_t a = static_cast<size_t>(b_.agents), cd = static_cast<size_t>(b_.comm_dim);
        for (int w = 0; w < b_.worlds; ++w) {
            const auto ws = static_cast<size_t>(w);
            const MirrorWorld& src = in_.worlds[ws];
            scalars_[ws] = src.cache->scalars;
            const SmokePool& pool = *src.smoke;
            smoke_count_[ws] = static_cast<int32_t>(pool.size());
            for (size_t k = 0; k < pool.size(); ++k)
                smoke_[ws * static_cast<size_t>(b_.smoke_capacity) + k] = {pool[k].centre, pool[k].radius};
            std::copy(src.cache->incoming.begin(), src.cache->incoming.end(), incoming_.begin() + ws * a);
            std::copy(src.comm, src.comm + a * cd, comm_.begin() + ws * a * cd);
        }
        put(b_.scalars, std::span<const ObsWorldScalars>(scalars_), s);
        put(b_.smoke, std::span<const SmokeSphere>(smoke_), s);
        put(b_.smoke_count, std::span<const int32_t>(smoke_count_), s);
        put(m.incoming, std::span<const uint8_t>(incoming_), s);
        put(m.comm, std::span<const float>(comm_), s);
    }

    MirrorInputs in_;
    Device dev_;
    MirrorBuffers b_{};
    ObsConstants constants_{};
    ObsOffsets layout_{};
    int64_t edit_capacity_ = 0, num_edits_ = 0;
    int num_dirty_ = 0, whole_grids_ = 0;
    bool all_dirty_ = true;
    std::vector<uint64_t> seen_revision_;
    std::span<ObsWorldScalars> scalars_;
    std::span<SmokeSphere> smoke_;
    std::span<int32_t> smoke_count_, dirty_, whole_, contact_ids_;
    std::span<int64_t> edit_index_;
    std::span<uint8_t> edit_value_, incoming_;
    std::span<float> comm_;
};

}  // namespace echelon
