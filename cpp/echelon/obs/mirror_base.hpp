#pragma once
// The observation mirror's face to the simulator (the mirror itself: obs/mirror.hpp). The
// simulator holds one behind ObsMirrorBase, whatever its Device: each world's step stages the
// world (worker threads), publish starts the device's work once per step (calling thread), and
// the next step awaits it and hands the contact slots back.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "echelon/combat/smoke.hpp"
#include "echelon/config.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/obs/cache.hpp"
#include "echelon/obs/layout.hpp"
#include "echelon/obs/world_view.hpp"
#include "echelon/world/world.hpp"

namespace echelon {

// Phase times of the last publish (CUDA events on a GPU, host clock times when emulated), and
// host_ms: the calling thread's own time in publish, less the work an emulated device does in
// place of a GPU (copies and kernel bodies): the serial host cost a GPU step pays.
struct MirrorTimings {
    float upload_ms = 0.f, terrain_ms = 0.f, los_ms = 0.f, assemble_ms = 0.f, host_ms = 0.f;
};

// What the mirror reads of one world. The simulator points these at the world's state once (that
// storage never moves) and prepares cache->incoming and cache->scalars in each world's step.
struct MirrorWorld {
    const World* world;
    const SmokePool* smoke;
    const ObsCache* cache;
    const float* comm;      // [A, comm_dim]
    int32_t* contact_ids;   // [A, kContactSlots], written back by publish
};

struct MirrorInputs {
    SimConfig cfg;
    ObsOffsets layout;
    ObsConstants constants;
    const MechTable* mechs;
    std::vector<MirrorWorld> worlds;
};

class ObsMirrorBase {
public:
    virtual ~ObsMirrorBase() = default;
    // Copies world w's state into the step's page-locked staging (thread-safe across worlds; once
    // per world between publishes, after await).
    virtual void stage_world(int w) = 0;
    // Starts the step's device work: uploads what was staged, runs the kernels into `out`
    // ([W, A, D] in the Device's memory) on `stream` and copies the contact slots back; returns
    // without waiting for the device.
    virtual void publish(float* out, uintptr_t stream) = 0;
    // Waits for the last publish. True when its contact slots are still to be handed back: the
    // caller then calls hand_back(w) for every world before they step (target selection reads them).
    virtual bool await() = 0;
    virtual void hand_back(int w) = 0;
    // Whole grids at each world's next staging (after a reset or a snapshot restore).
    virtual void mark_all_dirty() = 0;
    // Times of the last publish's phases (waits for it), worlds whose whole grid went up, voxel
    // edits sent, and the device memory held.
    virtual MirrorTimings last_timings() const = 0;
    virtual int last_whole_grids() const = 0;
    virtual int64_t last_edits() const = 0;
    virtual int64_t device_bytes() const = 0;
};

// The mirror on the host (obs/emulated_device.cpp): slow, for tests without a GPU.
std::unique_ptr<ObsMirrorBase> make_emulated_mirror(const MirrorInputs& in);

}  // namespace echelon
