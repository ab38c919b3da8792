#pragma once
// GpuObservation: the CUDA observation path for a BatchSim. It mirrors the state the
// observation reads on the GPU and runs the observation kernels into a caller-owned CUDA buffer
// (VecEnv's obs tensor). The simulation itself stays on the CPU worker threads.
//
// Per step: upload(stream) copies the mech arrays, per-world scalars, smoke clouds, pack
// messages and this step's voxel edits (whole grids only for worlds that were reset), then
// compute(out, stream) runs the kernels. finish() waits for the stream and hands the contact
// slots back to the CPU sim, which needs them to decode the next step's focus targets: that is
// the step's one synchronisation.
#include <cstdint>
#include <memory>

namespace echelon {
class BatchSim;
namespace cuda {

struct GpuTimings {
    float upload_ms = 0.f, terrain_ms = 0.f, los_ms = 0.f, assemble_ms = 0.f;
};

class GpuObservation {
public:
    GpuObservation(BatchSim& sim, int device);
    ~GpuObservation();
    GpuObservation(const GpuObservation&) = delete;
    GpuObservation& operator=(const GpuObservation&) = delete;

    void upload(uintptr_t stream);
    void compute(float* out, uintptr_t stream);
    void finish(uintptr_t stream);
    // Event timings of the last upload + compute (requires finish() first).
    GpuTimings last_timings() const;
    // Forces whole-grid uploads at the next upload (after edits made outside a step).
    void mark_all_dirty();
    int64_t device_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cuda
}  // namespace echelon
