#pragma once
// CudaDevice: the observation mirror's device on a real GPU (see cpp/echelon/obs/mirror.hpp for the
// interface). Device memory from cudaMalloc, page-locked host staging from cudaMallocHost,
// async copies and kernels on the caller's stream (torch's current stream), CUDA events for the
// phase timings and NVTX ranges so nsys/ncu profiles show the phases by name.
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

    void* alloc_bytes(size_t n);       // zero-filled device memory
    void* alloc_host_bytes(size_t n);  // zero-filled page-locked host memory
    int64_t bytes() const { return bytes_; }

    void to_device(void* dst, const void* src, size_t n, uintptr_t stream);
    void to_host(void* dst, const void* src, size_t n, uintptr_t stream);
    void zero(void* dst, size_t n, uintptr_t stream);
    void sync(uintptr_t stream);
    void record(int event, uintptr_t stream);
    float elapsed_ms(int from, int to) const;

    void voxel_edits(const MirrorBuffers& b, int64_t num_edits, uintptr_t stream);
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
    std::vector<std::unique_ptr<void, HostFree>> host_blocks_;
    int64_t bytes_ = 0;
    std::array<void*, 5> events_{};  // cudaEvent_t
    int index_ = 0;
};

}  // namespace echelon::cuda
