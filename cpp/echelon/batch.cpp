#include "batch.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "action_decode.hpp"
#include "combat.hpp"
#include "episode.hpp"
#include "maps/generate.hpp"
#include "movement.hpp"
#include "rewards.hpp"
#include "spawn.hpp"

namespace echelon {

namespace {

void require(bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument(what);
}

float map_scale(const SimConfig& c) { return static_cast<float>(std::max(c.size_x, c.size_y)); }

}  // namespace

BatchSim::BatchSim(const SimConfig& cfg, int num_worlds, uint64_t seed, int num_threads, uint64_t world_offset)
    : cfg_(cfg), seed_(seed), world_offset_(world_offset), layout_(cfg.obs.contact_slots, cfg.comm_dim), obs_constants_(make_obs_constants(cfg, cfg.num_agents())), mechs_(num_worlds, cfg.num_agents()), pool_(std::max(1, num_threads)) {
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
}

std::unique_ptr<WorldState> BatchSim::make_world_state() const {
    const SimConfig& cfg = cfg_;
    const int a = cfg.num_agents();
    auto ws = std::make_unique<WorldState>();
    ws->world = World(cfg.size_x, cfg.size_y, cfg.size_z);
    ws->actions.assign(static_cast<size_t>(a) * cfg.action_dim(), 0.f);
    ws->potential.assign(static_cast<size_t>(a), 0.f);
    ws->alive_before.assign(static_cast<size_t>(a), 0);
    ws->order.assign(static_cast<size_t>(a), 0);
    ws->contested_before.assign(static_cast<size_t>(a), 0);
    ws->combat.init(a, cfg.comm_dim);
    ws->obs_cache.init(cfg.size_x, cfg.size_y, a);
    return ws;
}

void BatchSim::bind(const StepBuffers& b) {
    const size_t w = worlds_.size(), a = static_cast<size_t>(num_agents()), d = static_cast<size_t>(obs_dim());
    require(b.obs.size() == w * a * d, "obs buffer has the wrong size");
    require(b.final_obs.size() == w * a * d, "final_obs buffer has the wrong size");
    require(b.reward.size() == w * a, "reward buffer has the wrong size");
    require(b.terminated.size() == w * a && b.truncated.size() == w * a && b.alive.size() == w * a,
            "terminated/truncated/alive buffers have the wrong size");
    require(b.episode_end.size() == w && b.winner.size() == w, "episode_end/winner buffers have the wrong size");
    require(b.episode_stats.size() == w * kNumEpisodeStats, "episode_stats buffer has the wrong size");
    out_ = b;
    bound_ = true;
}

std::span<float> BatchSim::rows(std::span<float> buf, int w, int width) const {
    const size_t n = static_cast<size_t>(num_agents()) * width;
    return buf.subspan(static_cast<size_t>(w) * n, n);
}

ObsWorldScalars BatchSim::obs_scalars(const WorldState& ws) const {
    ObsWorldScalars s{};
    s.zone_cx = ws.map.zone.cx;
    s.zone_cy = ws.map.zone.cy;
    s.zone_radius = ws.map.zone.radius;
    s.zone_score[0] = ws.zone_score[0];
    s.zone_score[1] = ws.zone_score[1];
    s.zone_margin = ws.ticks.margin();
    s.time_fraction = static_cast<float>(ws.step) / static_cast<float>(cfg_.max_steps());
    return s;
}

void BatchSim::write_world_obs(int w, std::span<float> out) {
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    MechSpan m = mechs_.world(w);
    refresh_terrain_maps(ws.world, ws.obs_cache);
    compute_pair_los(m, ws.world, ws.combat.smoke, ws.obs_cache);
    mark_incoming_missiles(ws.combat.projectiles, ws.obs_cache);
    const ObsWorldView view = make_world_view(m, ws.combat, ws.obs_cache, obs_scalars(ws));
    write_world_observations(layout_.offsets(), obs_constants_, view, out, ws.combat.contact_ids);
}

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
    spawn_teams(m, cfg_.agents_per_team(), ws.map, ws.world, spawn_rng);
    reset_combat(ws.combat, m);
    ws.step = 0;
    ws.zone_score[0] = ws.zone_score[1] = 0.f;
    ws.ticks = compute_zone_ticks(ws.map.zone, m);
    std::fill(std::begin(ws.stats), std::end(ws.stats), 0.f);
}

void BatchSim::refresh_observation(int w) {
    require(bound_, "bind buffers before use");
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    MechSpan m = mechs_.world(w);
    ws.ticks = compute_zone_ticks(ws.map.zone, m);
    if (cpu_observation_) write_world_obs(w, rows(out_.obs, w, obs_dim()));
    auto alive = agent_rows(out_.alive, w);
    for (int i = 0; i < m.size(); ++i) alive[i] = m.alive[i] != 0;
}

void BatchSim::reset() {
    require(bound_, "bind buffers before reset");
    pool_.parallel_for(num_worlds(), [this](int w) {
        reset_world(w);
        refresh_observation(w);
        auto r = agent_rows(out_.reward, w);
        std::fill(r.begin(), r.end(), 0.f);
        auto te = agent_rows(out_.terminated, w), tr = agent_rows(out_.truncated, w);
        std::fill(te.begin(), te.end(), false);
        std::fill(tr.begin(), tr.end(), false);
        out_.episode_end[static_cast<size_t>(w)] = false;
        out_.winner[static_cast<size_t>(w)] = static_cast<int8_t>(kWinnerNone);
    });
}

void BatchSim::sanitise_actions(int w, std::span<const float> in) {
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    const int ad = action_dim();
    const MechSpan m = mechs_.world(w);
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

void BatchSim::step_world(int w, std::span<const float> actions) {
    WorldState& ws = *worlds_[static_cast<size_t>(w)];
    MechSpan m = mechs_.world(w);
    const int a = num_agents();
    refresh_terrain_maps(ws.world, ws.obs_cache);  // edits made between steps (tools, tests)
    heuristic_.sync(w, ws, m);  // reads last step's voxel edits before they are cleared
    ws.world.clear_changes();
    sanitise_actions(w, actions.subspan(static_cast<size_t>(w) * a * action_dim(), static_cast<size_t>(a) * action_dim()));
    heuristic_.act(w, ws, m, ws.actions);  // heuristic teams' rows replace the caller's

    const float scale = map_scale(cfg_);
    const ZoneTicks ticks_before = compute_zone_ticks(ws.map.zone, m);
    for (int i = 0; i < a; ++i) {
        const auto k = static_cast<size_t>(i);
        ws.alive_before[k] = m.alive[i];
        ws.potential[k] = approach_potential(ws.map.zone, m.pos[i], scale);
        ws.contested_before[k] = m.alive[i] && ticks_before.contested() && ws.map.zone.contains(m.pos[i].x, m.pos[i].y);
        m.was_hit[i] = 0;
        m.last_damage_dir[i] = {};
    }

    // Decision level: focus target, EWAR, observation controls; then the physics substeps in the
    // reference order (combat first, movement last).
    CombatState& cs = ws.combat;
    cs.scratch.clear();
    cs.events.clear();
    decode_decision_actions(cfg_, m, cs, ws.actions);
    heuristic_.apply_focus(w, m);
    CombatCtx ctx{cfg_, m, ws.world, cs, ws.sim_rng, ws.stats};
    const MovementParams mp{cfg_.dt, cfg_.gravity};
    for (int s = 0; s < cfg_.decision_repeat; ++s) {
        run_combat_substep(ctx, ws.actions, action_dim());
        move_mechs(m, ws.world, ws.actions, action_dim(), mp, ws.sim_rng, ws.order);
    }
    store_comm_messages(cfg_, m, cs, ws.actions);
    ++ws.step;

    const float dt_act = cfg_.decision_seconds();
    ws.ticks = compute_zone_ticks(ws.map.zone, m);
    for (int t = 0; t < 2; ++t) {
        ws.zone_score[t] += ws.ticks.tick[t] * dt_act;
        if (ws.ticks.tonnage[t] > 0.f) ws.stats[t == 0 ? kStatZoneTimeBlue : kStatZoneTimeRed] += dt_act;
    }
    const Outcome outcome = check_episode_end(m, {{ws.zone_score[0], ws.zone_score[1]}, cfg_.zone_score_to_win(), ws.step, cfg_.max_steps()});

    RewardInputs ri{&ws.map.zone, ws.ticks, ws.potential, ws.alive_before, outcome.terminated(), scale};
    ri.combat = &cs.scratch;
    ri.contested_before = ws.contested_before;
    ri.episode_ended = outcome.ended();
    ri.winner = outcome.winner;
    compute_rewards(m, ri, cfg_.rewards, agent_rows(out_.reward, w), cs.late_terminal);

    auto term = agent_rows(out_.terminated, w), trunc = agent_rows(out_.truncated, w);
    for (int i = 0; i < a; ++i) {
        const bool was = ws.alive_before[static_cast<size_t>(i)] != 0, is = m.alive[i] != 0;
        const bool died = was && !is;
        term[i] = was && (died || outcome.terminated());
        trunc[i] = was && !term[i] && outcome.truncated();
    }

    const auto wi = static_cast<size_t>(w);
    out_.episode_end[wi] = outcome.ended();
    out_.winner[wi] = static_cast<int8_t>(outcome.ended() ? outcome.winner : kWinnerNone);
    if (outcome.ended()) {
        write_world_obs(w, rows(out_.final_obs, w, obs_dim()));
        ws.stats[kStatLength] = static_cast<float>(ws.step);
        ws.stats[kStatEndReason] = static_cast<float>(outcome.reason);
        ws.stats[kStatZoneScoreBlue] = ws.zone_score[0];
        ws.stats[kStatZoneScoreRed] = ws.zone_score[1];
        std::copy(std::begin(ws.stats), std::end(ws.stats), out_.episode_stats.begin() + static_cast<std::ptrdiff_t>(wi * kNumEpisodeStats));
        reset_world(w);
    }
    refresh_observation(w);
}

void BatchSim::step(std::span<const float> actions) {
    require(bound_, "bind buffers before step");
    require(actions.size() == static_cast<size_t>(num_worlds()) * num_agents() * action_dim(), "actions have the wrong size");
    pool_.parallel_for(num_worlds(), [&](int w) { step_world(w, actions); });
}

}  // namespace echelon

namespace echelon {

int64_t BatchSim::bad_action_total() const {
    int64_t n = 0;
    for (const auto& ws : worlds_) n += ws->bad_action_entries;
    return n;
}

}  // namespace echelon
