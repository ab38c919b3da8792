#pragma once
// BatchSim, the simulator's entry point: W independent worlds stepped on a worker-thread pool,
// with same-step auto-reset. The order of one step is BatchSim::step_world (simulator.cpp), one
// named phase per line. Output buffers (outputs.hpp) are allocated by the caller (VecEnv: torch
// tensors), bound by name and written in place. Who writes the observation rows (the CPU writer,
// the CUDA mirror or its host emulation) is chosen at construction and driven from inside step.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "echelon/base/thread_pool.hpp"
#include "echelon/config.hpp"
#include "echelon/heuristic/heuristic.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/obs/layout.hpp"
#include "echelon/obs/mirror_base.hpp"
#include "echelon/outputs.hpp"
#include "echelon/replay/recorder.hpp"
#include "echelon/rules/episode_end.hpp"
#include "echelon/world_state.hpp"

namespace echelon {

class StateReader;

// Who writes the observation rows: the CPU writer on the worker threads, the observation mirror
// on a CUDA GPU (obs bound in device memory), or the same mirror emulated on the host (tests).
enum class ObsBackend : int { Cpu = 0, Cuda = 1, CudaEmulated = 2 };
// Where a bound buffer lives.
enum class BufferMemory : int { Host = 0, Device = 1 };
// Version of the save_state blob (snapshot.cpp); load_state reads only this version.
// 2: the header carries every config field, not only the shapes;
// 3: the last step's late terminal rewards left the per-world state (an output buffer now).
inline constexpr uint32_t kSnapshotFormatVersion = 3;

class BatchSim {
public:
    // world_offset: local world w draws the random streams (map, spawns, simulation, heuristic) of
    // world world_offset + w, so BatchSim(cfg, n, seed, t, ..., k) plays exactly worlds k .. k + n - 1
    // of BatchSim(cfg, N, seed, t): one process per rank, each with its block of the worlds, plays
    // the same games as one process with all of them. Not part of the snapshot (the caller that
    // chose it checks it: VecEnv.load_state_dict).
    BatchSim(const SimConfig& cfg, int num_worlds, uint64_t seed, int num_threads,
             ObsBackend obs_backend = ObsBackend::Cpu, int device = 0, uint64_t world_offset = 0);

    const SimConfig& config() const { return cfg_; }
    int num_worlds() const { return static_cast<int>(worlds_.size()); }
    int num_agents() const { return cfg_.num_agents(); }
    int action_dim() const { return cfg_.action_dim(); }
    int obs_dim() const { return layout_.dim(); }
    const ObsConstants& obs_constants() const { return obs_constants_; }
    int num_threads() const { return pool_.num_threads(); }
    uint64_t world_offset() const { return world_offset_; }
    const ObsLayout& layout() const { return layout_; }
    ObsBackend obs_backend() const { return obs_backend_; }
    int device() const { return device_; }  // the CUDA device of ObsBackend::Cuda

    // The shape of an output buffer of this sim ([W], [W, A], [W, A, D] or [W, S]).
    std::vector<size_t> buffer_shape(const BufferSpec& spec) const;
    // Binds one output buffer by its name in kOutputBuffers: `count` elements of `dtype` at `data`,
    // C-contiguous. Every buffer lives in host memory except `obs` with ObsBackend::Cuda, which
    // lives on the GPU. Throws std::invalid_argument naming the problem.
    void bind(std::string_view name, BufferDtype dtype, void* data, size_t count, BufferMemory memory);
    // Starts a new episode in every world and writes the first observations.
    void reset(uintptr_t stream = 0);
    // One decision step for all worlds. `actions` is [W, A, action_dim]; it is read, never written.
    // `stream`: the CUDA stream the mirror works on (ObsBackend::Cuda; 0 otherwise). Returns the
    // number of non-finite action entries this step replaced by 0.
    int64_t step(std::span<const float> actions, uintptr_t stream = 0);

    // Heuristic opponent (docs/heuristic.md): a team's level (-1 = external) from each world's
    // next episode on, for curricula; call between steps.
    void set_heuristic_level(int team, int level) { heuristic_.set_level(team, level); }
    int heuristic_level(int team) const { return heuristic_.level(team); }
    const HeuristicTeams& heuristic() const { return heuristic_; }

    // Snapshot of everything that shapes future steps (mechs, worlds, combat, heuristic minds,
    // seed), as a versioned, checksummed blob (snapshot.cpp). load_state checks the header against
    // this sim's shape (map size, roster, comm, contacts, world count), validates the whole blob
    // before changing anything, restores it in place (views into the state stay valid), rebuilds
    // the derived caches and, when buffers are bound, re-writes every world's observation rows.
    std::vector<uint8_t> save_state() const;
    void load_state(std::span<const uint8_t> blob, uintptr_t stream = 0);

    // Non-finite action entries replaced by 0 since construction, all worlds.
    int64_t bad_action_total() const;

    // Direct access for tests, tools and later subsystems (not for training loops).
    WorldState& world_state(int w) {
        settle_mirror();
        return *worlds_.at(static_cast<size_t>(w));
    }
    MechTable& mechs() { return mechs_; }
    // Re-writes world w's observation rows from its current state (after manual edits); with a
    // mirror backend, the mirror publishes every world (on the default stream).
    void refresh_observation(int w);
    // Off: no observation rows are written or computed (benchmarks time the simulation alone).
    void set_write_observations(bool on) { write_observations_ = on; }
    // The mirror behind ObsBackend::Cuda / CudaEmulated (nullptr with the CPU writer): its phase
    // timings and upload counters.
    const ObsMirrorBase* mirror() const { return mirror_.get(); }

    // Replays (replay/recorder.hpp, docs/replay.md): record world w's next `episodes` episodes
    // (-1: until stopped; 0 stops and keeps the episode in progress as an incomplete record), and
    // take the finished records. Off by default; a sim nobody records holds no recorder at all.
    void record(int w, int episodes);
    std::vector<replay::EpisodeRecord> take_records();
    const replay::EpisodeRecord* record_in_progress(int w) const;

private:
    friend struct StateAccess;
    std::unique_ptr<WorldState> make_world_state() const;
    void read_state_body(StateReader& r, bool commit);
    bool all_bound() const { return bound_mask_ == (1u << kNumOutputBuffers) - 1; }
    void require_bound(const char* what) const;

    // The phases of one world's step, in the order step_world calls them.
    void begin_step(int w, WorldState& ws, MechSpan m);
    void sanitise_actions(WorldState& ws, const MechSpan& m, std::span<const float> rows);
    void decide(int w, WorldState& ws, MechSpan m);
    void run_substeps(WorldState& ws, MechSpan m);
    Outcome score_step(int w, WorldState& ws, MechSpan m);
    void record_replay_frame(int w, const WorldState& ws, const MechSpan& m, const Outcome& outcome);
    void finish_episode(int w, WorldState& ws, const Outcome& outcome);
    void observe(int w);
    void step_world(int w, std::span<const float> actions);

    void reset_world(int w);
    void clear_step_outputs(int w);
    void write_world_obs(int w, std::span<float> out);
    void publish_observations(uintptr_t stream);
    void settle_mirror() const;
    std::span<float> rows(std::span<float> buf, int w, int width) const;
    template <typename T>
    std::span<T> agent_rows(std::span<T> buf, int w) const {
        return buf.subspan(static_cast<size_t>(w) * num_agents(), num_agents());
    }

    SimConfig cfg_;
    uint64_t seed_;
    uint64_t world_offset_;
    ObsLayout layout_;
    ObsConstants obs_constants_;
    MechTable mechs_;
    std::vector<std::unique_ptr<WorldState>> worlds_;
    HeuristicTeams heuristic_;
    ThreadPool pool_;
    StepBuffers out_{};
    uint32_t bound_mask_ = 0;  // bit i: kOutputBuffers[i] is bound
    ObsBackend obs_backend_;
    int device_;
    std::unique_ptr<ObsMirrorBase> mirror_;
    bool write_observations_ = true;
    std::unique_ptr<replay::Recorders> recorders_;  // null until a world is recorded
    bool handing_back_ = false;  // this step's worlds take back the mirror's contact slots
};

}  // namespace echelon
