// State views and world editing on BatchSim, for tests, tools and replays (training loops use
// only sim.cpp's face). Views are numpy arrays sharing the simulator's memory; each keeps the
// simulator alive while it exists. Thin: no game logic here.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "bindings.hpp"
#include "echelon/combat/ewar.hpp"
#include "echelon/combat/wrecks.hpp"
#include "echelon/world/materials.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;
using bindings::check_agent;
using bindings::check_team;
using bindings::check_world;

namespace {

// A numpy view [W, A] of one field of the mech table ([W, A, 3] floats for vectors).
template <typename T>
nb::ndarray<nb::numpy, T> mech_view(nb::handle owner, BatchSim& s, T* data, size_t trailing) {
    std::vector<size_t> shape{static_cast<size_t>(s.num_worlds()), static_cast<size_t>(s.num_agents())};
    if (trailing > 0) shape.push_back(trailing);
    return nb::ndarray<nb::numpy, T>(data, shape.size(), shape.data(), owner);
}
template <typename T>
nb::ndarray<nb::numpy, T> field_view(nb::handle owner, BatchSim& s, std::vector<T>& column) {
    return mech_view(owner, s, column.data(), 0);
}
nb::ndarray<nb::numpy, float> field_view(nb::handle owner, BatchSim& s, std::vector<Vec3>& column) {
    return mech_view(owner, s, &column[0].x, 3);
}

nb::object mech_state(nb::handle self, const std::string& name) {
    auto& s = nb::cast<BatchSim&>(self);
    MechTable& t = s.mechs();
#define ECHELON_MECH_STATE(type, field, start, visibility, valid) \
    if (name == #field) return nb::cast(field_view(self, s, t.field));
    ECHELON_MECH_FIELDS(ECHELON_MECH_STATE)
#undef ECHELON_MECH_STATE
    throw std::invalid_argument("unknown mech field: " + name + " (see BatchSim.mech_fields())");
}

nb::list events(BatchSim& s, int w) {
    check_world(s, w);
    nb::list out;
    for (const Event& e : s.world_state(w).combat.events.view()) {
        nb::dict d;
        d["tick"] = e.tick;
        d["type"] = kEventTypeNames[static_cast<int>(e.type)];
        d["weapon"] = kWeaponNames[static_cast<int>(e.weapon)];
        d["shooter"] = e.shooter;
        d["target"] = e.target;
        d["pos"] = nb::make_tuple(e.pos.x, e.pos.y, e.pos.z);
        d["value"] = e.value;
        d["crit"] = (e.flags & kEventCrit) != 0;
        d["leg"] = (e.flags & kEventLeg) != 0;
        d["painted"] = (e.flags & kEventPainted) != 0;
        d["splash"] = (e.flags & kEventSplash) != 0;
        d["paint_lock"] = (e.flags & kEventPaintLock) != 0;
        out.append(d);
    }
    return out;
}

nb::list projectiles(BatchSim& s, int w) {
    check_world(s, w);
    nb::list out;
    for (const Projectile& p : s.world_state(w).combat.projectiles.live()) {
        nb::dict d;
        d["weapon"] = kWeaponNames[static_cast<int>(p.weapon)];
        d["pos"] = nb::make_tuple(p.pos.x, p.pos.y, p.pos.z);
        d["vel"] = nb::make_tuple(p.vel.x, p.vel.y, p.vel.z);
        d["shooter"] = p.shooter;
        d["target"] = p.target;
        d["age_ticks"] = p.age_ticks;
        d["life_ticks"] = p.life_ticks;
        out.append(d);
    }
    return out;
}

nb::dict mind_dict(const MechMind& mind) {
    nb::dict d;
    d["target"] = mind.target;
    d["has_path"] = mind.has_path;
    nb::list path;
    for (const Vec3& p : mind.path) path.append(nb::make_tuple(p.x, p.y, p.z));
    d["path"] = path;
    d["next_waypoint"] = static_cast<int>(mind.next);
    d["replans"] = mind.replans;
    d["unsticks"] = mind.unsticks;
    d["unstick_left"] = mind.unstick_left;
    d["cover_seconds"] = mind.cover_s;
    return d;
}

const ObsMirrorBase& mirror_of(const BatchSim& s) {
    if (s.mirror() == nullptr) throw std::invalid_argument("no observation mirror (obs_backend is 'cpu')");
    return *s.mirror();
}

}  // namespace

void bind_inspect(nb::module_& m) {
    m.attr("event_type_names") = bindings::names(kEventTypeNames);
    m.attr("weapon_names") = bindings::names(kWeaponNames);
    m.def("wreck_roll", &wreck_roll, "agent"_a, "cls"_a, "x0"_a, "y0"_a, "z0"_a, "x1"_a, "y1"_a, "z1"_a);

    nb::handle bs = nb::type<BatchSim>();
    const auto method = [&](const char* name, nb::object fn) { nb::setattr(bs, name, fn); };

    // --- the mech table: mech_<field>() for every field of mech_fields.hpp, or mech_state(name) ---
#define ECHELON_MECH_VIEW(type, field, start, visibility, valid)                                           \
    method("mech_" #field, nb::cpp_function([](nb::handle self) {                                  \
        auto& s = nb::cast<BatchSim&>(self);                                                       \
        return field_view(self, s, s.mechs().field);                                               \
    }, nb::is_method(), "Numpy view [W, A] of the mech table's " #field " ([W, A, 3] for vectors)."));
    ECHELON_MECH_FIELDS(ECHELON_MECH_VIEW)
#undef ECHELON_MECH_VIEW
    method("mech_state", nb::cpp_function(&mech_state, nb::is_method(), "name"_a,
                                          "Numpy view [W, A] of the mech table's field `name` ([W, A, 3] for vectors)."));
    method("mech_fields", nb::cpp_function([](const BatchSim&) {
        std::vector<std::string> names;
#define ECHELON_MECH_NAME(type, field, start, visibility, valid) names.emplace_back(#field);
        ECHELON_MECH_FIELDS(ECHELON_MECH_NAME)
#undef ECHELON_MECH_NAME
        return names;
    }, nb::is_method(), "Names of the mech table's fields, in declaration order (mech_fields.hpp)."));
    method("sensor_quality", nb::cpp_function([](BatchSim& s, int w, int i) {
        check_world(s, w);
        check_agent(s, i);
        const SensorReading r = sensor_quality(s.mechs().world(w), i);
        return nb::make_tuple(r.quality, r.jam, r.eccm);
    }, nb::is_method(), "world"_a, "agent"_a, "(quality, jam, eccm) of an agent: the one sensor model (docs/game_rules.md)."));

    // --- the voxel world ---
    method("voxels", nb::cpp_function([](nb::handle self, int w) {
        auto& s = nb::cast<BatchSim&>(self);
        check_world(s, w);
        const World& wd = s.world_state(w).world;
        size_t shape[3] = {static_cast<size_t>(wd.size_z()), static_cast<size_t>(wd.size_y()), static_cast<size_t>(wd.size_x())};
        return nb::ndarray<nb::numpy, const uint8_t>(wd.voxels().data(), 3, shape, self);
    }, nb::is_method(), "world"_a, "Read-only view of world w's materials [Z, Y, X]. Edit with set_voxels/set_voxel."));
    method("voxel_hp", nb::cpp_function([](nb::handle self, int w) {
        auto& s = nb::cast<BatchSim&>(self);
        check_world(s, w);
        const World& wd = s.world_state(w).world;
        size_t shape[3] = {static_cast<size_t>(wd.size_z()), static_cast<size_t>(wd.size_y()), static_cast<size_t>(wd.size_x())};
        return nb::ndarray<nb::numpy, const float>(wd.voxel_hp().data(), 3, shape, self);
    }, nb::is_method(), "world"_a));
    method("set_voxels", nb::cpp_function([](BatchSim& s, int w, nb::ndarray<const uint8_t, nb::c_contig, nb::device::cpu> v) {
        check_world(s, w);
        World& wd = s.world_state(w).world;
        if (v.ndim() != 3 || static_cast<int>(v.shape(0)) != wd.size_z() || static_cast<int>(v.shape(1)) != wd.size_y() ||
            static_cast<int>(v.shape(2)) != wd.size_x())
            throw std::invalid_argument("voxels must have shape [size_z, size_y, size_x] of the world");
        wd.assign(std::span<const uint8_t>(v.data(), v.size()));
    }, nb::is_method(), "world"_a, "voxels"_a));
    method("set_voxel", nb::cpp_function([](BatchSim& s, int w, int x, int y, int z, int material) {
        check_world(s, w);
        if (material < 0 || material >= kNumMaterials) throw std::invalid_argument("unknown material id");
        s.world_state(w).world.set(x, y, z, static_cast<Material>(material));
    }, nb::is_method(), "world"_a, "x"_a, "y"_a, "z"_a, "material"_a));
    method("damage_voxel", nb::cpp_function([](BatchSim& s, int w, int x, int y, int z, float amount) {
        check_world(s, w);
        return s.world_state(w).world.damage(x, y, z, amount);
    }, nb::is_method(), "world"_a, "x"_a, "y"_a, "z"_a, "amount"_a));
    method("changed_voxels", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        auto c = s.world_state(w).world.changed();
        return std::vector<int32_t>(c.begin(), c.end());
    }, nb::is_method(), "world"_a));
    method("full_rebuild", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        return s.world_state(w).world.full_rebuild();
    }, nb::is_method(), "world"_a));
    method("clear_voxel_changes", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        s.world_state(w).world.clear_changes();
    }, nb::is_method(), "world"_a));

    // --- zone, episode counters ---
    method("zone", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        const auto& z = s.world_state(w).map.zone;
        return std::make_tuple(z.cx, z.cy, z.radius);
    }, nb::is_method(), "world"_a));
    method("set_zone", nb::cpp_function([](BatchSim& s, int w, float cx, float cy, float r) {
        check_world(s, w);
        if (!(r > 0.f)) throw std::invalid_argument("zone radius must be positive");
        s.world_state(w).map.zone = CaptureZone{cx, cy, r};
    }, nb::is_method(), "world"_a, "cx"_a, "cy"_a, "radius"_a));
    method("spawn_corners", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        const auto& mp = s.world_state(w).map;
        return std::make_tuple(static_cast<int>(mp.spawn_corner[0]), static_cast<int>(mp.spawn_corner[1]), mp.spawn_clear);
    }, nb::is_method(), "world"_a));
    method("zone_scores", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        const auto& ws = s.world_state(w);
        return std::make_tuple(ws.zone_score[0], ws.zone_score[1]);
    }, nb::is_method(), "world"_a));
    method("episode_index", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        return s.world_state(w).episode;
    }, nb::is_method(), "world"_a));
    method("step_count", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        return s.world_state(w).step;
    }, nb::is_method(), "world"_a));

    // --- observation side ---
    method("refresh_observation", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        s.refresh_observation(w);
    }, nb::is_method(), "world"_a, "Re-writes world w's observation rows and alive flags from its current state."));
    method("contact_slots", nb::cpp_function([](nb::handle self, int w) {
        auto& s = nb::cast<BatchSim&>(self);
        check_world(s, w);
        auto& c = s.world_state(w).combat.contact_ids;
        size_t shape[2] = {static_cast<size_t>(s.num_agents()), c.size() / static_cast<size_t>(s.num_agents())};
        return nb::ndarray<nb::numpy, const int32_t>(c.data(), 2, shape, self);
    }, nb::is_method(), "world"_a, "Agent index shown in each of the first five contact slots of every agent's last observation (-1: empty)."));
    method("set_contact_slots", nb::cpp_function([](BatchSim& s, int w, int agent, std::vector<int> ids) {
        check_world(s, w);
        check_agent(s, agent);
        if (ids.size() != static_cast<size_t>(kContactSlots)) throw std::invalid_argument("need exactly 5 contact ids (-1 for empty)");
        auto& c = s.world_state(w).combat.contact_ids;
        for (int k = 0; k < kContactSlots; ++k) {
            if (ids[k] < -1 || ids[k] >= s.num_agents()) throw std::invalid_argument("contact id out of range");
            c[static_cast<size_t>(agent) * kContactSlots + k] = ids[k];
        }
    }, nb::is_method(), "world"_a, "agent"_a, "ids"_a,
       "Agent ids shown in the 5 contact slots of an agent's last observation (target selection reads them)."));
    method("comm_messages", nb::cpp_function([](nb::handle self, int w) {
        auto& s = nb::cast<BatchSim&>(self);
        check_world(s, w);
        auto& c = s.world_state(w).combat.comm;
        size_t shape[2] = {static_cast<size_t>(s.num_agents()), static_cast<size_t>(s.config().comm_dim)};
        return nb::ndarray<nb::numpy, float>(c.data(), 2, shape, self);
    }, nb::is_method(), "world"_a, "Last comm message of each agent of world w, [A, comm_dim]."));
    method("last_actions", nb::cpp_function([](nb::handle self, int w) {
        auto& s = nb::cast<BatchSim&>(self);
        check_world(s, w);
        const auto& a = s.world_state(w).actions;
        size_t shape[2] = {static_cast<size_t>(s.num_agents()), static_cast<size_t>(s.action_dim())};
        return nb::ndarray<nb::numpy, const float>(a.data(), 2, shape, self);
    }, nb::is_method(), "world"_a,
       "The action rows world w's last step used [A, action_dim]: sanitised caller rows and heuristic rows (read-only view)."));
    method("mirror_last_whole_grids", nb::cpp_function([](const BatchSim& s) { return mirror_of(s).last_whole_grids(); },
                                                       nb::is_method(), "Worlds whose whole voxel grid went up at the mirror's last upload."));
    method("mirror_last_edits", nb::cpp_function([](const BatchSim& s) { return mirror_of(s).last_edits(); }, nb::is_method(),
                                                 "Voxel edits the mirror sent at its last upload."));
    method("mirror_device_bytes", nb::cpp_function([](const BatchSim& s) { return mirror_of(s).device_bytes(); }, nb::is_method(),
                                                   "Device memory the observation mirror holds."));

    // --- combat ---
    method("events", nb::cpp_function(&events, nb::is_method(), "world"_a, "Events of world w's last decision step (dicts)."));
    method("dropped_events", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        return s.world_state(w).combat.events.dropped();
    }, nb::is_method(), "world"_a));
    method("projectiles", nb::cpp_function(&projectiles, nb::is_method(), "world"_a, "Projectiles in flight in world w."));
    method("smoke_clouds", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        nb::list out;
        const SmokePool& p = s.world_state(w).combat.smoke;
        for (size_t k = 0; k < p.size(); ++k)
            out.append(nb::make_tuple(p[k].centre.x, p[k].centre.y, p[k].centre.z, p[k].radius, p[k].ticks_left));
        return out;
    }, nb::is_method(), "world"_a, "Live smoke clouds of world w: (x, y, z, radius, ticks_left)."));
    method("add_smoke", nb::cpp_function([](BatchSim& s, int w, float x, float y, float z, float r, int ticks) {
        check_world(s, w);
        return s.world_state(w).combat.smoke.add({x, y, z}, r, ticks);
    }, nb::is_method(), "world"_a, "x"_a, "y"_a, "z"_a, "radius"_a, "ticks"_a));

    // --- the heuristic's state ---
    method("heuristic_episode_levels", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        const HeuristicWorld& hw = s.heuristic().world(w);
        return nb::make_tuple(hw.level[0], hw.level[1]);
    }, nb::is_method(), "world"_a, "(blue, red) levels of world w's current episode, as the heuristic runs them."));
    method("heuristic_minds", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        nb::list out;
        for (const MechMind& mind : s.heuristic().world(w).minds) out.append(mind_dict(mind));
        return out;
    }, nb::is_method(), "world"_a,
       "Per agent of world w: target, has_path, path (waypoints), next_waypoint, replans, unsticks, "
       "unstick_left, cover_seconds (empty defaults for external teams)."));
    method("heuristic_knowledge", nb::cpp_function([](BatchSim& s, int w, int team) {
        check_world(s, w);
        check_team(team);
        const HeuristicWorld& hw = s.heuristic().world(w);
        nb::list out;
        for (size_t e = 0; e < hw.seen_age[team].size(); ++e)
            out.append(nb::make_tuple(hw.visible[team][e] != 0, hw.seen_age[team][e]));
        return out;
    }, nb::is_method(), "world"_a, "team"_a,
       "Per agent: (seen this decision, seconds since last seen) in team's knowledge (1e9: never)."));
}
