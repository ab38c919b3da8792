#pragma once
// Mech state for all worlds, structure of arrays: element [world * agents + agent]. Blue agents
// come first in each world, then red. A MechSpan views one world's slice.
//
// Every timer is an integer count of physics substeps (SPEC §1.10): a timer set to n at substep s
// reaches 0 at substep s + n, with no floating-point drift.
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/mech/classes.hpp"
#include "echelon/base/vec3.hpp"

namespace echelon {

enum class Team : uint8_t { Blue = 0, Red = 1 };
inline constexpr int32_t kNoMech = -1;

struct MechSpan {
    std::span<Vec3> pos, vel;
    std::span<float> yaw, hp, leg_hp, heat, stability;
    std::span<int32_t> fallen_ticks;
    std::span<uint8_t> alive, cls, team;
    // --- combat state (combat issue) ---
    std::span<int32_t> cd_laser, cd_missile, cd_kinetic, cd_painter;  // weapon cooldowns (ticks)
    std::span<int32_t> paint_ticks;     // time left on the paint mark
    std::span<int32_t> painter;         // agent index of the last painter, kNoMech if none
    std::span<int32_t> suppress_ticks;  // autocannon suppression left
    std::span<int32_t> ams_ticks;       // AMS cooldown left
    std::span<int32_t> focus;           // focus target (agent index) chosen by the policy, kNoMech if none
    std::span<uint8_t> ecm, eccm;       // EWAR emitters switched on (scouts only)
    std::span<uint8_t> was_hit;         // hit by a weapon during the current decision
    std::span<uint8_t> shutdown_prev;   // shutdown state at the last heat check (for transition stats)
    std::span<Vec3> last_damage_dir;    // unit vector toward the last damage source this decision
    std::span<uint8_t> sort_mode, hostile_only;  // observation-control slots (read by the obs code)

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
        for (auto* v : {&cd_laser, &cd_missile, &cd_kinetic, &cd_painter, &paint_ticks, &suppress_ticks, &ams_ticks})
            v->assign(n, 0);
        painter.assign(n, kNoMech); focus.assign(n, kNoMech);
        for (auto* v : {&ecm, &eccm, &was_hit, &shutdown_prev, &sort_mode, &hostile_only}) v->assign(n, 0);
        last_damage_dir.assign(n, {});
    }
    int num_worlds() const { return worlds_; }
    int agents_per_world() const { return agents_; }

    MechSpan world(int w) {
        const size_t o = static_cast<size_t>(w) * agents_;
        const size_t n = agents_;
        auto s = [&](auto& v) { return std::span(v).subspan(o, n); };
        return MechSpan{s(pos), s(vel), s(yaw), s(hp), s(leg_hp), s(heat), s(stability), s(fallen_ticks),
                        s(alive), s(cls), s(team),
                        s(cd_laser), s(cd_missile), s(cd_kinetic), s(cd_painter), s(paint_ticks), s(painter),
                        s(suppress_ticks), s(ams_ticks), s(focus), s(ecm), s(eccm), s(was_hit), s(shutdown_prev),
                        s(last_damage_dir), s(sort_mode), s(hostile_only)};
    }

    std::vector<Vec3> pos, vel;
    std::vector<float> yaw, hp, leg_hp, heat, stability;
    std::vector<int32_t> fallen_ticks;
    std::vector<uint8_t> alive, cls, team;
    std::vector<int32_t> cd_laser, cd_missile, cd_kinetic, cd_painter, paint_ticks, painter, suppress_ticks,
        ams_ticks, focus;
    std::vector<uint8_t> ecm, eccm, was_hit, shutdown_prev, sort_mode, hostile_only;
    std::vector<Vec3> last_damage_dir;

private:
    int worlds_ = 0, agents_ = 0;
};

// Same pack: same team and the same index-in-team / 5 (reference sim.md §2).
inline bool same_pack(const MechSpan& m, int a, int b, int agents_per_team) {
    if (m.team[a] != m.team[b]) return false;
    return (a % agents_per_team) / kPackSize == (b % agents_per_team) / kPackSize;
}

}  // namespace echelon
