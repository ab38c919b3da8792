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

// Counts the enclosed GPU work (a copy, a kernel) into the device's emulated work time.
class EmulatedWork {
public:
    explicit EmulatedWork(HostDevice& d) : d_(d), start_(std::chrono::steady_clock::now()) {}
    ~EmulatedWork() {
        d_.work_ms_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
    }
    EmulatedWork(const EmulatedWork&) = delete;
    EmulatedWork& operator=(const EmulatedWork&) = delete;

private:
    HostDevice& d_;
    std::chrono::steady_clock::time_point start_;
};

void* HostDevice::alloc_bytes(size_t n) {
    // Filled with a pattern, not zero: the mirror must zero device memory itself (zero_all), as
    // cudaMalloc's memory is not zeroed either.
    auto block = std::make_unique<std::byte[]>(n > 0 ? n : 1);
    std::memset(block.get(), 0xA5, n > 0 ? n : 1);
    device_blocks_.emplace_back(std::move(block), n);
    bytes_ += static_cast<int64_t>(n);
    return device_blocks_.back().first.get();
}

void* HostDevice::alloc_host_bytes(size_t n) {
    host_blocks_.push_back(std::make_unique<std::byte[]>(n > 0 ? n : 1));  // value-initialised: zero
    return host_blocks_.back().get();
}

void HostDevice::zero_all(uintptr_t) {
    EmulatedWork work(*this);
    for (auto& [block, n] : device_blocks_) std::memset(block.get(), 0, n);
}

void HostDevice::to_device(void* dst, const void* src, size_t n, uintptr_t) {
    EmulatedWork work(*this);
    if (n > 0) std::memcpy(dst, src, n);
}

void HostDevice::to_host(void* dst, const void* src, size_t n, uintptr_t) {
    EmulatedWork work(*this);
    if (n > 0) std::memcpy(dst, src, n);
}

void HostDevice::record(int event, uintptr_t) { events_.at(static_cast<size_t>(event)) = std::chrono::steady_clock::now(); }

float HostDevice::elapsed_ms(int from, int to) const {
    const auto d = events_.at(static_cast<size_t>(to)) - events_.at(static_cast<size_t>(from));
    return std::chrono::duration<float, std::milli>(d).count();
}

void HostDevice::voxel_updates(const MirrorBuffers& b, int num_whole, int64_t num_edits, uintptr_t) {
    EmulatedWork work(*this);
    for_each_thread(whole_grid_threads(b, num_whole), [&](long long t) { place_whole_grid_voxel(b, t); });
    for_each_thread(num_edits, [&](long long i) { apply_voxel_edit(b, i); });
}

void HostDevice::terrain_maps(const MirrorBuffers& b, int num_whole, int64_t num_edits, int num_dirty, uintptr_t) {
    EmulatedWork work(*this);
    if (num_dirty <= 0) return;
    for_each_thread(column_threads(b, num_whole, num_edits), [&](long long t) { refresh_dirty_column(b, num_whole, t); });
    for_each_thread(telemetry_threads(num_dirty), [&](long long t) { refresh_dirty_telemetry_bin(b, t); });
}

void HostDevice::pair_los(const MirrorBuffers& b, uintptr_t) {
    EmulatedWork work(*this);
    for_each_thread(pair_threads(b), [&](long long t) { pair_line_of_sight(b, t); });
}

// One-lane groups: clear the scratch row, write it, copy it out (the kernel's three phases).
void HostDevice::assemble(const MirrorBuffers& b, const ObsConstants& c, const ObsOffsets& layout, float* out, uintptr_t) {
    EmulatedWork work(*this);
    row_.resize(static_cast<size_t>(layout.dim));
    for_each_thread(agent_threads(b), [&](long long t) {
        clear_agent_row(row_.data(), layout.dim, 0, 1);
        write_agent_row(b, c, layout, t, row_.data());
        copy_agent_row(row_.data(), out, t, layout.dim, 0, 1);
    });
}

template class ObsMirror<HostDevice>;

std::unique_ptr<ObsMirrorBase> make_emulated_mirror(const MirrorInputs& in) {
    return std::make_unique<ObsMirror<HostDevice>>(in, 0);
}

}  // namespace echelon
