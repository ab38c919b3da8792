#pragma once
// CudaDevice: the observation mirror's device on a real GPU (see cpp/echelon/obs/mirror.hpp for the
// interface). Device memory from cudaMalloc (zeroed with cudaMemsetAsync on the stream of the
// first publish, never on the legacy default stream), page-locked host staging from
// cudaMallocHost, async copies and kernels on the caller's stream (torch's current stream), an
// event for the step's end that the next step waits on, CUDA events for the phase timings and
// NVTX ranges so nsys/ncu profiles show the phases by name.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "echelon/obs/mirror_buffers.hpp"
#include "echelon/obs/mirror.hpp"

namespace echelon::cuda {

class CudaDevice {
public:
    struct Range {
        explicit Range(const char* name);
        ~Range();
        Range(const Range&) = delete;
        Range& operator=(const Range&) = delete;
    };
    // Makes this device current (torch may have another current device) and restores it.
    struct Scope {
        explicit Scope(const CudaDevice& d) noexcept;
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;
        int previous = -1;
        bool switched = false;
    };

    explicit CudaDevice(int device_index);
    ~CudaDevice();
    CudaDevice(const CudaDevice&) = delete;
    CudaDevice& operator=(const CudaDevice&) = delete;

    void* alloc_bytes(size_t n);       // device memory: zeroed by zero_all before first use
    void* alloc_host_bytes(size_t n);  // zero-filled page-locked host memory
    int64_t bytes() const { return bytes_; }
    void zero_all(uintptr_t stream);   // every alloc_bytes block, on `stream`
    // Throws std::invalid_argument unless [out, out + bytes) is memory of this device.
    void check_output(const float* out, size_t bytes);

    void to_device(void* dst, const void* src, size_t n, uintptr_t stream);
    void to_host(void* dst, const void* src, size_t n, uintptr_t stream);
    void record(int event, uintptr_t stream);
    float elapsed_ms(int from, int to) const;
    void record_done(uintptr_t stream);  // the step's end
    void wait_done() const;              // the host waits for it (nothing when none was recorded)
    void wait_done_quietly() const noexcept;
    double take_emulated_work_ms() { return 0.0; }  // a GPU works asynchronously

    void voxel_updates(const MirrorBuffers& b, int num_whole, int64_t num_edits, uintptr_t stream);
    void terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty, uintptr_t stream);
    void pair_los(const MirrorBuffers& b, uintptr_t stream);
    void assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out, uintptr_t stream);

private:
    struct DeviceFree {
        void operator()(void* p) const;
    };
    struct HostFree {
        void operator()(void* p) const;
    };
    std::vector<std::unique_ptr<void, DeviceFree>> device_blocks_;
    std::vector<size_t> device_block_bytes_;
    std::vector<std::unique_ptr<void, HostFree>> host_blocks_;
    int64_t bytes_ = 0;
    std::array<void*, 5> events_{};  // cudaEvent_t
    void* done_ = nullptr;           // cudaEvent_t, without timing
    bool done_recorded_ = false;
    const float* checked_out_ = nullptr;  // the output buffer check_output last accepted
    size_t checked_bytes_ = 0;
    int index_ = 0;
};

}  // namespace echelon::cuda
