// nanobind module echelon._core: a thin layer over the C++ core (bindings.hpp lists the files).
// Buffers cross as DLPack ndarrays (no torch link).
#include <nanobind/nanobind.h>

#include "bindings.hpp"

NB_MODULE(_core, m) {
    m.doc() = "Echelon simulator core (C++), bound with nanobind";
    bind_config(m);
    bind_sim(m);
    bind_inspect(m);
    bind_world(m);
    bind_terrain(m);
    bind_math(m);
}
