// Bindings for the combat core: the CombatConfig, the combat reward weights, and state views and
// helpers on BatchSim for tests, tools and replays. Thin: no game logic here.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <stdexcept>
#include <string>

#include "bindings.hpp"
#include "echelon/simulator.hpp"
#include "echelon/combat/ewar.hpp"
#include "echelon/combat/wrecks.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

namespace {

void check_world(BatchSim& s, int w) {
    if (w < 0 || w >= s.num_worlds()) throw nb::index_error(("world index " + std::to_string(w) + " out of range").c_str());
}
void check_agent(BatchSim& s, int i) {
    if (i < 0 || i >= s.num_agents()) throw nb::index_error(("agent index " + std::to_string(i) + " out of range").c_str());
}

nb::object property(nb::object getter, nb::object setter) {
    return nb::module_::import_("builtins").attr("property")(getter, setter);
}

// Adds a read/write float property to an already bound class (the class itself is bound elsewhere).
template <class C>
void add_float_property(nb::handle cls, const char* name, float C::*member) {
    nb::setattr(cls, name,
                property(nb::cpp_function([member](const C& c) { return c.*member; }),
                         nb::cpp_function([member](C& c, float v) { c.*member = v; })));
}

template <typename T>
nb::ndarray<nb::numpy, T> table_view(nb::handle owner, std::vector<T>& v, BatchSim& s) {
    size_t shape[2] = {static_cast<size_t>(s.num_worlds()), static_cast<size_t>(s.num_agents())};
    return nb::ndarray<nb::numpy, T>(v.data(), 2, shape, owner);
}

nb::object mech_state(nb::handle self, const std::string& name) {
    auto& s = nb::cast<BatchSim&>(self);
    MechTable& t = s.mechs();
    const std::pair<const char*, std::vector<int32_t>*> ints[] = {
        {"cd_laser", &t.cd_laser}, {"cd_missile", &t.cd_missile}, {"cd_kinetic", &t.cd_kinetic},
        {"cd_painter", &t.cd_painter}, {"paint_ticks", &t.paint_ticks}, {"painter", &t.painter},
        {"suppress_ticks", &t.suppress_ticks}, {"ams_ticks", &t.ams_ticks}, {"focus", &t.focus},
        {"fallen_ticks", &t.fallen_ticks}};
    for (auto& [n, v] : ints)
        if (name == n) return nb::cast(table_view(self, *v, s));
    const std::pair<const char*, std::vector<uint8_t>*> bytes[] = {
        {"ecm", &t.ecm}, {"eccm", &t.eccm}, {"was_hit", &t.was_hit}, {"sort_mode", &t.sort_mode},
        {"hostile_only", &t.hostile_only}, {"alive", &t.alive}};
    for (auto& [n, v] : bytes)
        if (name == n) return nb::cast(table_view(self, *v, s));
    if (name == "last_damage_dir") {
        size_t shape[3] = {static_cast<size_t>(s.num_worlds()), static_cast<size_t>(s.num_agents()), 3};
        return nb::cast(nb::ndarray<nb::numpy, float>(&t.last_damage_dir[0].x, 3, shape, self));
    }
    throw std::invalid_argument("unknown mech state field: " + name);
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

}  // namespace

void bind_combat(nb::module_& m) {
    nb::class_<CombatConfig>(m, "CombatConfig")
        .def(nb::init<>())
        .def_rw("enable_target_selection", &CombatConfig::enable_target_selection)
        .def_rw("enable_ewar", &CombatConfig::enable_ewar)
        .def_rw("enable_obs_control", &CombatConfig::enable_obs_control)
        .def_rw("enable_comm", &CombatConfig::enable_comm)
        .def_rw("friendly_splash", &CombatConfig::friendly_splash)
        .def_rw("ams_intercept_prob", &CombatConfig::ams_intercept_prob)
        .def_rw("ams_range", &CombatConfig::ams_range)
        .def_rw("ams_cooldown_s", &CombatConfig::ams_cooldown_s)
        .def_rw("paint_seconds", &CombatConfig::paint_seconds)
        .def_rw("paint_bonus", &CombatConfig::paint_bonus)
        .def_rw("rear_mult", &CombatConfig::rear_mult)
        .def_rw("leg_hit_chance", &CombatConfig::leg_hit_chance)
        .def_rw("knockdown_seconds", &CombatConfig::knockdown_seconds)
        .def_rw("suppress_seconds", &CombatConfig::suppress_seconds)
        .def_rw("smoke_cloud_seconds", &CombatConfig::smoke_cloud_seconds)
        .def_rw("smoke_cloud_radius", &CombatConfig::smoke_cloud_radius);

    nb::handle sim_config = nb::type<SimConfig>();
    nb::setattr(sim_config, "combat",
                property(nb::cpp_function([](SimConfig& c) -> CombatConfig& { return c.combat; }, nb::rv_policy::reference_internal),
                         nb::cpp_function([](SimConfig& c, const CombatConfig& v) { c.combat = v; })));

    nb::handle rw = nb::type<RewardWeights>();
    add_float_property(rw, "damage", &RewardWeights::damage);
    add_float_property(rw, "kill", &RewardWeights::kill);
    add_float_property(rw, "assist", &RewardWeights::assist);
    add_float_property(rw, "death", &RewardWeights::death);
    add_float_property(rw, "friendly_damage", &RewardWeights::friendly_damage);
    add_float_property(rw, "team_kill", &RewardWeights::team_kill);
    add_float_property(rw, "contested_mult", &RewardWeights::contested_mult);
    add_float_property(rw, "contested_death_mult", &RewardWeights::contested_death_mult);
    add_float_property(rw, "team_mix", &RewardWeights::team_mix);
    add_float_property(rw, "win", &RewardWeights::win);
    add_float_property(rw, "loss", &RewardWeights::loss);

    m.attr("event_type_names") = [] {
        nb::list l;
        for (const char* n : kEventTypeNames) l.append(n);
        return l;
    }();
    m.attr("weapon_names") = [] {
        nb::list l;
        for (const char* n : kWeaponNames) l.append(n);
        return l;
    }();

    nb::handle bs = nb::type<BatchSim>();
    const auto method = [&](const char* name, nb::object fn) { nb::setattr(bs, name, fn); };
    method("mech_state", nb::cpp_function(&mech_state, nb::is_method(), "name"_a,
                                          "Numpy view [W, A] of a combat field: cd_laser, cd_missile, cd_kinetic, cd_painter, "
                                          "paint_ticks, painter, suppress_ticks, ams_ticks, focus, fallen_ticks (int32); "
                                          "ecm, eccm, was_hit, sort_mode, hostile_only, alive (uint8); last_damage_dir [W, A, 3]."));
    method("events", nb::cpp_function(&events, nb::is_method(), "world"_a, "Events of world w's last decision step (dicts)."));
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
    method("late_terminal_rewards", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        const auto& v = s.world_state(w).combat.late_terminal;
        return std::vector<float>(v.begin(), v.end());
    }, nb::is_method(), "world"_a,
       "Terminal win/loss reward of agents that died before world w's episode ended in the last step "
       "(add it to each one's death row); zeros otherwise."));
    method("sensor_quality", nb::cpp_function([](BatchSim& s, int w, int i) {
        check_world(s, w);
        check_agent(s, i);
        const SensorReading r = sensor_quality(s.mechs().world(w), i);
        return nb::make_tuple(r.quality, r.jam, r.eccm);
    }, nb::is_method(), "world"_a, "agent"_a, "(quality, jam, eccm) of an agent: the one sensor model (SPEC §1.9)."));
    method("dropped_events", nb::cpp_function([](BatchSim& s, int w) {
        check_world(s, w);
        return s.world_state(w).combat.events.dropped();
    }, nb::is_method(), "world"_a));

    m.def("wreck_roll", &wreck_roll, "agent"_a, "cls"_a, "x0"_a, "y0"_a, "z0"_a, "x1"_a, "y1"_a, "z1"_a);
}
