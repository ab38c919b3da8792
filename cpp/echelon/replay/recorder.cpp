#include "echelon/replay/recorder.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "echelon/maps/generate.hpp"
#include "echelon/maps/recipe.hpp"
#include "echelon/rules/episode_end.hpp"
#include "echelon/world_state.hpp"

namespace echelon::replay {

namespace {

template <typename T>
void append(std::vector<T>& v, const T* data, size_t n) {
    v.insert(v.end(), data, data + n);
}

void push3(std::vector<float>& v, Vec3 p) {
    v.push_back(p.x);
    v.push_back(p.y);
    v.push_back(p.z);
}

// One mech's value of a recorded field, as the file stores it.
template <typename Stored, typename T>
void push_field(std::vector<Stored>& v, const T& x) {
    if constexpr (std::is_same_v<T, Vec3>) push3(v, x);
    else v.push_back(static_cast<Stored>(x));
}

uint16_t mech_flags(const MechSpan& m, int i) {
    uint16_t f = 0;
    if (m.alive[i]) f |= kFlagAlive;
    if (m.is_fallen(i)) f |= kFlagFallen;
    if (m.is_legged(i)) f |= kFlagLegged;
    if (m.is_shutdown(i)) f |= kFlagShutdown;
    if (m.ecm[i]) f |= kFlagEcm;
    if (m.eccm[i]) f |= kFlagEccm;
    if (m.paint_ticks[i] > 0) f |= kFlagPainted;
    if (m.suppress_ticks[i] > 0) f |= kFlagSuppressed;
    if (m.was_hit[i]) f |= kFlagWasHit;
    return f;
}

}  // namespace

void WorldRecorder::begin(int w, const SimConfig& cfg, uint64_t sim_seed, const WorldState& ws, const MechSpan& m) {
    if (active_) finish(false);  // a reset() cut the episode short
    if (remaining_ == 0) return;
    if (remaining_ > 0) --remaining_;
    active_ = true;
    cur_ = EpisodeRecord{};
    EpisodeRecord& r = cur_;
    const World& world = ws.world;
    r.world = w;
    r.episode = ws.episode;
    r.sim_seed = sim_seed;
    r.size_x = world.size_x();
    r.size_y = world.size_y();
    r.size_z = world.size_z();
    r.agents = m.size();
    r.map_type = static_cast<int>(cfg.map_type);
    r.zone[0] = ws.map.zone.cx;
    r.zone[1] = ws.map.zone.cy;
    r.zone[2] = ws.map.zone.radius;
    r.spawn_corner[0] = static_cast<int>(ws.map.spawn_corner[0]);
    r.spawn_corner[1] = static_cast<int>(ws.map.spawn_corner[1]);
    r.content_hash = terrain::hex64(terrain::content_hash(world));
    if (cfg.map_type == MapType::Procedural) {
        // The generator's seed comes from the world's map stream (as in BatchSim::reset_world); the
        // recipe is the one generate_map kept for this episode.
        Rng map_rng(mix_seed(sim_seed, static_cast<uint64_t>(w), static_cast<uint64_t>(ws.episode),
                             static_cast<uint64_t>(RngPurpose::Map)));
        r.map_seed = procedural_map_seed(map_rng);
        r.recipe_json = ws.map.recipe_json;
    }
    append(r.team, m.team.data(), m.team.size());
    append(r.cls, m.cls.data(), m.cls.size());
    const auto vox = world.voxels();
    r.initial_voxels.assign(vox.begin(), vox.end());
    grid_.assign(vox.begin(), vox.end());
    revision_ = world.revision();
    dropped_at_start_ = ws.combat.events.dropped();
    for (auto* o : {&r.proj_offsets, &r.smoke_offsets, &r.event_offsets, &r.edit_offsets}) o->push_back(0);
    const std::vector<float> no_reward(static_cast<size_t>(m.size()), 0.f);
    capture_frame(ws, m, no_reward);
    r.event_offsets.push_back(0);  // frame 0 has no events and no edits
    r.edit_offsets.push_back(0);
}

void WorldRecorder::decided(const WorldState& ws, const MechSpan& m, std::span<const float> reward, const Outcome& outcome) {
    if (!active_) return;
    EpisodeRecord& r = cur_;
    // A snapshot restore (load_state) or a manual reset moves the world elsewhere: the record in
    // progress no longer describes it, so it is dropped rather than finished with a jump.
    if (ws.episode != r.episode || ws.step != r.step.back() + 1) {
        active_ = false;
        cur_ = EpisodeRecord{};
        return;
    }
    capture_frame(ws, m, reward);
    for (const Event& e : ws.combat.events.view()) {
        r.event_tick.push_back(e.tick);
        r.event_type.push_back(static_cast<uint8_t>(e.type));
        r.event_weapon.push_back(static_cast<uint8_t>(e.weapon));
        r.event_flags.push_back(e.flags);
        r.event_shooter.push_back(e.shooter);
        r.event_target.push_back(e.target);
        push3(r.event_pos, e.pos);
        r.event_value.push_back(e.value);
    }
    r.event_offsets.push_back(static_cast<uint32_t>(r.event_tick.size()));
    capture_edits(ws);
    if (!outcome.ended()) return;
    r.winner = outcome.winner;
    r.end_reason = static_cast<int>(outcome.reason);
    r.stats.assign(std::begin(ws.stats), std::end(ws.stats));
    // BatchSim writes these four when it reports the row; the record is taken just before.
    r.stats[kStatLength] = static_cast<float>(ws.step);
    r.stats[kStatEndReason] = static_cast<float>(outcome.reason);
    r.stats[kStatZoneScoreBlue] = ws.zone_score[0];
    r.stats[kStatZoneScoreRed] = ws.zone_score[1];
    r.dropped_events = ws.combat.events.dropped() - dropped_at_start_;
    finish(true);
}

void WorldRecorder::capture_frame(const WorldState& ws, const MechSpan& m, std::span<const float> reward) {
    EpisodeRecord& r = cur_;
    const int a = m.size();
    r.step.push_back(ws.step);
    for (int i = 0; i < a; ++i) {
#define ECHELON_REPLAY_CAPTURE(name, stored) push_field(r.mech_##name, m.name[i]);
        ECHELON_REPLAY_MECH_FIELDS(ECHELON_REPLAY_CAPTURE)
#undef ECHELON_REPLAY_CAPTURE
        r.flags.push_back(mech_flags(m, i));
        r.reward.push_back(reward[static_cast<size_t>(i)]);
    }
    r.zone_score.push_back(ws.zone_score[0]);
    r.zone_score.push_back(ws.zone_score[1]);
    for (const Projectile& p : ws.combat.projectiles.live()) {
        r.proj_weapon.push_back(static_cast<uint8_t>(p.weapon));
        r.proj_shooter.push_back(p.shooter);
        r.proj_target.push_back(p.target);
        push3(r.proj_pos, p.pos);
        push3(r.proj_vel, p.vel);
    }
    r.proj_offsets.push_back(static_cast<uint32_t>(r.proj_weapon.size()));
    const SmokePool& smoke = ws.combat.smoke;
    for (size_t k = 0; k < smoke.size(); ++k) {
        push3(r.smoke, smoke[k].centre);
        r.smoke.push_back(smoke[k].radius);
        r.smoke_ticks.push_back(smoke[k].ticks_left);
    }
    r.smoke_offsets.push_back(static_cast<uint32_t>(r.smoke_ticks.size()));
    ++r.frames;
}

void WorldRecorder::capture_edits(const WorldState& ws) {
    EpisodeRecord& r = cur_;
    const World& world = ws.world;
    const auto vox = world.voxels();
    const auto keep = [&](int32_t idx) {
        const uint8_t now = vox[static_cast<size_t>(idx)];
        if (grid_[static_cast<size_t>(idx)] == now) return;  // damaged but standing, or set twice
        grid_[static_cast<size_t>(idx)] = now;
        r.edit_index.push_back(idx);
        r.edit_material.push_back(now);
    };
    // The step clears the change record at its start: edits made between steps (tools, tests) show
    // as a revision that moved before that clear, and then only a full comparison is exact.
    if (world.full_rebuild() || world.revision_at_clear() != revision_) {
        for (size_t i = 0; i < vox.size(); ++i) keep(static_cast<int32_t>(i));
    } else {
        for (const int32_t idx : world.changed()) keep(idx);
    }
    revision_ = world.revision();
    r.edit_offsets.push_back(static_cast<uint32_t>(r.edit_index.size()));
}

void WorldRecorder::finish(bool complete) {
    cur_.complete = complete;
    done_.push_back(std::move(cur_));
    cur_ = EpisodeRecord{};
    active_ = false;
}

void WorldRecorder::stop() {
    if (active_) finish(false);
    remaining_ = 0;
}

std::vector<EpisodeRecord> WorldRecorder::take() {
    std::vector<EpisodeRecord> out;
    out.swap(done_);
    return out;
}

void Recorders::record(int w, int episodes) {
    if (w < 0 || static_cast<size_t>(w) >= worlds_.size()) throw std::out_of_range("world index out of range");
    if (episodes < -1) throw std::invalid_argument("episodes must be -1 (until stopped), 0 (stop) or positive");
    auto& slot = worlds_[static_cast<size_t>(w)];
    if (slot) {
        slot->stop();
        for (auto& r : slot->take()) stopped_.push_back(std::move(r));
        slot.reset();
    }
    if (episodes != 0) slot = std::make_unique<WorldRecorder>(episodes);
}

std::vector<EpisodeRecord> Recorders::take() {
    std::vector<EpisodeRecord> out;
    out.swap(stopped_);
    for (auto& slot : worlds_) {
        if (!slot) continue;
        for (auto& r : slot->take()) out.push_back(std::move(r));
        if (slot->idle()) slot.reset();  // recorded all it was asked for: back to zero cost
    }
    return out;
}

const EpisodeRecord* Recorders::current(int w) const {
    if (w < 0 || static_cast<size_t>(w) >= worlds_.size()) throw std::out_of_range("world index out of range");
    const auto& slot = worlds_[static_cast<size_t>(w)];
    return slot ? slot->current() : nullptr;
}

}  // namespace echelon::replay
