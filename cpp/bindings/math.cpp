// The shared host/device math (echelon/base/hd_math.hpp), evaluated elementwise on the host, so
// tests check it against a reference and CPU/GPU parity does not rest on libm.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#include "bindings.hpp"
#include "echelon/base/hd_math.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

using FloatArray = nb::ndarray<const float, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using FloatOut = nb::ndarray<nb::numpy, float, nb::ndim<1>>;

FloatOut shared_math(const std::string& name, FloatArray x, nb::object y_obj) {
    const size_t n = x.shape(0);
    const float* xs = x.data();
    const float* ys = nullptr;
    if (name == "atan2") {
        if (y_obj.is_none()) throw std::invalid_argument("atan2 needs a second array: shared_math('atan2', y, x)");
        const auto y = nb::cast<FloatArray>(y_obj);
        if (y.shape(0) != n) throw std::invalid_argument("atan2's two arrays must have the same length");
        ys = y.data();
    } else if (!y_obj.is_none()) {
        throw std::invalid_argument(name + " takes one array");
    }
    float* out = new float[n];
    nb::capsule owner(out, [](void* p) noexcept { delete[] static_cast<float*>(p); });
    {
        nb::gil_scoped_release release;
        if (name == "sin") {
            for (size_t i = 0; i < n; ++i) out[i] = echelon::hd_sinf(xs[i]);
        } else if (name == "cos") {
            for (size_t i = 0; i < n; ++i) out[i] = echelon::hd_cosf(xs[i]);
        } else if (name == "log") {
            for (size_t i = 0; i < n; ++i) out[i] = echelon::hd_logf(xs[i]);
        } else if (name == "atan2") {  // atan2(first, second), as C's atan2(y, x)
            for (size_t i = 0; i < n; ++i) out[i] = echelon::hd_atan2f(xs[i], ys[i]);
        } else {
            nb::gil_scoped_acquire again;
            throw std::invalid_argument("unknown shared math function '" + name + "' (sin, cos, log, atan2)");
        }
    }
    return FloatOut(out, {n}, owner);
}

}  // namespace

void bind_math(nb::module_& m) {
    m.def("shared_math", &shared_math, "name"_a, "x"_a, "y"_a = nb::none(),
          "Elementwise sin, cos, log or atan2(x, y) of float32 arrays by the observation's shared host/device "
          "math (the bits the CPU writer and the CUDA kernels compute).");
}
