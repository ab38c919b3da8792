// Bindings of the simulator snapshot (BatchSim::save_state / load_state). Thin: no logic here.
#include <nanobind/nanobind.h>

#include <cstdint>
#include <span>

#include "bindings.hpp"
#include "echelon/simulator.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

void bind_snapshot(nb::module_& m) {
    m.attr("snapshot_format_version") = 1;
    nb::handle bs = nb::type<BatchSim>();
    nb::setattr(bs, "save_state", nb::cpp_function([](const BatchSim& s) {
        std::vector<uint8_t> blob;
        {
            nb::gil_scoped_release release;
            blob = s.save_state();
        }
        return nb::bytes(reinterpret_cast<const char*>(blob.data()), blob.size());
    }, nb::is_method(), "Snapshot of the whole simulator state (versioned, checksummed bytes)."));
    nb::setattr(bs, "load_state", nb::cpp_function([](BatchSim& s, nb::bytes blob) {
        const std::span<const uint8_t> view(static_cast<const uint8_t*>(blob.data()), blob.size());
        nb::gil_scoped_release release;
        s.load_state(view);
    }, nb::is_method(), "blob"_a,
       "Restores a save_state() snapshot of a sim with the same shape; re-writes the observation rows and "
       "alive flags. Raises ValueError on a corrupt, truncated or mismatching blob (the sim is then unchanged)."));
}
