// BatchSim's training face: construct, the observation layout, the output-buffer table, bind by
// name, reset, step, save/load and the curriculum hook. This and replay.cpp's record/take_records
// are all VecEnv uses; the state views and world editing of tests and tools are in inspect.cpp.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "bindings.hpp"
#include "echelon/mech/actions.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

namespace {

const char* rows_name(BufferRows r) { return r == BufferRows::PerWorld ? "world" : "agent"; }
const char* width_name(BufferWidth w) {
    switch (w) {
        case BufferWidth::None: return "none";
        case BufferWidth::ObsDim: return "obs_dim";
        case BufferWidth::EpisodeStats: return "episode_stats";
    }
    return "?";
}

BufferDtype dtype_of(const nb::ndarray<nb::c_contig>& a, const std::string& name) {
    if (a.dtype() == nb::dtype<float>()) return BufferDtype::Float32;
    if (a.dtype() == nb::dtype<bool>()) return BufferDtype::Bool;
    if (a.dtype() == nb::dtype<int8_t>()) return BufferDtype::Int8;
    throw std::invalid_argument(name + " has an unsupported dtype (output buffers are float32, bool or int8)");
}

void bind_buffer(BatchSim& s, const std::string& name, nb::ndarray<nb::c_contig> a) {
    BufferMemory memory = BufferMemory::Host;
    if (a.device_type() == nb::device::cuda::value) {
        if (a.device_id() != s.device())
            throw std::invalid_argument(name + " is on CUDA device " + std::to_string(a.device_id()) +
                                        ", the sim's mirror on device " + std::to_string(s.device()));
        memory = BufferMemory::Device;
    } else if (a.device_type() != nb::device::cpu::value) {
        throw std::invalid_argument(name + " must be a CPU or CUDA buffer");
    }
    s.bind(name, dtype_of(a, name), a.data(), a.size(), memory);
}

}  // namespace

void bind_sim(nb::module_& m) {
#ifdef ECHELON_HAS_CUDA
    m.attr("has_cuda") = true;
#else
    m.attr("has_cuda") = false;
#endif
    m.attr("snapshot_format_version") = kSnapshotFormatVersion;

    nb::enum_<ObsBackend>(m, "ObsBackend", "Who writes the observation rows.")
        .value("cpu", ObsBackend::Cpu)
        .value("cuda", ObsBackend::Cuda)
        .value("cuda_emulated", ObsBackend::CudaEmulated);

    m.attr("action_blocks") = [] {
        nb::list l;
        for (const action::Block& b : action::kActionBlocks)
            l.append(nb::make_tuple(b.name, b.offset, b.width, b.channels, b.meaning));
        return l;
    }();

    m.attr("output_buffers") = [] {
        nb::list l;
        for (const BufferSpec& b : kOutputBuffers)
            l.append(nb::make_tuple(b.name, dtype_name(b.dtype), rows_name(b.rows), width_name(b.width), b.valid));
        return l;
    }();

    nb::class_<BatchSim>(m, "BatchSim")
        .def(nb::init<const SimConfig&, int, uint64_t, int, ObsBackend, int, uint64_t>(), "config"_a, "num_worlds"_a,
             "seed"_a, "num_threads"_a, "obs_backend"_a = ObsBackend::Cpu, "device"_a = 0, "world_offset"_a = 0,
             "obs_backend 'cuda' computes the observation on CUDA device `device` (obs bound in its memory); "
             "'cuda_emulated' runs that mirror on the host (tests). world_offset: local world w plays the random "
             "streams of world world_offset + w (one block of a job's worlds).")
        .def_prop_ro("num_worlds", &BatchSim::num_worlds)
        .def_prop_ro("world_offset", &BatchSim::world_offset)
        .def_prop_ro("num_agents", &BatchSim::num_agents)
        .def_prop_ro("obs_dim", &BatchSim::obs_dim)
        .def_prop_ro("action_dim", &BatchSim::action_dim)
        .def_prop_ro("num_threads", &BatchSim::num_threads)
        .def_prop_ro("obs_backend", &BatchSim::obs_backend)
        .def("obs_layout",
             [](BatchSim& s) {
                 std::vector<std::tuple<std::string, int, std::vector<int>>> out;
                 for (const auto& b : s.layout().blocks()) out.emplace_back(b.name, b.offset, b.shape);
                 return out;
             }, "(name, offset, shape) of each block of the flat observation.")
        .def("output_buffers",
             [](BatchSim& s) {
                 std::vector<std::tuple<std::string, std::string, std::vector<size_t>>> out;
                 for (const BufferSpec& b : kOutputBuffers) out.emplace_back(b.name, dtype_name(b.dtype), s.buffer_shape(b));
                 return out;
             }, "(name, dtype, shape) of every output buffer this sim writes: allocate each, then bind it by name.")
        .def("bind", &bind_buffer, "name"_a, "array"_a.noconvert(),
             // The sim writes into the array on every step: it keeps it alive.
             nb::keep_alive<1, 3>(),
             "Binds one output buffer (C-contiguous; CPU memory, or CUDA memory for obs with obs_backend 'cuda').")
        .def("reset", &BatchSim::reset, "stream"_a = 0, nb::call_guard<nb::gil_scoped_release>(),
             "New episode in every world; writes the first observations (on `stream` with obs_backend 'cuda').")
        .def(
            "step",
            [](BatchSim& s, nb::ndarray<const float, nb::c_contig, nb::device::cpu> actions, uintptr_t stream) {
                const std::span<const float> a(actions.data(), actions.size());
                nb::gil_scoped_release release;
                return s.step(a, stream);
            },
            "actions"_a.noconvert(), "stream"_a = 0,
            "One decision step of every world; returns the number of non-finite action entries replaced by 0.")
        .def("bad_action_total", &BatchSim::bad_action_total)
        .def(
            "save_state",
            [](const BatchSim& s) {
                std::vector<uint8_t> blob;
                {
                    nb::gil_scoped_release release;
                    blob = s.save_state();
                }
                return nb::bytes(reinterpret_cast<const char*>(blob.data()), blob.size());
            },
            "Snapshot of the whole simulator state (versioned, checksummed bytes).")
        .def(
            "load_state",
            [](BatchSim& s, nb::bytes blob, uintptr_t stream) {
                const std::span<const uint8_t> view(static_cast<const uint8_t*>(blob.data()), blob.size());
                nb::gil_scoped_release release;
                s.load_state(view, stream);
            },
            "blob"_a, "stream"_a = 0,
            "Restores a save_state() snapshot of a sim with the same shape; re-writes the observation rows and "
            "alive flags. Raises ValueError on a corrupt, truncated or mismatching blob (the sim is then unchanged).")
        .def("set_heuristic_level",
             [](BatchSim& s, int team, int level) { s.set_heuristic_level(team, level); },
             "team"_a, "level"_a, "Heuristic level of team 0 (blue) or 1 (red) from each world's next episode on; -1 = external.")
        .def("heuristic_level",
             [](BatchSim& s, int team) {
                 bindings::check_team(team);
                 return s.heuristic_level(team);
             },
             "team"_a, "Level that new episodes get (-1 = external).")
        .def("mirror_timings",
             [](const BatchSim& s) {
                 const ObsMirrorBase* mir = s.mirror();
                 if (mir == nullptr) throw std::invalid_argument("no observation mirror (obs_backend is 'cpu')");
                 const MirrorTimings t = mir->last_timings();
                 nb::dict d;
                 d["upload_ms"] = t.upload_ms;
                 d["terrain_ms"] = t.terrain_ms;
                 d["los_ms"] = t.los_ms;
                 d["assemble_ms"] = t.assemble_ms;
                 d["host_ms"] = t.host_ms;
                 return d;
             },
             "Times (ms) of the last step's mirror phases: upload, terrain, los, assemble; host_ms: the calling "
             "thread's own time in the mirror (less an emulated device's copies and kernel bodies).")
        .def("set_write_observations", &BatchSim::set_write_observations, "on"_a,
             "Off: no observation rows are written or computed (to time the simulation alone).");
}
