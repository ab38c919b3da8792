#pragma once
// The nanobind module echelon._core, one bind_<topic> function per file; module.cpp calls each once:
//   config.cpp   SimConfig and its parts (the core's defaults), episode statistic names
//   sim.cpp      BatchSim's training face: construct, layouts, output buffers, bind, reset, step,
//                save/load, curriculum hook
//   inspect.cpp  state views and world editing on BatchSim, for tests and tools
//   world.cpp    materials and rays on bare voxel grids
//   terrain.cpp  procedural maps and nav graphs on bare voxel grids
//   math.cpp     the observation's shared host/device math, elementwise (tests)
// Thin: argument checks, views and GIL release; no game logic.
#include <nanobind/nanobind.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#include "echelon/simulator.hpp"

void bind_config(nanobind::module_& m);
void bind_sim(nanobind::module_& m);
void bind_inspect(nanobind::module_& m);
void bind_world(nanobind::module_& m);
void bind_terrain(nanobind::module_& m);
void bind_math(nanobind::module_& m);

namespace echelon::bindings {

// The one world-index check of every per-world method.
inline void check_world(const BatchSim& s, int w) {
    if (w < 0 || w >= s.num_worlds())
        throw nanobind::index_error(("world index " + std::to_string(w) + " out of range [0, " +
                                     std::to_string(s.num_worlds()) + ")").c_str());
}
inline void check_agent(const BatchSim& s, int i) {
    if (i < 0 || i >= s.num_agents())
        throw nanobind::index_error(("agent index " + std::to_string(i) + " out of range [0, " +
                                     std::to_string(s.num_agents()) + ")").c_str());
}
inline void check_team(int team) {
    if (team < 0 || team > 1) throw std::invalid_argument("team must be 0 or 1");
}

// A Python list of the names in a table of C strings (statistics, events, weapons, end reasons).
template <size_t N>
nanobind::list names(const char* const (&table)[N]) {
    nanobind::list l;
    for (const char* n : table) l.append(n);
    return l;
}

}  // namespace echelon::bindings
