// BatchSim: construction, output buffers, episodes, the observation backends and the step. Read
// step_world first: the order of one world's step, one named phase per line.
#include "echelon/simulator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "echelon/combat/substep.hpp"
#include "echelon/maps/generate.hpp"
#include "echelon/maps/spawn.hpp"
#include "echelon/mech/movement.hpp"
#include "echelon/obs/cpu_writer.hpp"
#include "echelon/rules/action_decode.hpp"
#include "echelon/rules/rewards.hpp"

#ifdef ECHELON_HAS_CUDA
#include "gpu_observation.hpp"
#endif

namespace echelon {

namespace {

void require(bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
}

float map_scale(const SimConfig& c) { return static_cast<float>(std::max(c.size_x, c.size_y)); }

// The per-world numbers the observation reads (zone, scores, time).
ObsWorldScalars observation_scalars(const WorldState& ws, int max_steps) {
    ObsWorldScalars s{};
    s.zone_cx = ws.map.zone.cx;
    s.zone_cy = ws.map.zone.cy;
    s.zone_radius = ws.map.zone.radius;
    s.zone_score[0] = ws.zone_score[0];
    s.zone_score[1] = ws.zone_score[1];
    s.zone_margin = ws.ticks.margin();
    s.time_fraction = static_cast<float>(ws.step) / static_cast<float>(max_steps);
    return s;
}

std::unique_ptr<ObsMirrorBase> make_mirror(ObsBackend backend, const MirrorInputs& in, int device) {
    switch (backend) {
        case ObsBackend::Cpu:
            return nullptr;
        case ObsBackend::CudaEmulated:
            return make_emulated_mirror(in);
        case ObsBackend::Cuda:
#ifdef ECHELON_HAS_CUDA
            return cuda::make_cuda_mirror(in, device);
#else
            (void)device;
            throw std::invalid_argument(
                "obs backend 'cuda' needs an extension built with the CUDA kernels (reinstall with ECHELON_CUDA=ON)");
#endif
    }
    throw std::invalid_argument("unknown obs backend " + std::to_string(static_cast<int>(backend)));
}

}  // namespace

BatchSim::BatchSim(const SimConfig& cfg, int num_worlds, uint64_t seed, int num_threads, ObsBackend obs_backend,
                   int device, uint64_t world_offset)
    : cfg_(cfg), seed_(seed), world_offset_(world_offset), layout_(cfg.obs.contact_slots, cfg.comm_dim), obs_constants_(make_obs_constants(cfg, cfg.num_agents())), mechs_(num_worlds, cfg.num_agents()), pool_(std::max(1, num_threads)), obs_backend_(obs_backend), device_(device) {
    require(num_worlds > 0, "num_worlds must be positive");
    require(num_threads > 0, "num_threads must be positive");
    require(cfg.size_x >= 16 && cfg.size_y >= 16 && cfg.size_z >= 6, "map size must be at least 16 x 16 x 6");
    require(cfg.packs_per_team >= 1, "packs_per_team must be at least 1");
    require(cfg.dt > 0.f && cfg.decision_repeat >= 1, "dt and decision_repeat must be positive");
    const int min_side = std::min(cfg.size_x, cfg.size_y);
    require(required_spawn_clear(cfg.agents_per_team(), min_side) <= min_side / 2,
            "map too small for the roster: each team's spawn square must fit in half the map's shorter side");
    worlds_.reserve(static_cast<size_t>(num_worlds));
    for (int w = 0; w < num_worlds; ++w) worlds_.push_back(make_world_state());
    heuristic_.init(cfg_, num_worlds, seed, world_offset);
    if (obs_backend != ObsBackend::Cpu) {
        MirrorInputs in{cfg_, layout_.offsets(), obs_constants_, &mechs_, {}};
        for (auto& ws : worlds_)
            in.worlds.push_back({&ws->world, &ws->combat.smoke, &ws->obs_cache, ws->combat.comm.data(),
                                 ws->combat.contact_ids.data()});
        mirror_ = make_mirror(obs_backend, in, device);
    }
}

std::unique_ptr<WorldState> BatchSim::make_world_state() const {
    const SimConfig& cfg = cfg_;
    const int a = cfg.num_agents();
    auto ws = std::make_unique<WorldState>();
    ws->world = World(cfg.size_x, cfg.size_y, cfg.size_z);
    ws->actions.assign(static_cast<size_t>(a) * cfg.action_dim(), 0.f);
    ws->start.resize(static_cast<size_t>(a));
    ws->order.assign(static_cast<size_t>(a), 0);
    ws->combat.init(a, cfg.comm_dim);
    ws->obs_cache.init(cfg.size_x, cfg.size_y, a);
    return ws;
}

// --- output buffers -------------------------------------------------------------------------

std::vector<size_t> BatchSim::buffer_shape(const BufferSpec& spec) const {
    std::vector<size_t> shape{static_cast<size_t>(num_worlds())};
    if (spec.rows == BufferRows::PerAgent) shape.push_back(static_cast<size_t>(num_agents()));
    if (spec.width == BufferWidth::ObsDim) shape.push_back(static_cast<size_t>(obs_dim()));
    if (spec.width == BufferWidth::EpisodeStats) shape.push_back(static_cast<size_t>(kNumEpisodeStats));
    return shape;
}

void BatchSim::bind(std::string_view name, BufferDtype dtype, void* data, size_t count, BufferMemory memory) {
    const int i = output_buffer_index(name);
    const std::string n(name);
    require(i >= 0, "unknown output buffer '" + n + "' (echelon._core.output_buffers lists them)");
    const BufferSpec& spec = kOutputBuffers[i];
    require(dtype == spec.dtype,
            n + " must have dtype " + dtype_name(spec.dtype) + ", got " + dtype_name(dtype));
    size_t expected = 1;
    for (const size_t d : buffer_shape(spec)) expected *= d;
    require(count == expected, n + " buffer has the wrong size: " + std::to_string(count) + " elements, expected " +
                                   std::to_string(expected));
    const bool on_device = obs_backend_ == ObsBackend::Cuda && name == "obs";
    require(memory == (on_device ? BufferMemory::Device : BufferMemory::Host),
            on_device ? "obs must be a CUDA buffer with obs backend 'cuda' (the mirror writes it on the GPU)"
                      : n + " must be a CPU buffer");
#define ECHELON_BIND_BUFFER(bname, type, dt, rows, width, valid) \
    if (name == #bname) out_.bname = std::span<type>(static_cast<type*>(data), count);
    ECHELON_OUTPUT_BUFFERS(ECHELON_BIND_BUFFER)
#undef ECHELON_BIND_BUFFER
    bound_mask_ |= 1u << i;
}

void BatchSim::require_bound(const char* what) const {
    if (all_bound()) return;
    std::string missing;
    for (int i = 0; i < kNumOutputBuffers; ++i)
        if (!(bound_mask_ & (1u << i))) missing += std::string(missing.empty() ? "" : ", ") + kOutputBuffers[i].name;
    throw std::invalid_argument(std::string("bind every output buffer before ") + what + " (missing: " + missing + ")");
}

std::span<float> BatchSim::rows(std::span<float> buf, int w, int width) const {
    const size_t n = static_cast<size_t>(num_agents()) * width;
    return buf.subspan(static_cast<size_t>(w) * n, n);
}

// --- episodes -------------------------------------------------------------------------------

void BatchSim::reset_world(int w) {
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    ++ws.episode;
    const auto ep = static_cast<uint64_t>(ws.episode);
    const uint64_t stream = world_offset_ + static_cast<uint64_t>(w);
    Rng map_rng(mix_seed(seed_, stream, ep, static_cast<uint64_t>(RngPurpose::Map)));
    Rng spawn_rng(mix_seed(seed_, stream, ep, static_cast<uint64_t>(RngPurpose::Spawn)));
    ws.sim_rng = Rng(mix_seed(seed_, stream, ep, static_cast<uint64_t>(RngPurpose::Sim)));
    ws.map = generate_map(ws.world, cfg_, map_rng);
    MechSpan m = mechs_.world(w);
    reset_mechs(m);
    spawn_teams(m, cfg_.agents_per_team(), ws.map, ws.world, spawn_rng);
    reset_combat(ws.combat);
    ws.step = 0;
    ws.zone_score[0] = ws.zone_score[1] = 0.f;
    ws.ticks = compute_zone_ticks(ws.map.zone, m);
    std::fill(std::begin(ws.stats), std::end(ws.stats), 0.f);
    if (recorders_) recorders_->episode_started(w, cfg_, seed_, ws, m);
}

void BatchSim::clear_step_outputs(int w) {
    for (auto buf : {agent_rows(out_.reward, w), agent_rows(out_.late_terminal, w)}) std::fill(buf.begin(), buf.end(), 0.f);
    for (auto buf : {agent_rows(out_.terminated, w), agent_rows(out_.truncated, w)}) std::fill(buf.begin(), buf.end(), false);
    out_.episode_end[static_cast<size_t>(w)] = false;
    out_.winner[static_cast<size_t>(w)] = static_cast<int8_t>(kWinnerNone);
}

void BatchSim::reset(uintptr_t stream) {
    require_bound("reset");
    settle_mirror();
    if (mirror_) mirror_->mark_all_dirty();
    pool_.parallel_for(num_worlds(), [this](int w) {
        reset_world(w);
        observe(w);
        clear_step_outputs(w);
    });
    publish_observations(stream);
}

// --- observation ----------------------------------------------------------------------------

void BatchSim::write_world_obs(int w, std::span<float> out) {
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    MechSpan m = mechs_.world(w);
    refresh_terrain_maps(ws.world, ws.obs_cache);
    compute_pair_los(m, ws.world, ws.combat.smoke, ws.obs_cache);
    mark_incoming_missiles(ws.combat.projectiles, ws.obs_cache);
    ws.obs_cache.scalars = observation_scalars(ws, cfg_.max_steps());
    const ObsWorldView view = make_world_view(m, ws.combat.comm, ws.obs_cache);
    write_world_observations(layout_.offsets(), obs_constants_, view, out, ws.combat.contact_ids);
}

// The CPU writer writes the world's rows here; a mirror backend stages the world's inputs
// (publish_observations computes the rows of every world at once).
void BatchSim::observe(int w) {
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    const MechSpan m = mechs_.world(w);
    ws.ticks = compute_zone_ticks(ws.map.zone, m);
    if (mirror_) {
        mark_incoming_missiles(ws.combat.projectiles, ws.obs_cache);
        ws.obs_cache.scalars = observation_scalars(ws, cfg_.max_steps());
        if (write_observations_) mirror_->stage_world(w);
    } else if (write_observations_) {
        write_world_obs(w, rows(out_.obs, w, obs_dim()));
    }
    auto alive = agent_rows(out_.alive, w);
    for (int i = 0; i < m.size(); ++i) alive[i] = m.alive[i] != 0;
}

void BatchSim::publish_observations(uintptr_t stream) {
    if (mirror_ && write_observations_) mirror_->publish(out_.obs.data(), stream);
}

// The mirror's last publish done and its contact slots in the worlds: before anything reads the
// worlds or stages them again off the step's path.
void BatchSim::settle_mirror() const {
    if (!mirror_ || !mirror_->await()) return;
    for (int w = 0; w < num_worlds(); ++w) mirror_->hand_back(w);
}

void BatchSim::refresh_observation(int w) {
    require_bound("refresh_observation");
    settle_mirror();
    observe(w);
    publish_observations(0);
}

// --- the step -------------------------------------------------------------------------------

// Edits made between steps (tools, tests) reach the terrain maps and the heuristic's nav graphs
// before the change record is cleared for this step's own edits.
void BatchSim::begin_step(int w, WorldState& ws, MechSpan m) {
    refresh_terrain_maps(ws.world, ws.obs_cache);
    heuristic_.sync(w, ws, m);
    ws.world.clear_changes();
}

void BatchSim::sanitise_actions(WorldState& ws, const MechSpan& m, std::span<const float> in) {
    const int ad = action_dim();
    for (int i = 0; i < num_agents(); ++i)
        for (int k = 0; k < ad; ++k) {
            const size_t idx = static_cast<size_t>(i) * ad + k;
            float v = in[idx];
            if (!std::isfinite(v)) {
                v = 0.f;
                ++ws.bad_action_entries;
                ws.stats[m.team[i] == 0 ? kStatBadActionsBlue : kStatBadActionsRed] += 1.f;
            }
            ws.actions[idx] = std::clamp(v, -1.f, 1.f);
        }
}

void BatchSim::decide(int w, WorldState& ws, MechSpan m) {
    decode_decision_actions(cfg_, m, ws.combat.contact_ids, ws.actions);
    heuristic_.apply_focus(w, m);  // its mechs aim at the target it chose, listed or not
}

void BatchSim::run_substeps(WorldState& ws, MechSpan m) {
    CombatCtx ctx{cfg_, m, ws.world, ws.combat, ws.sim_rng, ws.stats};
    const MovementParams mp{cfg_.dt, cfg_.gravity};
    for (int s = 0; s < cfg_.decision_repeat; ++s) {
        run_combat_substep(ctx, ws.actions, action_dim());
        move_mechs(m, ws.world, ws.actions, action_dim(), mp, ws.sim_rng, ws.order);
    }
}

Outcome BatchSim::score_step(int w, WorldState& ws, MechSpan m) {
    ++ws.step;
    ws.ticks = compute_zone_ticks(ws.map.zone, m);
    score_zone(ws.ticks, cfg_.decision_seconds(), ws.zone_score, ws.stats);
    const Outcome outcome = check_episode_end(
        m, {{ws.zone_score[0], ws.zone_score[1]}, cfg_.zone_score_to_win(), ws.step, cfg_.max_steps()});
    RewardInputs ri{&ws.map.zone, ws.ticks, ws.start.potential, ws.start.alive, outcome.terminated(), map_scale(cfg_)};
    ri.combat = &ws.combat.tally;
    ri.contested_before = ws.start.contested;
    ri.episode_ended = outcome.ended();
    ri.winner = outcome.winner;
    compute_rewards(m, ri, cfg_.rewards, agent_rows(out_.reward, w), agent_rows(out_.late_terminal, w));
    write_done_flags(m, ws.start.alive, outcome, agent_rows(out_.terminated, w), agent_rows(out_.truncated, w));
    out_.episode_end[static_cast<size_t>(w)] = outcome.ended();
    out_.winner[static_cast<size_t>(w)] = static_cast<int8_t>(outcome.ended() ? outcome.winner : kWinnerNone);
    return outcome;
}

// Before finish_episode: an ended episode's last frame is the state that ended it, not the next
// episode's start. A world nobody records costs this one pointer test.
void BatchSim::record_replay_frame(int w, const WorldState& ws, const MechSpan& m, const Outcome& outcome) {
    if (recorders_) recorders_->decided(w, ws, m, agent_rows(out_.reward, w), outcome);
}

void BatchSim::finish_episode(int w, WorldState& ws, const Outcome& outcome) {
    write_world_obs(w, rows(out_.final_obs, w, obs_dim()));
    ws.stats[kStatLength] = static_cast<float>(ws.step);
    ws.stats[kStatEndReason] = static_cast<float>(outcome.reason);
    ws.stats[kStatZoneScoreBlue] = ws.zone_score[0];
    ws.stats[kStatZoneScoreRed] = ws.zone_score[1];
    std::copy(std::begin(ws.stats), std::end(ws.stats),
              out_.episode_stats.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(w) * kNumEpisodeStats));
    reset_world(w);
}

// One world's decision step; the numbers are those of "One step" in docs/architecture.md.
void BatchSim::step_world(int w, std::span<const float> actions) {
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    MechSpan m = mechs_.world(w);
    const size_t row = static_cast<size_t>(num_agents()) * action_dim();
    // 0. A mirror backend hands back the contact slots of the last observation (steps 3 and 5 read them).
    if (handing_back_) mirror_->hand_back(w);
    // 1. Take in terrain edits made between steps; start this step's voxel change record.
    begin_step(w, ws, m);
    // 2. Sanitise the caller's rows into the world's own copy (NaN/inf -> 0 and counted, clip).
    sanitise_actions(ws, m, actions.subspan(static_cast<size_t>(w) * row, row));
    // 3. The heuristic writes the rows of the teams it drives.
    heuristic_.act(w, ws, m, ws.actions);
    // 4. Note the decision's start (alive, approach potential, contested zone); clear its marks.
    record_decision_start(ws.map.zone, map_scale(cfg_), m, ws.start);
    begin_decision(ws.combat, m);
    // 5. Decode the decision-level actions: focus target, EWAR, observation controls.
    decide(w, ws, m);
    // 6. decision_repeat physics substeps: combat in the original game's order, then movement.
    run_substeps(ws, m);
    // 7. Keep each agent's pack message for the next observations.
    store_comm_messages(cfg_, m, ws.combat.comm, ws.actions);
    // 8. Score the decision: zone, end conditions, rewards, terminated/truncated flags.
    const Outcome outcome = score_step(w, ws, m);
    // 9. A recorded world's replay frame: state, rewards, events and voxel edits of the decision.
    record_replay_frame(w, ws, m, outcome);
    // 10. An ended episode: final observation and statistics, then the next episode, this step.
    if (outcome.ended()) finish_episode(w, ws, outcome);
    // 11. The observation rows (or a mirror's staging of this world) and the alive flags.
    observe(w);
}

int64_t BatchSim::step(std::span<const float> actions, uintptr_t stream) {
    require_bound("step");
    require(actions.size() == static_cast<size_t>(num_worlds()) * num_agents() * action_dim(), "actions have the wrong size");
    const int64_t bad_before = bad_action_total();
    // A mirror's last publish done (its contact slots are handed back in step_world).
    handing_back_ = mirror_ && mirror_->await();
    pool_.parallel_for(num_worlds(), [&](int w) { step_world(w, actions); });
    // 12. A mirror backend starts computing every world's rows at once (the next step awaits it).
    publish_observations(stream);
    return bad_action_total() - bad_before;
}

int64_t BatchSim::bad_action_total() const {
    int64_t n = 0;
    for (const auto& ws : worlds_) n += ws->bad_action_entries;
    return n;
}

}  // namespace echelon
