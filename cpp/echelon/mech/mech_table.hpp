#pragma once
// Mech state for all worlds, structure of arrays: element [world * agents + agent]. Blue agents
// come first in each world, then red. A MechSpan views one world's slice. The fields are declared
// once, in mech_fields.hpp; everything here is derived from that list.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/base/vec3.hpp"
#include "echelon/mech/classes.hpp"
#include "echelon/mech/mech_fields.hpp"

namespace echelon {

enum class Team : uint8_t { Blue = 0, Red = 1 };

// One world's mechs: a span of each field (mech_fields.hpp).
struct MechSpan {
#define ECHELON_MECH_SPAN(type, name, start, visibility, valid) std::span<type> name;
    ECHELON_MECH_FIELDS(ECHELON_MECH_SPAN)
#undef ECHELON_MECH_SPAN

    int size() const { return static_cast<int>(yaw.size()); }
    ClassSpec spec(int i) const { return class_spec(static_cast<MechClass>(cls[i])); }
    bool is_shutdown(int i) const { return heat[i] > spec(i).heat_cap; }
    bool is_legged(int i) const { return leg_hp[i] <= 0.f; }
    bool is_fallen(int i) const { return fallen_ticks[i] > 0; }
    Vec3 half_size(int i) const {
        const ClassSpec s = spec(i);
        return {s.half_x, s.half_y, s.half_z};
    }
};

class MechTable {
public:
    MechTable() = default;
    MechTable(int num_worlds, int agents_per_world) : worlds_(num_worlds), agents_(agents_per_world) {
        const size_t n = static_cast<size_t>(num_worlds) * agents_per_world;
#define ECHELON_MECH_ASSIGN(type, name, start, visibility, valid) name.assign(n, start);
        ECHELON_MECH_FIELDS(ECHELON_MECH_ASSIGN)
#undef ECHELON_MECH_ASSIGN
    }
    int num_worlds() const { return worlds_; }
    int agents_per_world() const { return agents_; }

    MechSpan world(int w) {
        const size_t o = static_cast<size_t>(w) * agents_, n = static_cast<size_t>(agents_);
        MechSpan s;
#define ECHELON_MECH_SLICE(type, name, start, visibility, valid) s.name = std::span<type>(name).subspan(o, n);
        ECHELON_MECH_FIELDS(ECHELON_MECH_SLICE)
#undef ECHELON_MECH_SLICE
        return s;
    }

#define ECHELON_MECH_COLUMN(type, name, start, visibility, valid) std::vector<type> name;
    ECHELON_MECH_FIELDS(ECHELON_MECH_COLUMN)
#undef ECHELON_MECH_COLUMN

private:
    int worlds_ = 0, agents_ = 0;
};

// A new episode: every field of one world's mechs back to its start value (spawning then places
// them and sets their hulls).
inline void reset_mechs(MechSpan m) {
#define ECHELON_MECH_RESET(type, name, start, visibility, valid) std::fill(m.name.begin(), m.name.end(), type(start));
    ECHELON_MECH_FIELDS(ECHELON_MECH_RESET)
#undef ECHELON_MECH_RESET
}

// Same pack: same team and the same index-in-team / 5 (docs/game_rules.md, "Teams and packs").
inline bool same_pack(const MechSpan& m, int a, int b, int agents_per_team) {
    if (m.team[a] != m.team[b]) return false;
    return (a % agents_per_team) / kPackSize == (b % agents_per_team) / kPackSize;
}

}  // namespace echelon
