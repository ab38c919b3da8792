// echelon._core's configuration structs: SimConfig and its parts, with the core's defaults. VecEnv
// fills them from echelon.config.EnvConfig (which validates); the core trusts them.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "bindings.hpp"
#include "echelon/config.hpp"
#include "echelon/rules/episode_stats.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

void bind_config(nb::module_& m) {
    nb::enum_<MapType>(m, "MapType").value("simple", MapType::Simple).value("empty", MapType::Empty).value("procedural", MapType::Procedural);

    nb::class_<RewardWeights>(m, "RewardWeights")
        .def(nb::init<>())
        .def_rw("zone_tick", &RewardWeights::zone_tick)
        .def_rw("approach", &RewardWeights::approach)
        .def_rw("gamma", &RewardWeights::gamma)
        .def_rw("damage", &RewardWeights::damage)
        .def_rw("kill", &RewardWeights::kill)
        .def_rw("assist", &RewardWeights::assist)
        .def_rw("death", &RewardWeights::death)
        .def_rw("friendly_damage", &RewardWeights::friendly_damage)
        .def_rw("team_kill", &RewardWeights::team_kill)
        .def_rw("contested_mult", &RewardWeights::contested_mult)
        .def_rw("contested_death_mult", &RewardWeights::contested_death_mult)
        .def_rw("team_mix", &RewardWeights::team_mix)
        .def_rw("win", &RewardWeights::win)
        .def_rw("loss", &RewardWeights::loss);

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

    nb::class_<ObsConfig>(m, "ObsConfig")
        .def(nb::init<>())
        .def_rw("contact_slots", &ObsConfig::contact_slots)
        .def_rw("full_observation", &ObsConfig::full_observation);

    nb::class_<SimConfig>(m, "SimConfig")
        .def(nb::init<>())
        .def_rw("size_x", &SimConfig::size_x)
        .def_rw("size_y", &SimConfig::size_y)
        .def_rw("size_z", &SimConfig::size_z)
        .def_rw("packs_per_team", &SimConfig::packs_per_team)
        .def_rw("dt", &SimConfig::dt)
        .def_rw("decision_repeat", &SimConfig::decision_repeat)
        .def_rw("max_episode_seconds", &SimConfig::max_episode_seconds)
        .def_rw("comm_dim", &SimConfig::comm_dim)
        .def_rw("map_type", &SimConfig::map_type)
        .def_rw("obstacle_density", &SimConfig::obstacle_density)
        .def_rw("gravity", &SimConfig::gravity)
        .def_rw("rewards", &SimConfig::rewards)
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

    m.attr("heuristic_max_level") = kHeuristicMaxLevel;
    m.attr("episode_stat_names") = [] {
        nb::list l;
        for (const char* n : kEpisodeStatNames) l.append(n);
        return l;
    }();
}
