// Bindings of the observation mirror: echelon._core.GpuObservation (CUDA builds only) and
// echelon._core.EmulatedGpuObservation (always: the same protocol run on the host, for tests).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <stdexcept>
#include <string>

#include "bindings.hpp"
#include "echelon/simulator.hpp"
#include "echelon/obs/emulated_device.hpp"

#ifdef ECHELON_HAS_CUDA
#include "gpu_observation.hpp"
#endif

namespace nb = nanobind;
using namespace nb::literals;

namespace {

template <class Mirror, class DeviceTag>
void bind_mirror(nb::module_& m, const char* name, const char* doc) {
    nb::class_<Mirror>(m, name, doc)
        .def(nb::init<echelon::BatchSim&, int>(), "sim"_a, "device"_a, nb::keep_alive<1, 2>())
        .def("upload", &Mirror::upload, "stream"_a, nb::call_guard<nb::gil_scoped_release>())
        .def(
            "compute",
            [](Mirror& g, nb::ndarray<float, nb::c_contig, DeviceTag> out, uintptr_t stream) {
                if (static_cast<int64_t>(out.size()) != g.out_floats())
                    throw std::invalid_argument("out must hold worlds * agents * obs_dim = " +
                                                std::to_string(g.out_floats()) + " floats, got " +
                                                std::to_string(out.size()));
                g.compute(out.data(), stream);
            },
            "out"_a.noconvert(), "stream"_a)
        .def("finish", &Mirror::finish, "stream"_a, nb::call_guard<nb::gil_scoped_release>())
        .def("mark_all_dirty", &Mirror::mark_all_dirty)
        .def_prop_ro("device_bytes", &Mirror::device_bytes)
        .def_prop_ro("last_whole_grids", &Mirror::last_whole_grids,
                     "Worlds whose whole voxel grid went up at the last upload.")
        .def_prop_ro("last_edits", &Mirror::last_edits, "Voxel edits sent at the last upload.")
        .def("last_timings", [](const Mirror& g) {
            const auto t = g.last_timings();
            nb::dict d;
            d["upload_ms"] = t.upload_ms;
            d["terrain_ms"] = t.terrain_ms;
            d["los_ms"] = t.los_ms;
            d["assemble_ms"] = t.assemble_ms;
            return d;
        });
}

}  // namespace

void bind_gpu_obs(nb::module_& m) {
    bind_mirror<echelon::EmulatedGpuObservation, nb::device::cpu>(
        m, "EmulatedGpuObservation",
        "The CUDA observation mirror's protocol and kernels run on the host (slow; for tests without a GPU).");
#ifdef ECHELON_HAS_CUDA
    bind_mirror<echelon::cuda::GpuObservation, nb::device::cuda>(
        m, "GpuObservation", "Observation kernels on the GPU for a BatchSim (keep the BatchSim alive).");
#endif
}
