// Bindings of the CUDA observation path (echelon._core.GpuObservation), present only in builds
// with CUDA kernels.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <stdexcept>

#include "bindings.hpp"
#include "echelon/batch.hpp"

#ifdef ECHELON_HAS_CUDA
#include "gpu_observation.hpp"
#endif

namespace nb = nanobind;
using namespace nb::literals;

void bind_gpu_obs(nb::module_& m) {
#ifdef ECHELON_HAS_CUDA
    using echelon::cuda::GpuObservation;
    nb::class_<GpuObservation>(m, "GpuObservation",
                               "Observation kernels on the GPU for a BatchSim (keep the BatchSim alive).")
        .def(nb::init<echelon::BatchSim&, int>(), "sim"_a, "device"_a, nb::keep_alive<1, 2>())
        .def("upload", &GpuObservation::upload, "stream"_a, nb::call_guard<nb::gil_scoped_release>())
        .def(
            "compute",
            [](GpuObservation& g, nb::ndarray<float, nb::c_contig, nb::device::cuda> out, uintptr_t stream) {
                g.compute(out.data(), stream);
            },
            "out"_a.noconvert(), "stream"_a)
        .def("finish", &GpuObservation::finish, "stream"_a, nb::call_guard<nb::gil_scoped_release>())
        .def("mark_all_dirty", &GpuObservation::mark_all_dirty)
        .def_prop_ro("device_bytes", &GpuObservation::device_bytes)
        .def("last_timings", [](const GpuObservation& g) {
            const auto t = g.last_timings();
            nb::dict d;
            d["upload_ms"] = t.upload_ms;
            d["terrain_ms"] = t.terrain_ms;
            d["los_ms"] = t.los_ms;
            d["assemble_ms"] = t.assemble_ms;
            return d;
        });
#else
    (void)m;
#endif
}
