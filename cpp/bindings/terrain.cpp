// Bindings for procedural maps and navigation: thin wrappers, no logic.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "echelon/maps/generate.hpp"
#include "echelon/maps/nav.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/maps/procedural.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;

namespace {

using Voxels = nb::ndarray<const uint8_t, nb::ndim<3>, nb::c_contig, nb::device::cpu>;

World world_from(Voxels v) {
    World w(static_cast<int>(v.shape(2)), static_cast<int>(v.shape(1)), static_cast<int>(v.shape(0)));
    w.assign(std::span<const uint8_t>(v.data(), v.size()));
    return w;
}

template <typename T>
nb::ndarray<nb::numpy, T> owned_array(std::vector<T>&& data, std::vector<size_t> shape) {
    auto* heap = new std::vector<T>(std::move(data));
    nb::capsule owner(heap, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
    return nb::ndarray<nb::numpy, T>(heap->data(), shape.size(), shape.data(), owner);
}

std::vector<size_t> zyx(const World& w) {
    return {static_cast<size_t>(w.size_z()), static_cast<size_t>(w.size_y()), static_cast<size_t>(w.size_x())};
}

nb::dict meta_dict(const terrain::TerrainMeta& m) {
    nb::dict d;
    d["seed"] = m.seed;
    d["content_hash"] = terrain::hex64(m.content_hash);
    d["recipe_hash"] = terrain::hex64(m.recipe_hash);
    d["recipe_json"] = m.recipe_json;
    nb::dict biomes;
    for (int q = 0; q < 4; ++q)
        biomes[std::string(terrain::corner_name(static_cast<Corner>(q))).c_str()] =
            std::string(terrain::biome_name(m.layout.biome[q]));
    d["biomes"] = biomes;
    d["split"] = nb::make_tuple(m.layout.split_x, m.layout.split_y);
    d["transform"] = std::string(terrain::transform_name(m.transform));
    d["spawn_corners"] = nb::make_tuple(std::string(terrain::corner_name(m.map.spawn_corner[0])),
                                        std::string(terrain::corner_name(m.map.spawn_corner[1])));
    d["spawn_clear"] = m.map.spawn_clear;
    d["zone"] = nb::make_tuple(m.map.zone.cx, m.map.zone.cy, m.map.zone.radius);
    d["corridor_height"] = m.corridor_height;
    nb::list corridors;
    for (const auto& c : m.corridors) {
        nb::list pts;
        for (const Vec3& p : c.points) pts.append(nb::make_tuple(p.x, p.y));
        corridors.append(nb::make_tuple(std::string(terrain::corridor_name(c.kind)), c.width, pts));
    }
    d["corridors"] = corridors;
    d["fixups"] = m.connectivity.fixups;
    d["digs"] = m.connectivity.digs;
    return d;
}

// A graph over its own copy of the voxels, plus search scratch: what Python tools and tests use.
struct PyNavGraph {
    World world;
    NavGraph graph;
    NavSearch search;
};

nb::dict path_dict(const NavGraph& g, const NavPath& p) {
    nb::dict d;
    d["found"] = p.found;
    d["cost"] = p.cost;
    d["expanded"] = p.expanded;
    d["nodes"] = p.nodes;
    nb::list wp;
    for (const Vec3& v : path_waypoints(g, p)) wp.append(nb::make_tuple(v.x, v.y, v.z));
    d["waypoints"] = wp;
    return d;
}

void check_node(const PyNavGraph& s, int n) {
    if (!s.graph.valid(n)) throw nb::index_error(("not a node id: " + std::to_string(n)).c_str());
}

MapInfo map_info_from(std::tuple<int, int> corners, int spawn_clear, std::tuple<float, float, float> zone) {
    MapInfo m;
    m.spawn_corner[0] = static_cast<Corner>(std::get<0>(corners));
    m.spawn_corner[1] = static_cast<Corner>(std::get<1>(corners));
    m.spawn_clear = spawn_clear;
    m.zone = CaptureZone{std::get<0>(zone), std::get<1>(zone), std::get<2>(zone)};
    return m;
}

}  // namespace

void bind_terrain(nb::module_& m) {
    m.def(
        "generate_terrain",
        [](std::tuple<int, int, int> size, uint64_t seed, int packs_per_team) {
            const auto [sx, sy, sz] = size;
            if (sx < 16 || sy < 16) throw std::invalid_argument("size x and y must be at least 16");
            World w(sx, sy, sz);
            terrain::TerrainMeta meta;
            {
                nb::gil_scoped_release release;
                meta = terrain::generate_terrain(w, seed, packs_per_team);
            }
            std::vector<uint8_t> vox(w.voxels().begin(), w.voxels().end());
            std::vector<float> hp(w.voxel_hp().begin(), w.voxel_hp().end());
            nb::dict d = meta_dict(meta);
            d["voxels"] = owned_array(std::move(vox), zyx(w));
            d["voxel_hp"] = owned_array(std::move(hp), zyx(w));
            return d;
        },
        "size"_a, "seed"_a, "packs_per_team"_a = 1,
        "Generates one procedural map: a dict with voxels [Z,Y,X], voxel_hp, content_hash, recipe_json and metadata.");
    m.def(
        "procedural_map_seed",
        [](uint64_t seed, uint64_t world, uint64_t episode) {
            Rng r(mix_seed(seed, world, episode, static_cast<uint64_t>(RngPurpose::Map)));
            return procedural_map_seed(r);
        },
        "seed"_a, "world"_a, "episode"_a, "The procedural map seed BatchSim(seed) uses for (world, episode).");
    m.def("biome_names", [] {
        std::vector<std::string> out;
        for (int i = 0; i < terrain::kNumBiomes; ++i) out.emplace_back(terrain::biome_name(static_cast<terrain::Biome>(i)));
        return out;
    });
    m.def(
        "transform_map",
        [](Voxels v, int transform, std::tuple<int, int> split, std::vector<int> biomes) {
            if (transform < 0 || transform > 3) throw std::invalid_argument("transform must be 0..3");
            if (biomes.size() != 4) throw std::invalid_argument("biomes must list 4 biome ids (BL, BR, TL, TR)");
            World w = world_from(v);
            terrain::Layout l;
            l.split_x = std::get<0>(split);
            l.split_y = std::get<1>(split);
            for (int q = 0; q < 4; ++q) l.biome[q] = static_cast<terrain::Biome>(biomes[static_cast<size_t>(q)]);
            terrain::apply_transform(w, l, static_cast<terrain::Transform>(transform));
            std::vector<int> out_biomes(4);
            for (int q = 0; q < 4; ++q) out_biomes[static_cast<size_t>(q)] = static_cast<int>(l.biome[q]);
            std::vector<uint8_t> vox(w.voxels().begin(), w.voxels().end());
            std::vector<float> hp(w.voxel_hp().begin(), w.voxel_hp().end());
            return nb::make_tuple(owned_array(std::move(vox), zyx(w)), owned_array(std::move(hp), zyx(w)),
                                  nb::make_tuple(l.split_x, l.split_y), out_biomes);
        },
        "voxels"_a, "transform"_a, "split"_a, "biomes"_a,
        "Applies a flip (0 identity, 1 x, 2 y, 3 both) to voxels and layout: (voxels, hp, split, biomes).");
    m.def(
        "check_connectivity",
        [](Voxels v, std::tuple<int, int> corners, int spawn_clear, std::tuple<float, float, float> zone) {
            const World w = world_from(v);
            bool ok[kNumClasses][2];
            terrain::check_connectivity(w, map_info_from(corners, spawn_clear, zone), ok);
            std::vector<std::tuple<bool, bool>> out;
            for (int c = 0; c < kNumClasses; ++c) out.emplace_back(ok[c][0], ok[c][1]);
            return out;
        },
        "voxels"_a, "spawn_corners"_a, "spawn_clear"_a, "zone"_a,
        "Per class (scout, light, medium, heavy): (blue reaches zone, red reaches zone).");
    m.def(
        "ensure_connectivity",
        [](Voxels v, std::tuple<int, int> corners, int spawn_clear, std::tuple<float, float, float> zone) {
            World w = world_from(v);
            const terrain::ConnectivityReport r = terrain::ensure_connectivity(w, map_info_from(corners, spawn_clear, zone));
            std::vector<uint8_t> vox(w.voxels().begin(), w.voxels().end());
            std::vector<float> hp(w.voxel_hp().begin(), w.voxel_hp().end());
            return nb::make_tuple(owned_array(std::move(vox), zyx(w)), owned_array(std::move(hp), zyx(w)), r.ok, r.fixups);
        },
        "voxels"_a, "spawn_corners"_a, "spawn_clear"_a, "zone"_a,
        "Runs the validator with fix-ups on a copy: (voxels, voxel_hp, ok, fixups).");
    m.def("content_hash", [](Voxels v) { return terrain::hex64(terrain::content_hash(world_from(v))); }, "voxels"_a);

    nb::class_<PyNavGraph>(m, "NavGraph")
        .def(
            "__init__",
            [](PyNavGraph* self, Voxels v, float width, float height) {
                new (self) PyNavGraph{world_from(v), NavGraph{}, NavSearch{}};
                self->graph = NavGraph(self->world, nav_shape_for_box(width, height));
            },
            "voxels"_a, "width"_a, "height"_a, "Nav graph for a box of this width and height over voxels [Z,Y,X].")
        .def_static(
            "for_class",
            [](Voxels v, int cls) {
                if (cls < 0 || cls >= kNumClasses) throw std::invalid_argument("class must be 0 scout, 1 light, 2 medium, 3 heavy");
                auto g = std::make_unique<PyNavGraph>(PyNavGraph{world_from(v), NavGraph{}, NavSearch{}});
                g->graph = NavGraph(g->world, nav_shape(static_cast<MechClass>(cls)));
                return g;
            },
            "voxels"_a, "cls"_a)
        .def_prop_ro("shape",
                     [](const PyNavGraph& s) {
                         const NavShape& sh = s.graph.shape();
                         return nb::make_tuple(sh.footprint, sh.headroom, sh.step_clear, sh.height);
                     })
        .def_prop_ro("node_count", [](const PyNavGraph& s) { return s.graph.node_count(); })
        .def_prop_ro("id_space", [](const PyNavGraph& s) { return s.graph.id_space(); })
        .def("nodes",
             [](const PyNavGraph& s) {
                 std::vector<int32_t> out;
                 for (NavNode n = 0; n < s.graph.id_space(); ++n)
                     if (s.graph.valid(n)) out.insert(out.end(), {n, s.graph.node_bx(n), s.graph.node_by(n), s.graph.node_floor(n)});
                 const size_t rows = out.size() / 4;
                 return owned_array(std::move(out), {rows, 4});
             },
             "[N, 4] int32 rows (id, block x, block y, floor).")
        .def("edges",
             [](const PyNavGraph& s) {
                 std::vector<int32_t> src, dst;
                 std::vector<float> cost;
                 NavEdge e[8];
                 for (NavNode n = 0; n < s.graph.id_space(); ++n) {
                     if (!s.graph.valid(n)) continue;
                     const int c = s.graph.edges(n, e);
                     for (int i = 0; i < c; ++i) {
                         src.push_back(n);
                         dst.push_back(e[i].to);
                         cost.push_back(e[i].cost);
                     }
                 }
                 const size_t k = src.size();
                 return nb::make_tuple(owned_array(std::move(src), {k}), owned_array(std::move(dst), {k}),
                                       owned_array(std::move(cost), {k}));
             },
             "All directed edges as (src, dst, cost) arrays.")
        .def("neighbours",
             [](const PyNavGraph& s, int n) {
                 check_node(s, n);
                 NavEdge e[8];
                 const int c = s.graph.edges(n, e);
                 std::vector<std::tuple<int, float>> out;
                 for (int i = 0; i < c; ++i) out.emplace_back(e[i].to, e[i].cost);
                 return out;
             }, "node"_a)
        .def("node_at", [](const PyNavGraph& s, int bx, int by, int f) { return s.graph.node_at(bx, by, f); }, "bx"_a, "by"_a,
             "floor"_a, "Node id at block (bx, by) and floor, or -1.")
        .def("position",
             [](const PyNavGraph& s, int n) {
                 check_node(s, n);
                 const Vec3 p = s.graph.node_position(n);
                 return nb::make_tuple(p.x, p.y, p.z);
             }, "node"_a, "Feet position (block centre, floor) of a node.")
        .def("nearest",
             [](const PyNavGraph& s, float x, float y, float z, int radius) { return s.graph.nearest({x, y, z}, radius); },
             "x"_a, "y"_a, "z"_a, "radius"_a = 8, "Nearest node to a feet position, or -1.")
        .def("heuristic", [](const PyNavGraph& s, int a, int b) { check_node(s, a); check_node(s, b); return s.graph.heuristic(a, b); })
        .def("find_path",
             [](PyNavGraph& s, int start, int goal) {
                 check_node(s, start);
                 check_node(s, goal);
                 return path_dict(s.graph, s.search.find_path(s.graph, start, goal));
             }, "start"_a, "goal"_a, "A* path: dict(found, cost, expanded, nodes, waypoints).")
        .def("all_costs",
             [](PyNavGraph& s, int start) {
                 check_node(s, start);
                 std::vector<float> c = s.search.all_costs(s.graph, start);
                 const size_t n = c.size();
                 return owned_array(std::move(c), {n});
             }, "start"_a, "Dijkstra cost to every node id (inf where unreachable).")
        .def("reachable",
             [](const PyNavGraph& s, int start) {
                 check_node(s, start);
                 std::vector<uint8_t> flags;
                 s.graph.reachable_from(start, flags);
                 const size_t n = flags.size();
                 return owned_array(std::move(flags), {n});
             }, "start"_a)
        .def("patch",
             [](PyNavGraph& s, Voxels v, std::tuple<int, int, int, int> box) {
                 if (static_cast<int>(v.shape(0)) != s.world.size_z() || static_cast<int>(v.shape(1)) != s.world.size_y() ||
                     static_cast<int>(v.shape(2)) != s.world.size_x())
                     throw std::invalid_argument("voxels must keep the graph's world size");
                 s.world.assign(std::span<const uint8_t>(v.data(), v.size()));
                 s.graph.patch(s.world, IBox{std::get<0>(box), std::get<1>(box), 0, std::get<2>(box), std::get<3>(box), 1});
             },
             "voxels"_a, "box"_a, "Replaces the voxels and re-derives only what changes inside box (x0, y0, x1, y1).");
}
