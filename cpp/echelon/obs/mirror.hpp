#pragma once
// ObsMirror<Device>: the observation computed from a mirror of the simulation state in device
// memory, for every world of a BatchSim at once. The simulation itself stays on the CPU threads.
//
// A step, in order (docs/observation.md, "The GPU mirror"):
//  - stage_world(w), on the worker thread that stepped world w: copies the world's mech rows,
//    scalars, smoke clouds, pack messages and incoming-missile marks into one page-locked host
//    block, and its voxel edits (or its whole grid, after a reset or an edit between steps) into
//    the edit and grid staging, reserving room with atomic counters.
//  - publish(out, stream), on the calling thread: one asynchronous copy of the block (plus the
//    edits and whole grids when there are any), the kernels into `out` ([W, A, D] in device
//    memory), the contact slots' copy back, and an event; it returns without waiting.
//  - await(), before the next staging (the next step, reset, restore, or a read of the worlds):
//    waits for that event; hand_back(w) then gives world w the contact slots its next target
//    selection reads (on the worker threads, in step).
// The calling thread does no per-world work. Double buffering (simulating half the worlds while
// the GPU observes the other half) is not built: it needs GPU measurements to pay for itself.
//
// Device is CudaDevice (cuda/cuda_device.hpp: the real GPU path) or HostDevice
// (emulated_device.hpp: the same protocol and thread bodies run on the CPU, so the mirror is
// tested without a GPU). It provides alloc_bytes / alloc_host_bytes, zero_all, check_output,
// to_device / to_host, record / elapsed_ms, record_done / wait_done, the launchers, an RAII Range
// for profiler annotations and an RAII Scope that makes the mirror's device current for a call
// and restores the caller's (multi-GPU processes).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
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
    ~ObsMirror() override {
        typename Device::Scope on(dev_);
        dev_.wait_done_quietly();  // the device may still be reading the staging being freed
    }
    ObsMirror(const ObsMirror&) = delete;
    ObsMirror& operator=(const ObsMirror&) = delete;

    void stage_world(int w) override {
        stage_state(w);
        stage_terrain(w);
    }

    void publish(float* out, uintptr_t stream) override {
        const auto start = std::chrono::steady_clock::now();
        typename Device::Scope on(dev_);
        if (overflow_.load()) throw std::logic_error("observation mirror: a world was staged twice between publishes");
        dev_.check_output(out, static_cast<size_t>(out_floats()) * sizeof(float));
        num_whole_ = whole_count_.exchange(0);
        num_edits_ = edit_count_.exchange(0);
        num_dirty_ = dirty_count_.exchange(0);
        upload(stream);
        compute(out, stream);
        dev_.record_done(stream);
        pending_ = true;
        const std::chrono::duration<double, std::milli> wall = std::chrono::steady_clock::now() - start;
        host_ms_ = static_cast<float>(std::max(0.0, wall.count() - dev_.take_emulated_work_ms()));
    }

    bool await() override {
        if (!pending_) return false;
        typename Device::Scope on(dev_);
        dev_.wait_done();
        pending_ = false;
        return true;
    }

    void hand_back(int w) override {
        const size_t per_world = static_cast<size_t>(b_.agents) * kMirrorTargetSlots;
        std::copy_n(contact_ids_.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(w) * per_world), per_world,
                    in_.worlds[static_cast<size_t>(w)].contact_ids);
    }

    MirrorTimings last_timings() const override {
        typename Device::Scope on(dev_);
        dev_.wait_done();
        return {dev_.elapsed_ms(0, 1), dev_.elapsed_ms(1, 2), dev_.elapsed_ms(2, 3), dev_.elapsed_ms(3, 4), host_ms_};
    }
    void mark_all_dirty() override { std::fill(seen_revision_.begin(), seen_revision_.end(), kNeverSeen); }
    int64_t device_bytes() const override { return dev_.bytes(); }
    int last_whole_grids() const override { return num_whole_; }
    int64_t last_edits() const override { return num_edits_; }

private:
    // A revision no world has: the world sends its whole grid at its next staging.
    static constexpr uint64_t kNeverSeen = ~uint64_t{0};

    int64_t out_floats() const { return static_cast<int64_t>(b_.worlds) * b_.agents * layout_.dim; }
    size_t grid_voxels() const { return static_cast<size_t>(b_.size_x) * b_.size_y * b_.size_z; }

    // --- staging (worker threads, one world each) ---

    void stage_state(int w) {
        const MechTable& t = *in_.mechs;
        const MirrorWorld& src = in_.worlds[static_cast<size_t>(w)];
        const size_t a = static_cast<size_t>(b_.agents), cd = static_cast<size_t>(b_.comm_dim);
        const size_t o = static_cast<size_t>(w) * a;
        MirrorMechArrays& m = h_.m;
#define ECHELON_MIRROR_STAGE(type, name, start, visibility, valid) \
    ECHELON_MECH_##visibility(std::copy_n(t.name.begin() + static_cast<std::ptrdiff_t>(o), a, m.name + o);)
        ECHELON_MECH_FIELDS(ECHELON_MIRROR_STAGE)
#undef ECHELON_MIRROR_STAGE
        std::copy_n(src.cache->incoming.begin(), a, m.incoming + o);
        std::copy_n(src.comm, a * cd, m.comm + o * cd);
        h_.scalars[w] = src.cache->scalars;
        const SmokePool& pool = *src.smoke;
        h_.smoke_count[w] = static_cast<int32_t>(pool.size());
        SmokeSphere* spheres = h_.smoke + static_cast<size_t>(w) * static_cast<size_t>(b_.smoke_capacity);
        for (size_t k = 0; k < pool.size(); ++k) spheres[k] = {pool[k].centre, pool[k].radius};
    }

    // A world sends its whole grid when it was rebuilt (reset), when the mirror was marked dirty,
    // when its edits do not fit the edit buffer's room left this step, or when it was edited after
    // its last staging and before this step began (those edits were cleared from its change record
    // at the step's start: its revision at that clear differs from the one the mirror saw).
    void stage_terrain(int w) {
        const World& world = *in_.worlds[static_cast<size_t>(w)].world;
        const auto ws = static_cast<size_t>(w);
        const auto changed = world.changed();
        bool whole = world.full_rebuild() || world.revision_at_clear() != seen_revision_[ws];
        seen_revision_[ws] = world.revision();
        if (!whole && changed.empty()) return;
        const size_t grid = grid_voxels();
        if (!whole) {
            const auto n = static_cast<int64_t>(changed.size());
            int64_t at = edit_count_.load(std::memory_order_relaxed);
            do {
                if (at + n > edit_capacity_) {
                    whole = true;
                    break;
                }
            } while (!edit_count_.compare_exchange_weak(at, at + n, std::memory_order_relaxed));
            if (!whole) {
                const uint8_t* voxels = world.voxels().data();
                for (int64_t k = 0; k < n; ++k) {
                    const auto idx = static_cast<size_t>(changed[static_cast<size_t>(k)]);
                    edits_[static_cast<size_t>(at + k)] =
                        static_cast<uint64_t>(grid * ws + idx) | (static_cast<uint64_t>(voxels[idx]) << kEditValueShift);
                }
            }
        }
        if (whole) {
            const int slot = whole_count_.fetch_add(1, std::memory_order_relaxed);
            if (slot >= b_.worlds) {
                overflow_.store(true);
                return;
            }
            std::memcpy(whole_grids_.data() + static_cast<size_t>(slot) * grid, world.voxels().data(), grid);
            h_.whole_worlds[slot] = w;
        }
        const int d = dirty_count_.fetch_add(1, std::memory_order_relaxed);
        if (d >= b_.worlds) {
            overflow_.store(true);
            return;
        }
        h_.dirty_worlds[d] = w;
    }

    // --- the step's device work (calling thread) ---

    void upload(uintptr_t s) {
        typename Device::Range r("echelon/obs/upload");
        dev_.record(0, s);
        if (!zeroed_) {
            dev_.zero_all(s);  // on the stream that uses the memory, before anything reads it
            zeroed_ = true;
        }
        dev_.to_device(device_block_, host_block_.data(), host_block_.size(), s);
        if (num_edits_ > 0) dev_.to_device(b_.edits, edits_.data(), static_cast<size_t>(num_edits_) * sizeof(uint64_t), s);
        if (num_whole_ > 0) dev_.to_device(b_.whole_grids, whole_grids_.data(), static_cast<size_t>(num_whole_) * grid_voxels(), s);
        dev_.record(1, s);
    }

    void compute(float* out, uintptr_t s) {
        {
            typename Device::Range r("echelon/obs/terrain");
            dev_.voxel_updates(b_, num_whole_, num_edits_, s);
            dev_.terrain_maps(b_, num_whole_, num_edits_, num_dirty_, s);
            dev_.record(2, s);
        }
        {
            typename Device::Range r("echelon/obs/los");
            dev_.pair_los(b_, s);
            dev_.record(3, s);
        }
        {
            typename Device::Range r("echelon/obs/assemble");
            dev_.assemble(b_, constants_, layout_, out, s);
            dev_.to_host(contact_ids_.data(), b_.contact_ids, contact_ids_.size_bytes(), s);
            dev_.record(4, s);
        }
    }

    // --- memory ---

    template <typename T>
    T* alloc(size_t count) {
        return static_cast<T*>(dev_.alloc_bytes(count * sizeof(T)));
    }
    template <typename T>
    std::span<T> alloc_host(size_t count) {
        return {static_cast<T*>(dev_.alloc_host_bytes(count * sizeof(T))), count};
    }

    // The staged block's layout, the same on the host and on the device: each part 16-byte aligned.
    struct BlockLayout {
        size_t bytes = 0;
        template <typename T>
        size_t place(size_t count) {
            const size_t at = (bytes + 15) & ~size_t{15};
            bytes = at + count * sizeof(T);
            return at;
        }
    };

    // Points the staged parts of `b` into the block at `base` (host staging or its device copy;
    // 0 to size the block).
    static void point_into_block(uintptr_t base, const MirrorBuffers& shape, MirrorBuffers& b, size_t* total) {
        BlockLayout L;
        const size_t w = static_cast<size_t>(shape.worlds), wa = w * static_cast<size_t>(shape.agents);
        MirrorMechArrays& m = b.m;
#define ECHELON_MIRROR_PLACE(type, name, start, visibility, valid) \
    ECHELON_MECH_##visibility(m.name = reinterpret_cast<type*>(base + L.place<type>(wa));)
        ECHELON_MECH_FIELDS(ECHELON_MIRROR_PLACE)
#undef ECHELON_MIRROR_PLACE
        m.incoming = reinterpret_cast<uint8_t*>(base + L.place<uint8_t>(wa));
        m.comm = reinterpret_cast<float*>(base + L.place<float>(wa * static_cast<size_t>(shape.comm_dim)));
        b.scalars = reinterpret_cast<ObsWorldScalars*>(base + L.place<ObsWorldScalars>(w));
        b.smoke = reinterpret_cast<SmokeSphere*>(base + L.place<SmokeSphere>(w * static_cast<size_t>(shape.smoke_capacity)));
        b.smoke_count = reinterpret_cast<int32_t*>(base + L.place<int32_t>(w));
        b.whole_worlds = reinterpret_cast<int32_t*>(base + L.place<int32_t>(w));
        b.dirty_worlds = reinterpret_cast<int32_t*>(base + L.place<int32_t>(w));
        *total = L.bytes;
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
        b_.contact_ids = alloc<int32_t>(wa * kMirrorTargetSlots);
        // The staged block: sized once (a dry layout at address 0), then host and device copies.
        size_t block_bytes = 0;
        point_into_block(0, b_, h_, &block_bytes);
        host_block_ = alloc_host<std::byte>(block_bytes);
        device_block_ = alloc<std::byte>(block_bytes);
        h_ = b_;
        point_into_block(reinterpret_cast<uintptr_t>(host_block_.data()), b_, h_, &block_bytes);
        point_into_block(reinterpret_cast<uintptr_t>(device_block_), b_, b_, &block_bytes);
        // Voxel edits per step: generous; a world whose edits no longer fit sends its whole grid.
        // Whole grids: room for every world (all of them after a reset).
        edit_capacity_ = static_cast<int64_t>(std::min<size_t>(grid * w, size_t{1} << 20));
        b_.edits = alloc<uint64_t>(static_cast<size_t>(edit_capacity_));
        edits_ = alloc_host<uint64_t>(static_cast<size_t>(edit_capacity_));
        b_.whole_grids = alloc<uint8_t>(grid * w);
        whole_grids_ = alloc_host<uint8_t>(grid * w);
        h_.edits = edits_.data();
        h_.whole_grids = whole_grids_.data();
        contact_ids_ = alloc_host<int32_t>(wa * kMirrorTargetSlots);
        constants_ = in_.constants;
        layout_ = in_.layout;
        seen_revision_.assign(static_cast<size_t>(w), kNeverSeen);
    }

    MirrorInputs in_;
    Device dev_;
    MirrorBuffers b_{};  // device pointers: what the kernels read
    MirrorBuffers h_{};  // the staged parts' host pointers (the rest unused)
    std::span<std::byte> host_block_;
    std::byte* device_block_ = nullptr;
    std::span<uint64_t> edits_;
    std::span<uint8_t> whole_grids_;
    std::span<int32_t> contact_ids_;
    ObsConstants constants_{};
    ObsOffsets layout_{};
    int64_t edit_capacity_ = 0;
    // This step's counts, reserved by the worker threads; publish takes them.
    std::atomic<int64_t> edit_count_{0};
    std::atomic<int> whole_count_{0}, dirty_count_{0};
    std::atomic<bool> overflow_{false};
    int64_t num_edits_ = 0;
    int num_whole_ = 0, num_dirty_ = 0;
    std::vector<uint64_t> seen_revision_;  // per world, written only by the thread staging it
    bool zeroed_ = false, pending_ = false;
    float host_ms_ = 0.f;
};

}  // namespace echelon
