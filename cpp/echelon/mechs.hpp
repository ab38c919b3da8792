#pragma once
// Mech state for all worlds, structure of arrays: element [world * agents + agent]. Blue agents
// come first in each world, then red. A MechSpan views one world's slice.
#include <cstdint>
#include <span>
#include <vector>

#include "mech_classes.hpp"
#include "vec3.hpp"

namespace echelon {

enum class Team : uint8_t { Blue = 0, Red = 1 };

struct MechSpan {
    std::span<Vec3> pos, vel;
    std::span<float> yaw, hp, leg_hp, heat, stability;
    std::span<int32_t> fallen_ticks;
    std::span<uint8_t> alive, cls, team;
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
    MechTable(int num_worlds, int agents_per_world)
        : worlds_(num_worlds), agents_(agents_per_world) {
        const size_t n = static_cast<size_t>(num_worlds) * agents_per_world;
        pos.assign(n, {}); vel.assign(n, {});
        yaw.assign(n, 0.f); hp.assign(n, 0.f); leg_hp.assign(n, 0.f); heat.assign(n, 0.f);
        stability.assign(n, 0.f); fallen_ticks.assign(n, 0);
        alive.assign(n, 0); cls.assign(n, 0); team.assign(n, 0);
    }
    int num_worlds() const { return worlds_; }
    int agents_per_world() const { return agents_; }

    MechSpan world(int w) {
        const size_t o = static_cast<size_t>(w) * agents_;
        const size_t n = agents_;
        return MechSpan{std::span(pos).subspan(o, n), std::span(vel).subspan(o, n),
                        std::span(yaw).subspan(o, n), std::span(hp).subspan(o, n),
                        std::span(leg_hp).subspan(o, n), std::span(heat).subspan(o, n),
                        std::span(stability).subspan(o, n), std::span(fallen_ticks).subspan(o, n),
                        std::span(alive).subspan(o, n), std::span(cls).subspan(o, n),
                        std::span(team).subspan(o, n)};
    }

    std::vector<Vec3> pos, vel;
    std::vector<float> yaw, hp, leg_hp, heat, stability;
    std::vector<int32_t> fallen_ticks;
    std::vector<uint8_t> alive, cls, team;

private:
    int worlds_ = 0, agents_ = 0;
};

}  // namespace echelon
