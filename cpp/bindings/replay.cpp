// Bindings for the replay recorder (docs/replay.md): choose worlds to record, take finished episode
// records as numpy arrays. Thin: the arrays are the recorder's own vectors, moved out, not copied.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "echelon/mech/classes.hpp"
#include "echelon/replay/recorder.hpp"
#include "echelon/simulator.hpp"

namespace nb = nanobind;
using namespace nb::literals;
using namespace echelon;
using bindings::check_world;

namespace {

// A numpy array that owns `v` (moved into a heap vector freed with the array).
template <typename T>
nb::object owned(std::vector<T>&& v, const std::vector<int64_t>& inner) {
    size_t per = 1;
    for (int64_t d : inner) per *= static_cast<size_t>(d);
    std::vector<size_t> shape{per ? v.size() / per : 0};
    for (int64_t d : inner) shape.push_back(static_cast<size_t>(d));
    auto* heap = new std::vector<T>(std::move(v));
    nb::capsule owner(heap, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
    return nb::cast(nb::ndarray<nb::numpy, T>(heap->data(), shape.size(), shape.data(), owner));
}

nb::dict to_dict(replay::EpisodeRecord&& r) {
    nb::dict d;
    d["world"] = r.world;
    d["episode"] = r.episode;
    d["sim_seed"] = r.sim_seed;
    d["size"] = nb::make_tuple(r.size_x, r.size_y, r.size_z);
    d["agents"] = r.agents;
    d["map_type"] = r.map_type;
    d["map_seed"] = r.map_seed;
    d["recipe_json"] = r.recipe_json;
    d["content_hash"] = r.content_hash;
    d["zone"] = nb::make_tuple(r.zone[0], r.zone[1], r.zone[2]);
    d["spawn_corners"] = nb::make_tuple(r.spawn_corner[0], r.spawn_corner[1]);
    d["frames"] = r.frames;
    d["complete"] = r.complete;
    d["winner"] = r.winner;
    d["end_reason"] = r.end_reason;
    d["dropped_events"] = r.dropped_events;
    nb::dict arrays;
    r.for_each_array([&](const char* name, auto& v, const std::vector<int64_t>& inner) {
        arrays[name] = owned(std::move(v), inner);
    });
    d["arrays"] = arrays;
    return d;
}

}  // namespace

void bind_replay(nb::module_& m) {
    m.attr("mech_flag_names") = bindings::names(replay::kMechFlagNames);
    m.def("class_table", [] {
        static const char* const names[kNumClasses] = {"scout", "light", "medium", "heavy"};
        nb::list l;
        for (int c = 0; c < kNumClasses; ++c) {
            const ClassSpec s = class_spec(static_cast<MechClass>(c));
            nb::dict d;
            d["id"] = c;
            d["name"] = names[c];
            d["half_size"] = nb::make_tuple(s.half_x, s.half_y, s.half_z);
            d["hp"] = s.hp;
            d["leg_hp"] = s.leg_hp;
            d["heat_cap"] = s.heat_cap;
            d["max_speed"] = s.max_speed;
            d["tonnage"] = s.tonnage;
            l.append(d);
        }
        return l;
    }, "Per hull class: id, name, half_size (hitbox half extents x, y, z), hp, leg_hp, heat_cap, max_speed, tonnage.");
    nb::handle bs = nb::type<BatchSim>();
    const auto method = [&](const char* name, nb::object fn) { nb::setattr(bs, name, fn); };
    method("record", nb::cpp_function([](BatchSim& s, int w, int episodes) {
        check_world(s, w);
        if (episodes < -1) throw std::invalid_argument("episodes must be -1 (until stopped), 0 (stop) or positive");
        s.record(w, episodes);
    }, nb::is_method(), "world"_a, "episodes"_a,
       "Record world w's next `episodes` episodes (-1: until stopped; 0: stop, keeping the episode in "
       "progress as an incomplete record)."));
    method("take_records", nb::cpp_function([](BatchSim& s) {
        nb::list out;
        for (auto& r : s.take_records()) out.append(to_dict(std::move(r)));
        return out;
    }, nb::is_method(), "Finished episode records (dicts of scalars and numpy arrays), oldest first per world."));
    method("record_in_progress", nb::cpp_function([](BatchSim& s, int w) -> nb::object {
        check_world(s, w);
        const replay::EpisodeRecord* r = s.record_in_progress(w);
        if (r == nullptr) return nb::none();
        replay::EpisodeRecord copy = *r;
        return to_dict(std::move(copy));
    }, nb::is_method(), "world"_a, "A copy of world w's episode record in progress, or None."));
}
