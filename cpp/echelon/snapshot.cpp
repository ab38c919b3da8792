// BatchSim::save_state / load_state: the whole simulator state as one versioned blob.
//
// Layout: magic "ECHSNAP\0", format version, byte-order mark, the config fields (map size, roster,
// comm width, contact slots, world count, and every other SimConfig value that shapes a step:
// timing, map kind, rewards, combat rules, observation mode), then the body: seed, the mech table, every world
// (voxels, HP, change record, map, sim stream, counters, stats, combat pools and per-agent
// memory), the heuristic teams (levels, per-world minds with their paths, team memory), and last
// an FNV-1a checksum of everything before it. Scratch that every step rewrites before reading
// (reward inputs, shot plans; the last sanitised action rows are kept for the last_actions view) and caches derived from the voxels (observation
// terrain maps, nav graphs) are not stored: load_state rebuilds the caches, and a rebuilt cache
// equals the incrementally maintained one (tests: nav "patch == rebuild", terrain-map refresh).
//
// A blob is untrusted input (docs/security.md): the checksum catches accidents, not edits, so the
// validation pass also checks that every value is one a step could have produced: indices in
// range, floats finite and inside generous physical bounds (positions inside the map, timers not
// negative, actions in [-1, 1]). The config fields are part of the blob, so a snapshot made under
// other rewards or rules is refused even when the config stored beside it was edited to match.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "echelon/base/state_io.hpp"
#include "echelon/mech/actions.hpp"
#include "echelon/mech/classes.hpp"
#include "echelon/obs/cpu_writer.hpp"
#include "echelon/simulator.hpp"

namespace echelon {

namespace {

constexpr char kMagic[8] = {'E', 'C', 'H', 'S', 'N', 'A', 'P', '\0'};
constexpr uint32_t kFormatVersion = kSnapshotFormatVersion;
constexpr uint32_t kByteOrderMark = 0x01020304u;
constexpr size_t kHeaderBytes = sizeof kMagic + 2 * sizeof(uint32_t);
static_assert(sizeof(Vec3) == 3 * sizeof(float), "Vec3 arrays are stored as packed float triples");

[[noreturn]] void corrupt(const std::string& what) { throw std::invalid_argument("snapshot is corrupt: " + what); }

void check_index(int64_t v, int64_t count, const char* what) {
    if (v < -1 || v >= count) corrupt(std::string(what) + " = " + std::to_string(v) + " is out of range");
}

// One config value in the header. Floats are stored as their bit pattern and compared exactly:
// both sides convert the same JSON config to float32 the same way.
struct ConfigField {
    std::string name;
    int64_t value;
    bool real;
    std::string text() const {
        return real ? std::to_string(std::bit_cast<float>(static_cast<uint32_t>(value))) : std::to_string(value);
    }
};

template <class T>
ConfigField config_field(std::string name, T v) {
    if constexpr (std::is_same_v<T, float>)
        return {std::move(name), static_cast<int64_t>(std::bit_cast<uint32_t>(v)), true};
    else
        return {std::move(name), static_cast<int64_t>(v), false};
}

// Everything in SimConfig that shapes a step, from config.hpp's lists (a field added there is
// stored and compared here without another line), plus the world count. Not the heuristic levels:
// those are state (the curriculum changes them between steps) and travel in the body.
std::vector<ConfigField> config_fields(const SimConfig& c, int num_worlds) {
    std::vector<ConfigField> f;
#define ECHELON_SIM_CONFIG_FIELD(type, name, value, lo, hi, meaning) f.push_back(config_field(#name, c.name));
#define ECHELON_OBS_CONFIG_FIELD(type, name, value, lo, hi, meaning) f.push_back(config_field(#name, c.obs.name));
#define ECHELON_REWARD_CONFIG_FIELD(type, name, value, lo, hi, meaning) \
    f.push_back(config_field("rewards." #name, c.rewards.name));
#define ECHELON_COMBAT_CONFIG_FIELD(type, name, value, lo, hi, meaning) \
    f.push_back(config_field("combat." #name, c.combat.name));
    ECHELON_SIM_FIELDS(ECHELON_SIM_CONFIG_FIELD)
    ECHELON_OBS_FIELDS(ECHELON_OBS_CONFIG_FIELD)
    ECHELON_REWARD_FIELDS(ECHELON_REWARD_CONFIG_FIELD)
    ECHELON_COMBAT_FIELDS(ECHELON_COMBAT_CONFIG_FIELD)
#undef ECHELON_SIM_CONFIG_FIELD
#undef ECHELON_OBS_CONFIG_FIELD
#undef ECHELON_REWARD_CONFIG_FIELD
#undef ECHELON_COMBAT_CONFIG_FIELD
    f.push_back(config_field("heuristic_omniscient", c.heuristic.omniscient));
    f.push_back(config_field("num_worlds", num_worlds));
    return f;
}

// Generous physical bounds for the validation of loaded values (see the file comment).
struct Limits {
    float sx, sy, sz;  // map size
    int agents;        // per world
    int max_steps;
};

void check_real(float v, float lo, float hi, const char* what) {
    if (!(v >= lo && v <= hi))  // also false for NaN
        corrupt(std::string(what) + " = " + std::to_string(v) + " is not a finite number in [" + std::to_string(lo) +
                ", " + std::to_string(hi) + "]");
}
void check_reals(std::span<const float> v, float lo, float hi, const char* what) {
    for (const float x : v) check_real(x, lo, hi, what);
}
void check_int(int64_t v, int64_t lo, int64_t hi, const char* what) {
    if (v < lo || v > hi)
        corrupt(std::string(what) + " = " + std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " +
                std::to_string(hi) + "]");
}
// Inside the map, with `margin` voxels of slack on every side.
void check_point(Vec3 p, const Limits& l, float margin, const char* what) {
    check_real(p.x, -margin, l.sx + margin, what);
    check_real(p.y, -margin, l.sy + margin, what);
    check_real(p.z, -margin, l.sz + margin, what);
}
void check_vector(Vec3 v, float bound, const char* what) {
    check_real(v.x, -bound, bound, what);
    check_real(v.y, -bound, bound, what);
    check_real(v.z, -bound, bound, what);
}

constexpr float kMaxSpeed = 1.0e3f;      // vox/s: mechs move at 7, rounds at about 100
constexpr float kMaxMagnitude = 1.0e7f;  // any other float state (HP, heat, scores, statistics)
constexpr int64_t kMaxTicks = int64_t{1} << 30;
constexpr float kFinite = std::numeric_limits<float>::max();  // any finite value (sentinels like 1e9)

// One loaded mech value against its field's MechRange (mech/mech_fields.hpp).
template <class T>
void check_mech(MechRange range, T v, const Limits& l, const ClassSpec& spec, const char* what) {
    if constexpr (std::is_same_v<T, Vec3>) {
        switch (range) {
            case MechRange::InMap: return check_point(v, l, 0.f, what);
            case MechRange::Speed: return check_vector(v, kMaxSpeed, what);
            case MechRange::Direction: return check_vector(v, 2.f, what);
            default: break;
        }
    } else if constexpr (std::is_same_v<T, float>) {
        switch (range) {
            case MechRange::Angle: return check_real(v, -8.f, 8.f, what);
            case MechRange::ClassHp: return check_real(v, -kMaxMagnitude, spec.hp, what);
            case MechRange::ClassLegHp: return check_real(v, -kMaxMagnitude, spec.leg_hp, what);
            case MechRange::NonNegative: return check_real(v, 0.f, kMaxMagnitude, what);
            default: break;
        }
    } else {
        switch (range) {
            case MechRange::Ticks: return check_int(v, 0, kMaxTicks, what);
            case MechRange::Agent: return check_index(v, l.agents, what);
            case MechRange::Flag:
            case MechRange::Team: return check_int(v, 0, 1, what);
            case MechRange::Class: return check_int(v, 0, kNumClasses - 1, what);
            case MechRange::SortMode: return check_int(v, 0, action::kSortModes - 1, what);
            default: break;
        }
    }
    // A MechRange given to a field of a type it does not fit: a mistake in mech_fields.hpp.
    throw std::logic_error(std::string(what) + ": its MechRange does not fit its type");
}

void put(StateWriter& w, Vec3 v) { w.put(v.x); w.put(v.y); w.put(v.z); }
Vec3 get_vec3(StateReader& r, const char* what) {
    Vec3 v;
    v.x = r.get<float>(what);
    v.y = r.get<float>(what);
    v.z = r.get<float>(what);
    return v;
}

void put(StateWriter& w, const Rng& rng) {
    uint64_t s[4];
    rng.state(s);
    for (const uint64_t v : s) w.put(v);
}
void get_rng(StateReader& r, Rng& rng, const char* what) {
    uint64_t s[4];
    for (auto& v : s) v = r.get<uint64_t>(what);
    if ((s[0] | s[1] | s[2] | s[3]) == 0) corrupt(std::string(what) + " is all zero (not a xoshiro state)");
    rng.set_state(s);
}

}  // namespace

// Reads and writes the private state of the classes that befriend it; each pair mirrors exactly.
struct StateAccess {
    // HP equals the material's HP except in damaged voxels (World keeps that invariant on every
    // write), so only the damaged ones are stored: (index, HP) pairs. A fifth of the dense size.
    static void save(StateWriter& w, const World& x) {
        w.put_vector(x.voxels_);
        std::vector<int32_t> damaged_idx;
        std::vector<float> damaged_hp;
        for (size_t i = 0; i < x.hp_.size(); ++i)
            if (x.hp_[i] != material_hp(x.voxels_[i])) {
                damaged_idx.push_back(static_cast<int32_t>(i));
                damaged_hp.push_back(x.hp_[i]);
            }
        w.put_vector(damaged_idx);
        w.put_vector(damaged_hp);
        w.put_vector(x.changed_);
        w.put<uint8_t>(x.full_rebuild_);
    }
    static void load(StateReader& r, World& x) {
        r.get_fixed(x.voxels_, "voxels");
        for (const uint8_t v : x.voxels_)
            if (v >= kNumMaterials) corrupt("voxel material " + std::to_string(v));
        for (size_t i = 0; i < x.hp_.size(); ++i) x.hp_[i] = material_hp(x.voxels_[i]);
        std::vector<int32_t> damaged_idx;
        r.get_vector(damaged_idx, x.hp_.size(), "damaged voxel indices");
        std::vector<float> damaged_hp(damaged_idx.size());
        r.get_fixed(damaged_hp, "damaged voxel HP");
        for (size_t k = 0; k < damaged_idx.size(); ++k) {
            const int32_t idx = damaged_idx[k];
            if (idx < 0 || idx >= x.num_voxels()) corrupt("damaged voxel index " + std::to_string(idx));
            check_real(damaged_hp[k], 0.f, material_hp(x.voxels_[static_cast<size_t>(idx)]), "damaged voxel HP");
            x.hp_[static_cast<size_t>(idx)] = damaged_hp[k];
        }
        r.get_vector(x.changed_, SIZE_MAX, "voxel change record");
        for (const int32_t idx : x.changed_)
            if (idx < 0 || idx >= x.num_voxels()) corrupt("changed voxel index " + std::to_string(idx));
        x.full_rebuild_ = r.get<uint8_t>("full-rebuild flag") != 0;
    }

    static void save(StateWriter& w, const Projectile& p) {
        put(w, p.pos); put(w, p.vel);
        for (const float f : {p.speed, p.damage, p.stab_damage, p.splash_radius, p.splash_scale}) w.put(f);
        w.put(p.age_ticks); w.put(p.life_ticks); w.put(p.shooter); w.put(p.target);
        w.put(p.team); w.put(p.weapon); w.put(p.guidance); w.put(p.ams_engaged);
    }
    static Projectile load_projectile(StateReader& r, const Limits& l) {
        const int agents = l.agents;
        const char* what = "projectile";
        Projectile p{};
        p.pos = get_vec3(r, what); p.vel = get_vec3(r, what);
        for (float* f : {&p.speed, &p.damage, &p.stab_damage, &p.splash_radius, &p.splash_scale}) *f = r.get<float>(what);
        p.age_ticks = r.get<int32_t>(what); p.life_ticks = r.get<int32_t>(what);
        p.shooter = r.get<int16_t>(what); p.target = r.get<int16_t>(what);
        p.team = r.get<uint8_t>(what); p.weapon = r.get<Weapon>(what); p.guidance = r.get<Guidance>(what);
        p.ams_engaged = r.get<uint8_t>(what);
        check_index(p.shooter, agents, "projectile shooter");
        check_index(p.target, agents, "projectile target");
        if (p.team > 1 || p.weapon > Weapon::None || p.guidance > Guidance::Homing) corrupt("projectile team/weapon/guidance");
        check_point(p.pos, l, 2.f, "projectile position");
        check_vector(p.vel, kMaxSpeed, "projectile velocity");
        check_real(p.speed, 0.f, kMaxSpeed, "projectile speed");
        for (const float f : {p.damage, p.stab_damage, p.splash_radius, p.splash_scale}) check_real(f, 0.f, kMaxMagnitude, "projectile damage/splash");
        check_int(p.age_ticks, 0, kMaxTicks, "projectile age");
        check_int(p.life_ticks, -1, kMaxTicks, "projectile lifetime");
        return p;
    }
    static void save(StateWriter& w, const ProjectilePool& pool) {
        const auto live = pool.live();
        w.put(static_cast<uint64_t>(live.size()));
        for (const Projectile& p : live) save(w, p);
    }
    static void load(StateReader& r, ProjectilePool& pool, const Limits& l) {
        const auto n = r.get<uint64_t>("projectile count");
        if (n > pool.items_.size()) corrupt("projectile count " + std::to_string(n) + " exceeds the pool");
        for (size_t k = 0; k < n; ++k) pool.items_[k] = load_projectile(r, l);
        pool.n_ = static_cast<size_t>(n);
    }

    static void save(StateWriter& w, const SmokePool& pool) {
        w.put(static_cast<uint64_t>(pool.n_));
        for (size_t k = 0; k < pool.n_; ++k) {
            put(w, pool.clouds_[k].centre);
            w.put(pool.clouds_[k].radius);
            w.put(pool.clouds_[k].ticks_left);
        }
    }
    static void load(StateReader& r, SmokePool& pool, const Limits& l) {
        const auto n = r.get<uint64_t>("smoke cloud count");
        if (n > pool.clouds_.size()) corrupt("smoke cloud count " + std::to_string(n) + " exceeds the pool");
        for (size_t k = 0; k < n; ++k) {
            SmokeCloud& c = pool.clouds_[k];
            c.centre = get_vec3(r, "smoke cloud");
            c.radius = r.get<float>("smoke cloud");
            c.ticks_left = r.get<int32_t>("smoke cloud");
            check_point(c.centre, l, 2.f, "smoke cloud centre");
            check_real(c.radius, 0.f, l.sx + l.sy + l.sz, "smoke cloud radius");
            check_int(c.ticks_left, 0, kMaxTicks, "smoke cloud ticks");
        }
        pool.n_ = static_cast<size_t>(n);
    }

    // The last step's event record (what `events(w)` shows until the next step clears it).
    static void save(StateWriter& w, const EventLog& log) {
        w.put(static_cast<uint64_t>(log.n_));
        for (size_t k = 0; k < log.n_; ++k) {
            const Event& e = log.buf_[k];
            w.put(e.tick); w.put(e.type); w.put(e.weapon); w.put(e.flags); w.put(e.shooter); w.put(e.target);
            put(w, e.pos); w.put(e.value);
        }
        w.put(log.dropped_);
    }
    static void load(StateReader& r, EventLog& log, int agents) {
        const auto n = r.get<uint64_t>("event count");
        if (n > log.buf_.size()) corrupt("event count " + std::to_string(n) + " exceeds the log");
        const char* what = "event";
        for (size_t k = 0; k < n; ++k) {
            Event& e = log.buf_[k];
            e.tick = r.get<int32_t>(what); e.type = r.get<EventType>(what); e.weapon = r.get<Weapon>(what);
            e.flags = r.get<uint8_t>(what); e.shooter = r.get<int16_t>(what); e.target = r.get<int16_t>(what);
            e.pos = get_vec3(r, what); e.value = r.get<float>(what);
            if (static_cast<int>(e.type) >= kNumEventTypes || e.weapon > Weapon::None) corrupt("event type/weapon");
            check_index(e.shooter, agents, "event shooter");
            check_index(e.target, agents, "event target");
            check_vector(e.pos, kMaxMagnitude, "event position");
            check_real(e.value, -kMaxMagnitude, kMaxMagnitude, "event value");
        }
        log.n_ = static_cast<size_t>(n);
        log.dropped_ = r.get<int64_t>("dropped events");
    }

    // Every field of mech_fields.hpp, in its order.
    static void save(StateWriter& w, const MechTable& t) {
#define ECHELON_SAVE_MECH_FIELD(type, name, start, visibility, valid) w.put_vector(t.name);
        ECHELON_MECH_FIELDS(ECHELON_SAVE_MECH_FIELD)
#undef ECHELON_SAVE_MECH_FIELD
    }
    static void load(StateReader& r, MechTable& t, const Limits& l) {
#define ECHELON_LOAD_MECH_FIELD(type, name, start, visibility, valid) r.get_fixed(t.name, "mech " #name);
        ECHELON_MECH_FIELDS(ECHELON_LOAD_MECH_FIELD)
#undef ECHELON_LOAD_MECH_FIELD
        for (size_t i = 0; i < t.cls.size(); ++i) {
            // The class first: the HP bounds of the other fields depend on it.
            check_mech(MechRange::Class, t.cls[i], l, ClassSpec{}, "mech cls");
            const ClassSpec spec = class_spec(static_cast<MechClass>(t.cls[i]));
#define ECHELON_CHECK_MECH_FIELD(type, name, start, visibility, valid) \
    check_mech(MechRange::valid, t.name[i], l, spec, "mech " #name);
            ECHELON_MECH_FIELDS(ECHELON_CHECK_MECH_FIELD)
#undef ECHELON_CHECK_MECH_FIELD
        }
    }

    static void save(StateWriter& w, const WorldState& ws) {
        save(w, ws.world);
        for (const Corner c : ws.map.spawn_corner) w.put(static_cast<int32_t>(c));
        w.put(static_cast<int32_t>(ws.map.spawn_clear));
        w.put(ws.map.zone.cx); w.put(ws.map.zone.cy); w.put(ws.map.zone.radius);
        put(w, ws.sim_rng);
        w.put(ws.episode); w.put(static_cast<int32_t>(ws.step)); w.put(ws.bad_action_entries);
        for (const float f : {ws.zone_score[0], ws.zone_score[1], ws.ticks.tonnage[0], ws.ticks.tonnage[1],
                              ws.ticks.tick[0], ws.ticks.tick[1]})
            w.put(f);
        w.put_array(std::span<const float>(ws.stats));
        const CombatState& cs = ws.combat;
        save(w, cs.projectiles);
        save(w, cs.smoke);
        save(w, cs.events);
        w.put_vector(cs.comm);
        w.put_vector(cs.contact_ids);
        w.put(cs.tick);
        w.put(cs.dropped_shots);
        w.put_vector(ws.actions);  // the last step's sanitised rows (last_actions view)
    }
    static void load(StateReader& r, WorldState& ws, const Limits& l) {
        const int agents = l.agents;
        load(r, ws.world);
        for (Corner& c : ws.map.spawn_corner) {
            const auto v = r.get<int32_t>("spawn corner");
            if (v < 0 || v > 3) corrupt("spawn corner " + std::to_string(v));
            c = static_cast<Corner>(v);
        }
        ws.map.spawn_clear = r.get<int32_t>("spawn clear");
        check_int(ws.map.spawn_clear, 0, static_cast<int64_t>(std::min(l.sx, l.sy)), "spawn clear");
        ws.map.zone.cx = r.get<float>("zone"); ws.map.zone.cy = r.get<float>("zone"); ws.map.zone.radius = r.get<float>("zone");
        check_real(ws.map.zone.cx, 0.f, l.sx, "zone centre x");
        check_real(ws.map.zone.cy, 0.f, l.sy, "zone centre y");
        check_real(ws.map.zone.radius, 1e-3f, std::max(l.sx, l.sy), "zone radius");  // set_zone: r > 0
        get_rng(r, ws.sim_rng, "sim stream");
        ws.episode = r.get<int64_t>("episode");
        check_int(ws.episode, -1, INT64_MAX, "episode");
        ws.step = r.get<int32_t>("step");
        check_int(ws.step, 0, l.max_steps, "step");
        ws.bad_action_entries = r.get<int64_t>("bad action entries");
        check_int(ws.bad_action_entries, 0, INT64_MAX, "bad action entries");
        for (float* f : {&ws.zone_score[0], &ws.zone_score[1], &ws.ticks.tonnage[0], &ws.ticks.tonnage[1],
                         &ws.ticks.tick[0], &ws.ticks.tick[1]})
            *f = r.get<float>("zone scores");
        for (const float f : {ws.zone_score[0], ws.zone_score[1], ws.ticks.tonnage[0], ws.ticks.tonnage[1]})
            check_real(f, 0.f, kMaxMagnitude, "zone score or tonnage");
        check_real(ws.ticks.tick[0], -kMaxMagnitude, kMaxMagnitude, "zone tick");
        check_real(ws.ticks.tick[1], -kMaxMagnitude, kMaxMagnitude, "zone tick");
        r.get_fixed(std::span<float>(ws.stats), "episode stats");
        check_reals(ws.stats, -kMaxMagnitude * 1e3f, kMaxMagnitude * 1e3f, "episode statistic");
        CombatState& cs = ws.combat;
        load(r, cs.projectiles, l);
        load(r, cs.smoke, l);
        load(r, cs.events, agents);
        r.get_fixed(cs.comm, "comm messages");
        check_reals(cs.comm, -1.f, 1.f, "comm message");
        r.get_fixed(cs.contact_ids, "contact ids");
        for (const int32_t id : cs.contact_ids) check_index(id, agents, "contact id");
        cs.tick = r.get<int32_t>("combat tick");
        check_int(cs.tick, 0, INT32_MAX, "combat tick");
        cs.dropped_shots = r.get<int64_t>("dropped shots");
        check_int(cs.dropped_shots, 0, INT64_MAX, "dropped shots");
        r.get_fixed(ws.actions, "last action rows");
        check_reals(ws.actions, -1.f, 1.f, "last action entry");
    }

    static void save(StateWriter& w, const MechMind& m) {
        put(w, m.window_start);
        for (const float f : {m.window_s, m.window_expected, m.stuck_s}) w.put(f);
        w.put(static_cast<int32_t>(m.unstick_left)); w.put(m.unstick_side);
        w.put(static_cast<int32_t>(m.wall_side)); w.put(m.commanded);
        w.put_vector(m.path);
        w.put(static_cast<uint64_t>(m.next));
        put(w, m.path_goal); w.put(m.replan_s); w.put<uint8_t>(m.has_path);
        w.put(static_cast<int32_t>(m.target)); w.put(m.cover_s); put(w, m.cover_pos);
        w.put(static_cast<int32_t>(m.replans)); w.put(static_cast<int32_t>(m.unsticks));
    }
    static void load(StateReader& r, MechMind& m, const Limits& l) {
        const int agents = l.agents;
        const char* what = "heuristic mind";
        m.window_start = get_vec3(r, what);
        for (float* f : {&m.window_s, &m.window_expected, &m.stuck_s}) *f = r.get<float>(what);
        m.unstick_left = r.get<int32_t>(what); m.unstick_side = r.get<float>(what);
        m.wall_side = r.get<int32_t>(what); m.commanded = r.get<float>(what);
        r.get_vector(m.path, SIZE_MAX, "heuristic path");
        const auto next = r.get<uint64_t>(what);
        if (next > m.path.size()) corrupt("heuristic path index past the path");
        m.next = static_cast<size_t>(next);
        m.path_goal = get_vec3(r, what); m.replan_s = r.get<float>(what); m.has_path = r.get<uint8_t>(what) != 0;
        m.target = r.get<int32_t>(what);
        check_index(m.target, agents, "heuristic target");
        m.cover_s = r.get<float>(what); m.cover_pos = get_vec3(r, what);
        m.replans = r.get<int32_t>(what); m.unsticks = r.get<int32_t>(what);
        // A path to follow must have a waypoint to walk to (the follower indexes path[next]).
        if (m.has_path && m.next >= m.path.size()) corrupt("heuristic mind follows a path without a next waypoint");
        check_point(m.window_start, l, 8.f, "heuristic stuck-window start");
        check_point(m.path_goal, l, 8.f, "heuristic path goal");
        check_point(m.cover_pos, l, 8.f, "heuristic cover position");
        for (const Vec3& p : m.path) check_point(p, l, 8.f, "heuristic waypoint");
        for (const float f : {m.window_s, m.window_expected, m.stuck_s, m.replan_s, m.cover_s})
            check_real(f, -kMaxMagnitude, kMaxMagnitude, what);
        check_real(m.unstick_side, -1.f, 1.f, "heuristic unstick side");
        check_real(m.commanded, -1.f, 1.f, "heuristic commanded speed");
        check_int(m.unstick_left, 0, kMaxTicks, "heuristic unstick countdown");
        check_int(m.wall_side, -1, 1, "heuristic wall side");
        check_int(m.replans, 0, INT32_MAX, "heuristic replans");
        check_int(m.unsticks, 0, INT32_MAX, "heuristic unsticks");
    }

    static void save(StateWriter& w, const HeuristicWorld& hw) {
        w.put(hw.episode);
        w.put(static_cast<int32_t>(hw.level[0])); w.put(static_cast<int32_t>(hw.level[1]));
        put(w, hw.rng);
        w.put(static_cast<uint64_t>(hw.minds.size()));
        for (const MechMind& m : hw.minds) save(w, m);
        for (int t = 0; t < 2; ++t) {
            w.put_vector(hw.last_seen[t]);
            w.put_vector(hw.seen_age[t]);
            w.put_vector(hw.visible[t]);
            w.put(static_cast<int32_t>(hw.team_focus[t]));
        }
    }
    static int get_level(StateReader& r) {
        const auto v = r.get<int32_t>("heuristic level");
        if (v < -1 || v > kHeuristicMaxLevel) corrupt("heuristic level " + std::to_string(v));
        return v;
    }
    static void load(StateReader& r, HeuristicWorld& hw, const Limits& l) {
        const int agents = l.agents;
        hw.episode = r.get<int64_t>("heuristic episode");
        hw.level[0] = get_level(r);
        hw.level[1] = get_level(r);
        get_rng(r, hw.rng, "heuristic stream");
        r.expect_count(hw.minds.size(), "heuristic minds");
        for (MechMind& m : hw.minds) load(r, m, l);
        for (int t = 0; t < 2; ++t) {
            r.get_fixed(hw.last_seen[t], "heuristic last-seen positions");
            r.get_fixed(hw.seen_age[t], "heuristic last-seen ages");
            r.get_fixed(hw.visible[t], "heuristic visibility");
            for (const Vec3& p : hw.last_seen[t]) check_point(p, l, 1.f, "heuristic last-seen position");
            check_reals(hw.seen_age[t], 0.f, kFinite, "heuristic last-seen age");
            for (const uint8_t v : hw.visible[t]) check_int(v, 0, 1, "heuristic visibility flag");
            hw.team_focus[t] = r.get<int32_t>("heuristic team focus");
            check_index(hw.team_focus[t], agents, "heuristic team focus");
        }
    }

    static void save(StateWriter& w, const HeuristicTeams& h) {
        w.put(static_cast<int32_t>(h.pending_[0])); w.put(static_cast<int32_t>(h.pending_[1]));
        w.put(h.seed_);
        for (const auto& hw : h.worlds_) save(w, *hw);
    }
    // commit = false: parse into a scratch world only (validation pass); nothing of `h` changes.
    static void load(StateReader& r, HeuristicTeams& h, const Limits& l, bool commit) {
        const int agents = l.agents;
        const int pending[2] = {get_level(r), get_level(r)};
        const auto seed = r.get<uint64_t>("heuristic seed");
        HeuristicWorld scratch;
        if (!commit) {
            scratch.minds.assign(static_cast<size_t>(agents), MechMind{});
            for (int t = 0; t < 2; ++t) {
                scratch.last_seen[t].assign(static_cast<size_t>(agents), Vec3{});
                scratch.seen_age[t].assign(static_cast<size_t>(agents), 0.f);
                scratch.visible[t].assign(static_cast<size_t>(agents), 0);
            }
        }
        for (auto& hw : h.worlds_) load(r, commit ? *hw : scratch, l);
        if (commit) {
            h.pending_[0] = pending[0];
            h.pending_[1] = pending[1];
            h.seed_ = seed;
        }
    }
};

std::vector<uint8_t> BatchSim::save_state() const {
    settle_mirror();
    StateWriter w;
    w.put_bytes(kMagic, sizeof kMagic);
    w.put(kFormatVersion);
    w.put(kByteOrderMark);
    const auto fields = config_fields(cfg_, num_worlds());
    w.put(static_cast<uint32_t>(fields.size()));
    for (const ConfigField& f : fields) w.put(f.value);
    w.put(seed_);
    StateAccess::save(w, mechs_);
    for (const auto& ws : worlds_) StateAccess::save(w, *ws);
    StateAccess::save(w, heuristic_);
    const uint64_t sum = fnv1a64(w.bytes());
    w.put(sum);
    return std::move(w.bytes());
}

namespace {

// Checks magic, version, byte order, checksum and shape; returns the reader positioned at the body.
StateReader open_snapshot(std::span<const uint8_t> blob, const SimConfig& cfg, int num_worlds) {
    if (blob.size() < kHeaderBytes + sizeof(uint64_t) ||
        !std::equal(std::begin(kMagic), std::end(kMagic), blob.begin(), [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; }))
        throw std::invalid_argument("not an Echelon simulator snapshot (bad magic or too short: " +
                                    std::to_string(blob.size()) + " bytes)");
    StateReader head(blob.subspan(sizeof kMagic));
    const auto version = head.get<uint32_t>("format version");
    if (version != kFormatVersion)
        throw std::invalid_argument("snapshot format version " + std::to_string(version) + " is not supported (this build reads version " +
                                    std::to_string(kFormatVersion) + ")");
    if (head.get<uint32_t>("byte order") != kByteOrderMark)
        throw std::invalid_argument("snapshot was written on a machine with another byte order");
    const auto payload = blob.first(blob.size() - sizeof(uint64_t));
    uint64_t stored;
    std::memcpy(&stored, blob.data() + payload.size(), sizeof stored);
    if (fnv1a64(payload) != stored) throw std::invalid_argument("snapshot checksum mismatch: the blob is corrupt or truncated");

    StateReader r(payload);
    uint8_t skip[kHeaderBytes];
    r.get_bytes(skip, kHeaderBytes, "header");
    const auto expected = config_fields(cfg, num_worlds);
    const auto count = r.get<uint32_t>("config field count");
    if (count != expected.size()) corrupt("config field count " + std::to_string(count));
    for (const ConfigField& f : expected) {
        ConfigField saved = f;
        saved.value = r.get<int64_t>(f.name.c_str());
        if (saved.value != f.value)
            throw std::invalid_argument("snapshot does not fit this simulator: it was saved with " + f.name + "=" +
                                        saved.text() + ", this sim has " + f.name + "=" + f.text());
    }
    return r;
}

}  // namespace

void BatchSim::read_state_body(StateReader& r, bool commit) {
    const auto seed = r.get<uint64_t>("seed");
    const int a = num_agents();
    const Limits limits{static_cast<float>(cfg_.size_x), static_cast<float>(cfg_.size_y), static_cast<float>(cfg_.size_z), a,
                        cfg_.max_steps()};
    MechTable scratch_mechs = commit ? MechTable() : MechTable(num_worlds(), a);
    StateAccess::load(r, commit ? mechs_ : scratch_mechs, limits);
    const std::unique_ptr<WorldState> scratch_world = commit ? nullptr : make_world_state();
    for (auto& ws : worlds_) StateAccess::load(r, commit ? *ws : *scratch_world, limits);
    StateAccess::load(r, heuristic_, limits, commit);
    if (r.remaining() != 0) corrupt(std::to_string(r.remaining()) + " trailing bytes");
    if (commit) seed_ = seed;
}

void BatchSim::load_state(std::span<const uint8_t> blob, uintptr_t stream) {
    // Validate everything on scratch objects first, so a bad blob leaves the sim untouched.
    settle_mirror();
    StateReader check = open_snapshot(blob, cfg_, num_worlds());
    read_state_body(check, false);
    StateReader r = open_snapshot(blob, cfg_, num_worlds());
    read_state_body(r, true);
    if (mirror_) mirror_->mark_all_dirty();
    pool_.parallel_for(num_worlds(), [this](int w) {
        WorldState& ws = *worlds_[static_cast<size_t>(w)];
        rebuild_terrain_maps(ws.world, ws.obs_cache);
        // Nav graphs of an episode the heuristic has not started yet are built by its next sync.
        if (heuristic_.world(w).episode == ws.episode) heuristic_.rebuild_nav(w, ws.world);
        if (all_bound()) observe(w);
    });
    if (mirror_ && all_bound()) publish_observations(stream);
}

}  // namespace echelon
