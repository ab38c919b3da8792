// echelon._core's configuration: SimConfig and its parts, bound field by field from the lists in
// config.hpp, and `config_fields`, the same lists as data (section, name, kind, default, min, max,
// meaning) from which echelon.config takes its defaults and ranges. Also the other numbers
// Python's validation needs from the core, so none is copied by hand.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <type_traits>

#include "bindings.hpp"
#include "echelon/config.hpp"
#include "echelon/maps/procedural.hpp"
#include "echelon/maps/spawn.hpp"
#include "echelon/rules/episode_end.hpp"
#include "echelon/rules/episode_stats.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

namespace {

const char* map_type_name(MapType t) {
    switch (t) {
        case MapType::Simple: return "simple";
        case MapType::Empty: return "empty";
        case MapType::Procedural: return "procedural";
    }
    return "?";
}

// A default, min or max as Python sees it: int, float (the decimal as written), bool, or a map
// type's name.
template <typename T>
nb::object py_value(double v) {
    if constexpr (std::is_same_v<T, float>) return nb::float_(v);
    else if constexpr (std::is_same_v<T, bool>) return nb::bool_(v != 0.0);
    else return nb::int_(static_cast<long long>(v));
}
template <typename T>
nb::object py_default(double v) { return py_value<T>(v); }
template <typename T>
nb::object py_default(int v) { return py_value<T>(v); }
template <typename T>
nb::object py_default(MapType v) { return nb::str(map_type_name(v)); }
template <typename T>
nb::object py_default(bool v) { return nb::bool_(v); }

template <typename T>
const char* kind_name() {
    if constexpr (std::is_same_v<T, float>) return "float";
    else if constexpr (std::is_same_v<T, bool>) return "bool";
    else if constexpr (std::is_same_v<T, MapType>) return "map_type";
    else return "int";
}

template <typename T>
void add_field(nb::list& out, const char* section, const char* name, nb::object value, double lo, double hi,
               const char* meaning) {
    out.append(nb::make_tuple(section, name, kind_name<T>(), value, py_value<T>(lo), py_value<T>(hi), meaning));
}

}  // namespace

void bind_config(nb::module_& m) {
    nb::enum_<MapType>(m, "MapType").value("simple", MapType::Simple).value("empty", MapType::Empty).value("procedural", MapType::Procedural);

#define ECHELON_BIND_FIELD(type, name, value, lo, hi, meaning) cls.def_rw(#name, &Struct::name, meaning);
    {
        using Struct = RewardWeights;
        nb::class_<Struct> cls(m, "RewardWeights", "Reward weights (echelon.config.RewardConfig).");
        cls.def(nb::init<>());
        ECHELON_REWARD_FIELDS(ECHELON_BIND_FIELD)
    }
    {
        using Struct = CombatConfig;
        nb::class_<Struct> cls(m, "CombatConfig", "Tunable combat rules (echelon.config.CombatConfig).");
        cls.def(nb::init<>());
        ECHELON_COMBAT_FIELDS(ECHELON_BIND_FIELD)
    }
    {
        using Struct = ObsConfig;
        nb::class_<Struct> cls(m, "ObsConfig", "Observation options.");
        cls.def(nb::init<>());
        ECHELON_OBS_FIELDS(ECHELON_BIND_FIELD)
    }
    {
        using Struct = SimConfig;
        nb::class_<Struct> cls(m, "SimConfig", "Everything that defines a batch (echelon.config.EnvConfig).");
        cls.def(nb::init<>());
        ECHELON_SIM_FIELDS(ECHELON_BIND_FIELD)
        cls.def_rw("rewards", &SimConfig::rewards)
            .def_rw("combat", &SimConfig::combat)
            .def_rw("obs", &SimConfig::obs)
            .def_prop_rw(
                "heuristic_blue", [](const SimConfig& c) { return c.heuristic.level[0]; },
                [](SimConfig& c, int v) { c.heuristic.level[0] = v; })
            .def_prop_rw(
                "heuristic_red", [](const SimConfig& c) { return c.heuristic.level[1]; },
                [](SimConfig& c, int v) { c.heuristic.level[1] = v; })
            .def_prop_rw(
                "heuristic_omniscient", [](const SimConfig& c) { return c.heuristic.omniscient; },
                [](SimConfig& c, bool v) { c.heuristic.omniscient = v; })
            .def_prop_ro("num_agents", &SimConfig::num_agents)
            .def_prop_ro("action_dim", &SimConfig::action_dim)
            .def_prop_ro("max_steps", &SimConfig::max_steps)
            .def_prop_ro("zone_score_to_win", &SimConfig::zone_score_to_win);
    }
#undef ECHELON_BIND_FIELD

    m.attr("config_fields") = [] {
        nb::list l;
#define ECHELON_EXPORT_FIELD(type, name, value, lo, hi, meaning) \
    add_field<type>(l, section, #name, py_default<type>(value), lo, hi, meaning);
        const char* section = "sim";
        ECHELON_SIM_FIELDS(ECHELON_EXPORT_FIELD)
        section = "rewards";
        ECHELON_REWARD_FIELDS(ECHELON_EXPORT_FIELD)
        section = "combat";
        ECHELON_COMBAT_FIELDS(ECHELON_EXPORT_FIELD)
        section = "obs";
        ECHELON_OBS_FIELDS(ECHELON_EXPORT_FIELD)
#undef ECHELON_EXPORT_FIELD
        const HeuristicSettings h{};
        add_field<int>(l, "heuristic", "blue", nb::int_(h.level[0]), kExternalTeam, kHeuristicMaxLevel,
                       "level of the scripted opponent driving blue (-1: external)");
        add_field<int>(l, "heuristic", "red", nb::int_(h.level[1]), kExternalTeam, kHeuristicMaxLevel,
                       "level of the scripted opponent driving red (-1: external)");
        add_field<bool>(l, "heuristic", "omniscient", nb::bool_(h.omniscient), 0, 1,
                        "the heuristic knows every enemy's position");
        return l;
    }();
    m.attr("heuristic_max_level") = kHeuristicMaxLevel;
    m.attr("procedural_min_height") = terrain::kMinProceduralHeight;
    m.def("required_spawn_clear", &required_spawn_clear, "agents_per_team"_a, "min_map_side"_a,
          "Side of a team's cleared spawn square; a map fits the roster when it is at most half the shorter side.");
    m.attr("episode_stat_names") = bindings::names(kEpisodeStatNames);
    m.attr("end_reason_names") = bindings::names(kEndReasonNames);
}
