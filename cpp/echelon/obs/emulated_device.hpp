#pragma once
// HostDevice: the observation mirror's "device" emulated in host memory. Copies are memcpy, a
// kernel launch is a loop over the same thread bodies the CUDA kernels run (mirror_threads.hpp),
// streams are ignored (everything is synchronous). It exists so the mirror's upload protocol,
// indexing and hand-back are tested on machines without a GPU, against the CPU writer;
// BatchSim with ObsBackend::CudaEmulated (VecEnv(obs_backend="cuda-emulated")) uses it. It is slow on purpose: one thread, no batching.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
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

    void* alloc_bytes(size_t n);       // zero-filled
    void* alloc_host_bytes(size_t n);  // zero-filled
    int64_t bytes() const { return bytes_; }

    void to_device(void* dst, const void* src, size_t n, uintptr_t stream);
    void to_host(void* dst, const void* src, size_t n, uintptr_t stream);
    void zero(void* dst, size_t n, uintptr_t stream);
    void sync(uintptr_t) {}
    void record(int event, uintptr_t);
    float elapsed_ms(int from, int to) const;

    void voxel_edits(const MirrorBuffers& b, int64_t num_edits, uintptr_t stream);
    void terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty, uintptr_t stream);
    void pair_los(const MirrorBuffers& b, uintptr_t stream);
    void assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out, uintptr_t stream);

private:
    std::vector<std::unique_ptr<std::byte[]>> blocks_;
    int64_t bytes_ = 0;
    std::array<std::chrono::steady_clock::time_point, 5> events_{};
};

extern template class ObsMirror<HostDevice>;

}  // namespace echelon
