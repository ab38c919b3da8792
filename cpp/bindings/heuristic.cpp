// Bindings of the heuristic opponent: the SimConfig fields, the curriculum hook and read-only
// views of its state for tests and tools. No logic here.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <stdexcept>
#include <string>

#include "bindings.hpp"
#include "echelon/simulator.hpp"
#include "echelon/heuristic/heuristic.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

namespace {

void check_world_index(BatchSim& s, int w) {
    if (w < 0 || w >= s.num_worlds()) throw nb::index_error(("world index " + std::to_string(w) + " out of range").c_str());
}

template <typename Get, typename Set>
void add_property(nb::handle cls, const char* name, Get get, Set set) {
    nb::setattr(cls, name, nb::module_::import_("builtins").attr("property")(nb::cpp_function(get), nb::cpp_function(set)));
}

nb::dict mind_dict(const HeuristicWorld& hw, const MechMind& mind) {
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
    (void)hw;
    return d;
}

}  // namespace

void bind_heuristic(nb::module_& m) {
    m.attr("heuristic_max_level") = kHeuristicMaxLevel;
    nb::handle sc = nb::type<SimConfig>();
    add_property(sc, "heuristic_blue", [](SimConfig& c) { return c.heuristic.level[0]; },
                 [](SimConfig& c, int v) { c.heuristic.level[0] = v; });
    add_property(sc, "heuristic_red", [](SimConfig& c) { return c.heuristic.level[1]; },
                 [](SimConfig& c, int v) { c.heuristic.level[1] = v; });
    add_property(sc, "heuristic_omniscient", [](SimConfig& c) { return c.heuristic.omniscient; },
                 [](SimConfig& c, bool v) { c.heuristic.omniscient = v; });

    nb::handle bs = nb::type<BatchSim>();
    const auto method = [&](const char* name, nb::object fn) { nb::setattr(bs, name, fn); };
    method("set_heuristic_level",
           nb::cpp_function([](BatchSim& s, int team, int level) { s.set_heuristic_level(team, level); }, nb::is_method(),
                            "team"_a, "level"_a,
                            "Heuristic level of team 0 (blue) or 1 (red) from each world's next episode on; -1 = external."));
    method("heuristic_level", nb::cpp_function([](BatchSim& s, int team) {
        if (team < 0 || team > 1) throw std::invalid_argument("team must be 0 or 1");
        return s.heuristic_level(team);
    }, nb::is_method(), "team"_a, "Level that new episodes get (-1 = external)."));
    method("heuristic_episode_levels", nb::cpp_function([](BatchSim& s, int w) {
        check_world_index(s, w);
        const HeuristicWorld& hw = s.heuristic().world(w);
        return nb::make_tuple(hw.level[0], hw.level[1]);
    }, nb::is_method(), "world"_a, "(blue, red) levels of world w's current episode, as the heuristic runs them."));
    method("heuristic_minds", nb::cpp_function([](BatchSim& s, int w) {
        check_world_index(s, w);
        const HeuristicWorld& hw = s.heuristic().world(w);
        nb::list out;
        for (const MechMind& mind : hw.minds) out.append(mind_dict(hw, mind));
        return out;
    }, nb::is_method(), "world"_a,
       "Per agent of world w: target, has_path, path (waypoints), next_waypoint, replans, unsticks, "
       "unstick_left, cover_seconds (empty defaults for external teams)."));
    method("heuristic_knowledge", nb::cpp_function([](BatchSim& s, int w, int team) {
        check_world_index(s, w);
        if (team < 0 || team > 1) throw std::invalid_argument("team must be 0 or 1");
        const HeuristicWorld& hw = s.heuristic().world(w);
        nb::list out;
        for (size_t e = 0; e < hw.seen_age[team].size(); ++e)
            out.append(nb::make_tuple(hw.visible[team][e] != 0, hw.seen_age[team][e]));
        return out;
    }, nb::is_method(), "world"_a, "team"_a,
       "Per agent: (seen this decision, seconds since last seen) in team's knowledge (1e9: never)."));
    method("last_actions", nb::cpp_function([](nb::handle self, int w) {
        auto& s = nb::cast<BatchSim&>(self);
        check_world_index(s, w);
        const auto& a = s.world_state(w).actions;
        size_t shape[2] = {static_cast<size_t>(s.num_agents()), static_cast<size_t>(s.action_dim())};
        return nb::ndarray<nb::numpy, const float>(a.data(), 2, shape, self);
    }, nb::is_method(), "world"_a,
       "The action rows world w's last step used [A, action_dim]: sanitised caller rows and heuristic rows (read-only view)."));
}
