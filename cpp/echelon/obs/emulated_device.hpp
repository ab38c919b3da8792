#pragma once
// HostDevice: the observation mirror's "device" emulated in host memory. Copies are memcpy, a
// kernel launch is a loop over the same thread bodies the CUDA kernels run (mirror_threads.hpp),
// the assembly with one-lane groups and a host scratch row in place of shared memory; streams
// and events are ignored (everything is synchronous). It exists so the mirror's staging and
// upload protocol, indexing and hand-back are tested on machines without a GPU, against the CPU
// writer; BatchSim with ObsBackend::CudaEmulated (VecEnv(obs_backend="cuda-emulated")) uses it.
// It is slow on purpose: one thread, no batching.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "echelon/obs/mirror_buffers.hpp"
#include "echelon/obs/mirror.hpp"

namespace echelon {

class HostDevice {
public:
    struct Range {
        explicit Range(const char*) {}
    };
    struct Scope {
        explicit Scope(const HostDevice&) {}
    };

    explicit HostDevice(int /*device_index*/) {}

    void* alloc_bytes(size_t n);       // device memory: zeroed by zero_all before first use
    void* alloc_host_bytes(size_t n);  // zero-filled
    int64_t bytes() const { return bytes_; }
    void zero_all(uintptr_t stream);   // every alloc_bytes block to zero
    void check_output(const float*, size_t) const {}  // host memory is the emulated device's

    void to_device(void* dst, const void* src, size_t n, uintptr_t stream);
    void to_host(void* dst, const void* src, size_t n, uintptr_t stream);
    void record(int event, uintptr_t);
    float elapsed_ms(int from, int to) const;
    void record_done(uintptr_t) {}
    void wait_done() const {}
    void wait_done_quietly() const noexcept {}
    // Time spent since the last call doing a GPU's work (copies, kernel bodies) on this thread.
    double take_emulated_work_ms() {
        const double ms = work_ms_;
        work_ms_ = 0.0;
        return ms;
    }

    void voxel_updates(const MirrorBuffers& b, int num_whole, int64_t num_edits, uintptr_t stream);
    void terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty, uintptr_t stream);
    void pair_los(const MirrorBuffers& b, uintptr_t stream);
    void assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out, uintptr_t stream);

private:
    friend class EmulatedWork;
    std::vector<std::pair<std::unique_ptr<std::byte[]>, size_t>> device_blocks_;
    std::vector<std::unique_ptr<std::byte[]>> host_blocks_;
    int64_t bytes_ = 0;
    std::array<std::chrono::steady_clock::time_point, 5> events_{};
    double work_ms_ = 0.0;
    std::vector<float> row_;  // the assembly's scratch row (shared memory on a GPU)
};

extern template class ObsMirror<HostDevice>;

}  // namespace echelon
