#pragma once
// One bind_<topic> function per binding file; module.cpp calls each once.
#include <nanobind/nanobind.h>

void bind_combat(nanobind::module_& m);
void bind_terrain(nanobind::module_& m);
void bind_heuristic(nanobind::module_& m);
void bind_gpu_obs(nanobind::module_& m);
void bind_snapshot(nanobind::module_& m);
void bind_replay(nanobind::module_& m);
