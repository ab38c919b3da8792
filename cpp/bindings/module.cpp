// nanobind module echelon._core: a thin layer over the C++ core. No logic lives here: argument
// checks, buffer views and GIL release only. Buffers cross as DLPack ndarrays (no torch link).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "echelon/batch.hpp"
#include "echelon/materials.hpp"
#include "echelon/raycast.hpp"
#include "echelon/world_state.hpp"

#ifdef ECHELON_HAS_CUDA
#include "raycast_cuda.hpp"
#endif

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

namespace {

template <typename T>
using CpuArray = nb::ndarray<T, nb::c_contig, nb::device::cpu>;

template <typename T>
std::span<T> as_span(CpuArray<T>& a) {
    return std::span<T>(a.data(), a.size());
}

void check_world(BatchSim& s, int w) {
    if (w < 0 || w >= s.num_worlds()) throw nb::index_error(("world index " + std::to_string(w) + " out of range").c_str());
}

// A numpy view of one field of the mech table, shaped [W, A] (+ trailing dims); it keeps the
// simulator alive while it exists.
template <typename T>
nb::ndarray<nb::numpy, T> mech_view(nb::handle owner, T* data, BatchSim& s, size_t trailing) {
    std::vector<size_t> shape{static_cast<size_t>(s.num_worlds()), static_cast<size_t>(s.num_agents())};
    if (trailing > 0) shape.push_back(trailing);
    return nb::ndarray<nb::numpy, T>(data, shape.size(), shape.data(), owner);
}

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

NB_MODULE(_core, m) {
    m.doc() = "Echelon simulator core (C++), bound with nanobind";
#ifdef ECHELON_HAS_CUDA
    m.attr("has_cuda") = true;
#else
    m.attr("has_cuda") = false;
#endif

    nb::enum_<MapType>(m, "MapType").value("simple", MapType::Simple).value("empty", MapType::Empty).value("procedural", MapType::Procedural);

    nb::class_<RewardWeights>(m, "RewardWeights")
        .def(nb::init<>())
        .def_rw("zone_tick", &RewardWeights::zone_tick)
        .def_rw("approach", &RewardWeights::approach)
        .def_rw("gamma", &RewardWeights::gamma);

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
        .def_rw("obs", &SimConfig::obs)
        .def_prop_ro("num_agents", &SimConfig::num_agents)
        .def_prop_ro("action_dim", &SimConfig::action_dim)
        .def_prop_ro("max_steps", &SimConfig::max_steps)
        .def_prop_ro("zone_score_to_win", &SimConfig::zone_score_to_win);

    m.attr("episode_stat_names") = [] {
        nb::list l;
        for (const char* n : kEpisodeStatNames) l.append(n);
        return l;
    }();

    nb::class_<BatchSim>(m, "BatchSim")
        .def(nb::init<const SimConfig&, int, uint64_t, int, uint64_t>(), "config"_a, "num_worlds"_a, "seed"_a, "num_threads"_a,
             "world_offset"_a = 0)
        .def_prop_ro("num_worlds", &BatchSim::num_worlds)
        .def_prop_ro("world_offset", &BatchSim::world_offset)
        .def_prop_ro("num_agents", &BatchSim::num_agents)
        .def_prop_ro("obs_dim", &BatchSim::obs_dim)
        .def_prop_ro("action_dim", &BatchSim::action_dim)
        .def_prop_ro("num_threads", &BatchSim::num_threads)
        .def("obs_layout",
             [](BatchSim& s) {
                 std::vector<std::tuple<std::string, int, std::vector<int>>> out;
                 for (const auto& b : s.layout().blocks()) out.emplace_back(b.name, b.offset, b.shape);
                 return out;
             })
        .def(
            "bind",
            [](BatchSim& s, CpuArray<float> obs, CpuArray<float> final_obs, CpuArray<float> reward,
               CpuArray<bool> terminated, CpuArray<bool> truncated, CpuArray<bool> alive, CpuArray<bool> episode_end,
               CpuArray<int8_t> winner, CpuArray<float> episode_stats) {
                s.bind(StepBuffers{as_span(obs), as_span(final_obs), as_span(reward), as_span(terminated),
                                   as_span(truncated), as_span(alive), as_span(episode_end), as_span(winner),
                                   as_span(episode_stats)});
            },
            "obs"_a.noconvert(), "final_obs"_a.noconvert(), "reward"_a.noconvert(), "terminated"_a.noconvert(),
            "truncated"_a.noconvert(), "alive"_a.noconvert(), "episode_end"_a.noconvert(), "winner"_a.noconvert(),
            "episode_stats"_a.noconvert(),
            // The sim writes into these arrays on every step: it keeps them alive.
            nb::keep_alive<1, 2>(), nb::keep_alive<1, 3>(), nb::keep_alive<1, 4>(), nb::keep_alive<1, 5>(),
            nb::keep_alive<1, 6>(), nb::keep_alive<1, 7>(), nb::keep_alive<1, 8>(), nb::keep_alive<1, 9>(),
            nb::keep_alive<1, 10>())
        .def("reset", &BatchSim::reset, nb::call_guard<nb::gil_scoped_release>())
        .def(
            "step",
            [](BatchSim& s, nb::ndarray<const float, nb::c_contig, nb::device::cpu> actions) {
                const std::span<const float> a(actions.data(), actions.size());
                nb::gil_scoped_release release;
                s.step(a);
            },
            "actions"_a.noconvert())
        .def("bad_action_total", &BatchSim::bad_action_total)
        .def("set_cpu_observation", &BatchSim::set_cpu_observation, "on"_a)
        .def("contact_slots",
             [](nb::handle self, int w) {
                 auto& s = nb::cast<BatchSim&>(self);
                 check_world(s, w);
                 auto& c = s.world_state(w).combat.contact_ids;
                 size_t shape[2] = {static_cast<size_t>(s.num_agents()), c.size() / static_cast<size_t>(s.num_agents())};
                 return nb::ndarray<nb::numpy, const int32_t>(c.data(), 2, shape, self);
             }, "world"_a, "Agent index shown in each of the first five contact slots of every agent's last observation (-1: empty).")
        .def("refresh_observation", [](BatchSim& s, int w) { check_world(s, w); s.refresh_observation(w); })
        // --- state views for tests and tools (numpy, shared memory with the simulator) ---
        .def("mech_pos", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, &s.mechs().pos[0].x, s, 3); })
        .def("mech_vel", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, &s.mechs().vel[0].x, s, 3); })
        .def("mech_yaw", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().yaw.data(), s, 0); })
        .def("mech_hp", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().hp.data(), s, 0); })
        .def("mech_leg_hp", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().leg_hp.data(), s, 0); })
        .def("mech_heat", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().heat.data(), s, 0); })
        .def("mech_stability", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().stability.data(), s, 0); })
        .def("mech_fallen_ticks", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().fallen_ticks.data(), s, 0); })
        .def("mech_alive", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().alive.data(), s, 0); })
        .def("mech_class", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().cls.data(), s, 0); })
        .def("mech_team", [](nb::handle self) { auto& s = nb::cast<BatchSim&>(self); return mech_view(self, s.mechs().team.data(), s, 0); })
        .def("voxels",
             [](nb::handle self, int w) {
                 auto& s = nb::cast<BatchSim&>(self);
                 check_world(s, w);
                 const World& wd = s.world_state(w).world;
                 size_t shape[3] = {static_cast<size_t>(wd.size_z()), static_cast<size_t>(wd.size_y()), static_cast<size_t>(wd.size_x())};
                 return nb::ndarray<nb::numpy, const uint8_t>(wd.voxels().data(), 3, shape, self);
             }, "world"_a, "Read-only view of world w's materials [Z, Y, X]. Edit with set_voxels/set_voxel.")
        .def("voxel_hp",
             [](nb::handle self, int w) {
                 auto& s = nb::cast<BatchSim&>(self);
                 check_world(s, w);
                 const World& wd = s.world_state(w).world;
                 size_t shape[3] = {static_cast<size_t>(wd.size_z()), static_cast<size_t>(wd.size_y()), static_cast<size_t>(wd.size_x())};
                 return nb::ndarray<nb::numpy, const float>(wd.voxel_hp().data(), 3, shape, self);
             }, "world"_a)
        .def("set_voxels",
             [](BatchSim& s, int w, CpuArray<const uint8_t> v) {
                 check_world(s, w);
                 World& wd = s.world_state(w).world;
                 if (v.ndim() != 3 || static_cast<int>(v.shape(0)) != wd.size_z() || static_cast<int>(v.shape(1)) != wd.size_y() ||
                     static_cast<int>(v.shape(2)) != wd.size_x())
                     throw std::invalid_argument("voxels must have shape [size_z, size_y, size_x] of the world");
                 wd.assign(std::span<const uint8_t>(v.data(), v.size()));
             }, "world"_a, "voxels"_a)
        .def("set_voxel",
             [](BatchSim& s, int w, int x, int y, int z, int material) {
                 check_world(s, w);
                 if (material < 0 || material >= kNumMaterials) throw std::invalid_argument("unknown material id");
                 s.world_state(w).world.set(x, y, z, static_cast<Material>(material));
             }, "world"_a, "x"_a, "y"_a, "z"_a, "material"_a)
        .def("damage_voxel", [](BatchSim& s, int w, int x, int y, int z, float amount) {
                 check_world(s, w);
                 return s.world_state(w).world.damage(x, y, z, amount);
             }, "world"_a, "x"_a, "y"_a, "z"_a, "amount"_a)
        .def("changed_voxels", [](BatchSim& s, int w) {
                 check_world(s, w);
                 auto c = s.world_state(w).world.changed();
                 return std::vector<int32_t>(c.begin(), c.end());
             }, "world"_a)
        .def("full_rebuild", [](BatchSim& s, int w) { check_world(s, w); return s.world_state(w).world.full_rebuild(); })
        .def("clear_voxel_changes", [](BatchSim& s, int w) { check_world(s, w); s.world_state(w).world.clear_changes(); })
        .def("zone", [](BatchSim& s, int w) {
                 check_world(s, w);
                 const auto& z = s.world_state(w).map.zone;
                 return std::make_tuple(z.cx, z.cy, z.radius);
             }, "world"_a)
        .def("set_zone", [](BatchSim& s, int w, float cx, float cy, float r) {
                 check_world(s, w);
                 if (!(r > 0.f)) throw std::invalid_argument("zone radius must be positive");
                 s.world_state(w).map.zone = CaptureZone{cx, cy, r};
             }, "world"_a, "cx"_a, "cy"_a, "radius"_a)
        .def("spawn_corners", [](BatchSim& s, int w) {
                 check_world(s, w);
                 const auto& mp = s.world_state(w).map;
                 return std::make_tuple(static_cast<int>(mp.spawn_corner[0]), static_cast<int>(mp.spawn_corner[1]), mp.spawn_clear);
             }, "world"_a)
        .def("zone_scores", [](BatchSim& s, int w) {
                 check_world(s, w);
                 const auto& ws = s.world_state(w);
                 return std::make_tuple(ws.zone_score[0], ws.zone_score[1]);
             }, "world"_a)
        .def("episode_index", [](BatchSim& s, int w) { check_world(s, w); return s.world_state(w).episode; }, "world"_a)
        .def("step_count", [](BatchSim& s, int w) { check_world(s, w); return s.world_state(w).step; }, "world"_a);

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
    bind_combat(m);
    bind_terrain(m);
    bind_heuristic(m);
    bind_gpu_obs(m);
    bind_snapshot(m);
}
