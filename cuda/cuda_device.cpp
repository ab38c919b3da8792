#include "cuda_device.hpp"

#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "obs_kernels.hpp"

namespace echelon::cuda {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}

void check_launch(const char* err, const char* what) {
    if (err) throw std::runtime_error(std::string("CUDA kernel ") + what + " failed: " + err);
}

cudaStream_t as_stream(uintptr_t s) { return reinterpret_cast<cudaStream_t>(s); }
cudaEvent_t as_event(void* e) { return static_cast<cudaEvent_t>(e); }

}  // namespace

CudaDevice::Range::Range(const char* name) { nvtxRangePushA(name); }
CudaDevice::Range::~Range() { nvtxRangePop(); }

void CudaDevice::DeviceFree::operator()(void* p) const { cudaFree(p); }
void CudaDevice::HostFree::operator()(void* p) const { cudaFreeHost(p); }

// Never throws (it also guards the destructor): a failure here resurfaces at the next CUDA call.
CudaDevice::Scope::Scope(const CudaDevice& d) noexcept {
    if (cudaGetDevice(&previous) == cudaSuccess && previous != d.index_)
        switched = cudaSetDevice(d.index_) == cudaSuccess;
}

CudaDevice::Scope::~Scope() {
    if (switched) cudaSetDevice(previous);
}

CudaDevice::CudaDevice(int device_index) : index_(device_index) {
    Scope on(*this);
    for (void*& e : events_) {
        cudaEvent_t ev = nullptr;
        check(cudaEventCreate(&ev), "cudaEventCreate");
        e = ev;
    }
    cudaEvent_t done = nullptr;
    check(cudaEventCreateWithFlags(&done, cudaEventDisableTiming), "cudaEventCreateWithFlags");
    done_ = done;
}

CudaDevice::~CudaDevice() {
    Scope on(*this);
    for (void* e : events_)
        if (e) cudaEventDestroy(as_event(e));
    if (done_) cudaEventDestroy(as_event(done_));
}

void* CudaDevice::alloc_bytes(size_t n) {
    void* p = nullptr;
    check(cudaMalloc(&p, n > 0 ? n : 1), "cudaMalloc");
    device_blocks_.emplace_back(p);
    device_block_bytes_.push_back(n);
    bytes_ += static_cast<int64_t>(n);
    return p;
}

void CudaDevice::zero_all(uintptr_t s) {
    for (size_t i = 0; i < device_blocks_.size(); ++i)
        if (device_block_bytes_[i] > 0)
            check(cudaMemsetAsync(device_blocks_[i].get(), 0, device_block_bytes_[i], as_stream(s)), "cudaMemsetAsync");
}

void CudaDevice::check_output(const float* out, size_t n) {
    if (out == checked_out_ && n == checked_bytes_) return;
    cudaPointerAttributes a{};
    check(cudaPointerGetAttributes(&a, out), "cudaPointerGetAttributes");
    if (a.type != cudaMemoryTypeDevice && a.type != cudaMemoryTypeManaged)
        throw std::invalid_argument("the obs buffer is not CUDA device memory: allocate it on cuda:" +
                                    std::to_string(index_));
    if (a.device != index_)
        throw std::invalid_argument("the obs buffer is on cuda:" + std::to_string(a.device) +
                                    ", the observation mirror on cuda:" + std::to_string(index_) +
                                    ": allocate obs on the mirror's device");
    checked_out_ = out;
    checked_bytes_ = n;
}

void* CudaDevice::alloc_host_bytes(size_t n) {
    void* p = nullptr;
    check(cudaMallocHost(&p, n > 0 ? n : 1), "cudaMallocHost");
    host_blocks_.emplace_back(p);
    std::memset(p, 0, n > 0 ? n : 1);
    return p;
}

void CudaDevice::to_device(void* dst, const void* src, size_t n, uintptr_t s) {
    if (n > 0) check(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, as_stream(s)), "upload");
}

void CudaDevice::to_host(void* dst, const void* src, size_t n, uintptr_t s) {
    if (n > 0) check(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, as_stream(s)), "download");
}

void CudaDevice::record_done(uintptr_t s) {
    check(cudaEventRecord(as_event(done_), as_stream(s)), "cudaEventRecord");
    done_recorded_ = true;
}

void CudaDevice::wait_done() const {
    if (done_recorded_) check(cudaEventSynchronize(as_event(done_)), "cudaEventSynchronize");
}

void CudaDevice::wait_done_quietly() const noexcept {
    if (done_recorded_) cudaEventSynchronize(as_event(done_));
}

void CudaDevice::record(int event, uintptr_t s) {
    check(cudaEventRecord(as_event(events_.at(static_cast<size_t>(event))), as_stream(s)), "cudaEventRecord");
}

float CudaDevice::elapsed_ms(int from, int to) const {
    float ms = 0.f;
    check(cudaEventElapsedTime(&ms, as_event(events_.at(static_cast<size_t>(from))),
                               as_event(events_.at(static_cast<size_t>(to)))),
          "cudaEventElapsedTime");
    return ms;
}

void CudaDevice::voxel_updates(const MirrorBuffers& b, int num_whole, int64_t num_edits, uintptr_t s) {
    check_launch(launch_voxel_updates(b, num_whole, num_edits, s), "voxel_updates");
}
void CudaDevice::terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty, uintptr_t s) {
    check_launch(launch_terrain_maps(b, num_whole, num_edits, num_dirty, s), "terrain_maps");
}
void CudaDevice::pair_los(const MirrorBuffers& b, uintptr_t s) { check_launch(launch_pair_los(b, s), "pair_los"); }
void CudaDevice::assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out,
                          uintptr_t s) {
    check_launch(launch_assemble(b, c, layout, out, s), "assemble");
}

}  // namespace echelon::cuda
