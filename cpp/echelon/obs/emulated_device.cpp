#include "echelon/obs/emulated_device.hpp"

#include <cstring>

#include "echelon/obs/mirror_threads.hpp"

namespace echelon {

namespace {

// Runs a kernel's thread body for every flat thread index, as a CUDA grid would.
template <typename Body>
void for_each_thread(long long n, Body&& body) {
    for (long long t = 0; t < n; ++t) body(t);
}

}  // namespace

void* HostDevice::alloc_bytes(size_t n) {
    blocks_.push_back(std::make_unique<std::byte[]>(n > 0 ? n : 1));  // value-initialised: zero
    bytes_ += static_cast<int64_t>(n);
    return blocks_.back().get();
}

void* HostDevice::alloc_host_bytes(size_t n) {
    blocks_.push_back(std::make_unique<std::byte[]>(n > 0 ? n : 1));
    return blocks_.back().get();
}

void HostDevice::to_device(void* dst, const void* src, size_t n, uintptr_t) {
    if (n > 0) std::memcpy(dst, src, n);
}

void HostDevice::to_host(void* dst, const void* src, size_t n, uintptr_t) {
    if (n > 0) std::memcpy(dst, src, n);
}

void HostDevice::zero(void* dst, size_t n, uintptr_t) {
    if (n > 0) std::memset(dst, 0, n);
}

void HostDevice::record(int event, uintptr_t) { events_.at(static_cast<size_t>(event)) = std::chrono::steady_clock::now(); }

float HostDevice::elapsed_ms(int from, int to) const {
    const auto d = events_.at(static_cast<size_t>(to)) - events_.at(static_cast<size_t>(from));
    return std::chrono::duration<float, std::milli>(d).count();
}

void HostDevice::voxel_edits(const MirrorBuffers& b, int64_t num_edits, uintptr_t) {
    for_each_thread(num_edits, [&](long long i) { apply_voxel_edit(b, i); });
}

void HostDevice::terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty, uintptr_t) {
    if (num_dirty <= 0) return;
    for_each_thread(column_threads(b, num_whole, num_edits), [&](long long t) { refresh_dirty_column(b, num_whole, t); });
    for_each_thread(telemetry_threads(num_dirty), [&](long long t) { refresh_dirty_telemetry_bin(b, t); });
}

void HostDevice::pair_los(const MirrorBuffers& b, uintptr_t) {
    for_each_thread(pair_threads(b), [&](long long t) { pair_line_of_sight(b, t); });
}

void HostDevice::assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out, uintptr_t) {
    for_each_thread(agent_threads(b), [&](long long t) { assemble_agent(b, c, layout, out, t); });
}

template class ObsMirror<HostDevice>;

std::unique_ptr<ObsMirrorBase> make_emulated_mirror(const MirrorInputs& in) {
    return std::make_unique<ObsMirror<HostDevice>>(in, 0);
}

}  // namespace echelon
