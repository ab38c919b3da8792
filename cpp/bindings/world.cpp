// Materials and rays on bare voxel grids (numpy or, with CUDA, torch tensors): the voxel DDA the
// simulator uses, for tools, tests and the ray benchmark. Thin: no logic here.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>

#include "bindings.hpp"
#include "echelon/world/materials.hpp"
#include "echelon/world/raycast.hpp"

#ifdef ECHELON_HAS_CUDA
#include "raycast_cuda.hpp"
#endif

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

namespace {

template <typename T>
using CpuArray = nb::ndarray<T, nb::c_contig, nb::device::cpu>;

nb::tuple raycast_one(CpuArray<const uint8_t> voxels, std::tuple<float, float, float> a,
                      std::tuple<float, float, float> b, bool include_end) {
    if (voxels.ndim() != 3) throw std::invalid_argument("voxels must be [Z, Y, X]");
    const VoxelView g{voxels.data(), static_cast<int>(voxels.shape(2)), static_cast<int>(voxels.shape(1)),
                      static_cast<int>(voxels.shape(0))};
    const RayHit h = raycast(g, {std::get<0>(a), std::get<1>(a), std::get<2>(a)},
                             {std::get<0>(b), std::get<1>(b), std::get<2>(b)}, include_end);
    nb::object voxel = nb::none();
    if (h.has_voxel) voxel = nb::make_tuple(h.x, h.y, h.z);
    return nb::make_tuple(h.blocked, voxel);
}

using AnyU8 = nb::ndarray<const uint8_t, nb::ndim<3>, nb::c_contig>;
using AnyF3 = nb::ndarray<const float, nb::ndim<2>, nb::c_contig>;
using AnyBool = nb::ndarray<bool, nb::ndim<1>, nb::c_contig>;
using AnyI3 = nb::ndarray<int32_t, nb::ndim<2>, nb::c_contig>;

void raycast_batch(AnyU8 voxels, AnyF3 starts, AnyF3 ends, bool include_end, AnyBool blocked, AnyI3 hit,
                   uintptr_t stream) {
    const int64_t n = static_cast<int64_t>(starts.shape(0));
    if (starts.shape(1) != 3 || ends.shape(1) != 3 || static_cast<int64_t>(ends.shape(0)) != n)
        throw std::invalid_argument("starts and ends must both be [N, 3]");
    if (static_cast<int64_t>(blocked.shape(0)) != n || static_cast<int64_t>(hit.shape(0)) != n || hit.shape(1) != 3)
        throw std::invalid_argument("outputs must be blocked [N] and hit [N, 3]");
    const int dev = voxels.device_type();
    if (starts.device_type() != dev || ends.device_type() != dev || blocked.device_type() != dev || hit.device_type() != dev)
        throw std::invalid_argument("all raycast_batch arrays must be on the same device");
    const int sx = static_cast<int>(voxels.shape(2)), sy = static_cast<int>(voxels.shape(1)), sz = static_cast<int>(voxels.shape(0));
    if (dev == nb::device::cpu::value) {
        nb::gil_scoped_release release;
        const VoxelView g{voxels.data(), sx, sy, sz};
        const float* s = starts.data();
        const float* e = ends.data();
        for (int64_t i = 0; i < n; ++i) {
            const RayHit h = raycast(g, {s[3 * i], s[3 * i + 1], s[3 * i + 2]}, {e[3 * i], e[3 * i + 1], e[3 * i + 2]}, include_end);
            blocked.data()[i] = h.blocked;
            hit.data()[3 * i] = h.x;
            hit.data()[3 * i + 1] = h.y;
            hit.data()[3 * i + 2] = h.z;
        }
        return;
    }
#ifdef ECHELON_HAS_CUDA
    if (dev == nb::device::cuda::value) {
        const cuda::RaycastBatchArgs args{voxels.data(), sx, sy, sz, starts.data(), ends.data(), n,
                                          include_end, blocked.data(), hit.data()};
        if (const char* err = cuda::launch_raycast_batch(args, stream)) throw std::runtime_error(std::string("CUDA raycast failed: ") + err);
        return;
    }
#endif
    (void)stream;
    throw std::invalid_argument("raycast_batch: unsupported device (this build has CUDA: " +
                                std::string(
#ifdef ECHELON_HAS_CUDA
                                    "yes"
#else
                                    "no"
#endif
                                    ) + ")");
}

}  // namespace

void bind_world(nb::module_& m) {
    m.def("raycast", &raycast_one, "voxels"_a, "start"_a, "end"_a, "include_end"_a = false,
          "One DDA ray through a [Z, Y, X] material grid: (blocked, (x, y, z) or None).");
    m.def("raycast_batch", &raycast_batch, "voxels"_a, "starts"_a, "ends"_a, "include_end"_a, "blocked"_a.noconvert(),
          "hit"_a.noconvert(), "stream"_a = 0,
          "Batched rays on CPU arrays or (CUDA builds) CUDA tensors; writes blocked [N] and hit [N, 3].");
    m.def("segment_hits_sphere",
          [](std::tuple<float, float, float> a, std::tuple<float, float, float> b, std::tuple<float, float, float> c, float r) {
              return segment_hits_sphere({std::get<0>(a), std::get<1>(a), std::get<2>(a)}, {std::get<0>(b), std::get<1>(b), std::get<2>(b)},
                                         {std::get<0>(c), std::get<1>(c), std::get<2>(c)}, r);
          }, "p1"_a, "p2"_a, "centre"_a, "radius"_a);
    m.def("material_table", [] {
        nb::list l;
        for (int i = 0; i < kNumMaterials; ++i) {
            const auto u = static_cast<uint8_t>(i);
            l.append(nb::make_tuple(i, material_hp(u), material_collides(u), material_blocks_los(u)));
        }
        return l;
    }, "(id, hp, collides, blocks_los) for each material id.");
}
