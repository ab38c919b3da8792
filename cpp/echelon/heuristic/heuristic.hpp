#pragma once
// The core's scripted opponent ("heuristic"), batched: for every world whose team is driven by the
// heuristic, BatchSim::step_world asks it for that team's action rows on the worker thread that
// steps the world. Skill levels 0..4 (docs/heuristic.md); each level adds behaviours to the one
// below. Fixes to the original scripted opponent (docs/heuristic.md):
//  * it knows only what its team sees (line of sight through terrain and smoke, or a pack paint
//    mark) plus a short memory of last-seen positions, unless HeuristicSettings::omniscient;
//  * stuck detection compares progress with the speed it commanded over a time window (seconds,
//    not decision counts), so slow heavies and deliberate stops are not "stuck";
//  * all per-mech state is reset at each episode start; all randomness comes from the world's
//    own stream (seed, world, episode, purpose);
//  * every trigger is pulled only when that weapon could really fire: range, arc or aim cone, and
//    line of sight for kinetic weapons too (no rounds into walls);
//  * movement follows A* paths on the nav graph (level 2+), re-planned when the goal moves, and
//    keeps turning and shooting while it works itself loose.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "echelon/config.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/maps/nav.hpp"
#include "echelon/base/rng.hpp"
#include "echelon/heuristic/mind.hpp"
#include "echelon/world_state.hpp"

namespace echelon {

struct StateAccess;

// What a skill level does. Each level includes everything of the levels below.
struct HeuristicSkill {
    int level = 0;
    bool fires = false;         // 1+: primary trigger at enemies it can hit
    float fire_prob = 0.f;      // chance per decision that it pulls its triggers at all
    bool all_weapons = false;   // 2+: every weapon under its own rule, painting, missile locks
    bool manages_heat = false;  // 2+: vents before shutdown, never fires itself into shutdown
    bool uses_nav = false;      // 2+: A* paths on the nav graph; below: straight line + probing
    bool focus_fire = false;    // 3+: the whole team shoots the same target
    bool vents_freely = false;  // 3+: vents whenever hot (venting costs nothing) and budgets the
                                //     extra cooling into its fire plan
    bool keeps_range = false;   // 3+: stand-off distance by class, backs off when too close
    bool smoke = false;         // 3+: smoke at the threat when outgunned
    bool cover = false;         // 4: badly damaged mechs fall back out of the threat's sight
    bool ewar = false;          // 4: scout ECM near enemies, ECCM when its pack is jammed
    bool threat_priority = false;  // 4: focus on the enemy with the most firepower per remaining HP
    float heat_ceiling = 1.f;   // fraction of the heat cap its fire plan may reach (2+)
};
HeuristicSkill heuristic_skill(int level);

// One world's heuristic state.
struct HeuristicWorld {
    int64_t episode = -1;       // episode these minds belong to
    int level[2] = {-1, -1};    // levels of this episode (-1: external team)
    Rng rng;
    std::vector<MechMind> minds;
    // Team knowledge of enemies, indexed by agent: last seen position, seconds since seen.
    std::array<std::vector<Vec3>, 2> last_seen;
    std::array<std::vector<float>, 2> seen_age;
    std::array<std::vector<uint8_t>, 2> visible;  // seen this decision
    int team_focus[2] = {kNoMech, kNoMech};
    // Nav graphs built on demand: [0] small hulls (scout, light: light's shape), [1] big hulls
    // (medium, heavy: heavy's shape). A path for the larger box is walkable by the smaller one.
    std::array<std::unique_ptr<NavGraph>, 2> nav;
};

class HeuristicTeams {
    friend struct StateAccess;  // snapshot.cpp: save/load of the private state

public:
    // Rng purpose of the heuristic's stream (distinct from RngPurpose's map/spawn/sim values).
    static constexpr uint64_t kRngPurpose = 0x4845555249535443ull;  // "HEURISTC"

    // world_offset: the index of local world 0 in the random streams (see BatchSim).
    void init(const SimConfig& cfg, int num_worlds, uint64_t seed, uint64_t world_offset = 0);
    // Level for a team from each world's next episode on (-1 = external). Not thread-safe with a
    // running step (call it between steps, as VecEnv does).
    void set_level(int team, int level);
    int level(int team) const { return pending_[team]; }

    // Before the step clears the world's change record: starts a new episode's minds when the
    // world reset, patches the nav graphs with last step's voxel edits.
    void sync(int w, WorldState& ws, MechSpan m);
    // Overwrites the heuristic teams' rows of the world's sanitised actions [A, action_dim].
    void act(int w, WorldState& ws, MechSpan m, std::span<float> actions);
    // After action decoding: each heuristic mech's focus is the target it chose (the policy's
    // contact slots need not list it).
    void apply_focus(int w, MechSpan m) const;

    // After a snapshot restore: re-derives world w's nav graphs from its voxels when this episode
    // uses them (a rebuild equals the incrementally patched graph).
    void rebuild_nav(int w, const World& world);

    const HeuristicWorld& world(int w) const { return *worlds_.at(static_cast<size_t>(w)); }
    HeuristicWorld& world(int w) { return *worlds_.at(static_cast<size_t>(w)); }

private:
    void start_episode(int w, WorldState& ws, MechSpan m);
    const SimConfig* cfg_ = nullptr;
    uint64_t seed_ = 0;
    uint64_t world_offset_ = 0;
    int pending_[2] = {-1, -1};
    std::vector<std::unique_ptr<HeuristicWorld>> worlds_;
};

}  // namespace echelon
