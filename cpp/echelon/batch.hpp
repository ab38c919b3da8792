#pragma once
// BatchSim: W independent worlds stepped on a worker-thread pool, with same-step auto-reset.
// Output buffers are allocated by the caller (Python, as torch tensors) and written in place.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "config.hpp"
#include "heuristic.hpp"
#include "mechs.hpp"
#include "obs.hpp"
#include "thread_pool.hpp"
#include "world_state.hpp"

namespace echelon {

class StateReader;

// Caller-owned buffers, all C-contiguous: [W, A, D], [W, A], [W], [W, S].
struct StepBuffers {
    std::span<float> obs, final_obs, reward;
    std::span<bool> terminated, truncated, alive, episode_end;
    std::span<int8_t> winner;
    std::span<float> episode_stats;
};

class BatchSim {
public:
    // world_offset: local world w draws the random streams (map, spawns, simulation, heuristic) of
    // world world_offset + w, so BatchSim(cfg, n, seed, t, k) plays exactly worlds k .. k + n - 1
    // of BatchSim(cfg, N, seed, t): one process per rank, each with its slice of the worlds, plays
    // the same games as one process with all of them. Not part of the snapshot (the caller that
    // chose it checks it: VecEnv.load_state_dict).
    BatchSim(const SimConfig& cfg, int num_worlds, uint64_t seed, int num_threads, uint64_t world_offset = 0);

    const SimConfig& config() const { return cfg_; }
    int num_worlds() const { return static_cast<int>(worlds_.size()); }
    int num_agents() const { return cfg_.num_agents(); }
    int action_dim() const { return cfg_.action_dim(); }
    int obs_dim() const { return layout_.dim(); }
    const ObsConstants& obs_constants() const { return obs_constants_; }
    int num_threads() const { return pool_.num_threads(); }
    uint64_t world_offset() const { return world_offset_; }
    const ObsLayout& layout() const { return layout_; }

    void bind(const StepBuffers& buffers);
    // Starts a new episode in every world and writes the first observations.
    void reset();
    // One decision step for all worlds. `actions` is [W, A, action_dim]; it is read, never written.
    void step(std::span<const float> actions);

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
    void load_state(std::span<const uint8_t> blob);

    // Non-finite action entries replaced by 0 since construction, all worlds.
    int64_t bad_action_total() const;

    // Direct access for tests, tools and later subsystems (not for training loops).
    WorldState& world_state(int w) { return *worlds_.at(static_cast<size_t>(w)); }
    MechTable& mechs() { return mechs_; }
    // Re-writes world w's observation rows from its current state (after manual edits).
    void refresh_observation(int w);
    // The per-world numbers the observation reads (zone, scores, time), for the GPU mirror.
    ObsWorldScalars obs_scalars(int w) const { return obs_scalars(*worlds_.at(static_cast<size_t>(w))); }
    // Off: step() and reset() leave obs rows to another writer (the CUDA path). final_obs of ended
    // worlds is still written on the CPU, from the state before the reset.
    void set_cpu_observation(bool on) { cpu_observation_ = on; }
    bool cpu_observation() const { return cpu_observation_; }

private:
    friend struct StateAccess;
    std::unique_ptr<WorldState> make_world_state() const;
    void read_state_body(StateReader& r, bool commit);
    void reset_world(int w);
    void step_world(int w, std::span<const float> actions);
    void sanitise_actions(int w, std::span<const float> rows);
    ObsWorldScalars obs_scalars(const WorldState& ws) const;
    void write_world_obs(int w, std::span<float> out);
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
    bool bound_ = false;
    bool cpu_observation_ = true;
};

}  // namespace echelon
