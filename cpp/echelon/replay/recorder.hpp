#pragma once
// Replay recorder (docs/replay.md): captures chosen worlds once per decision step. For each
// episode of a recorded world it keeps the initial map (materials, the recipe and content hash of
// procedural maps) and, per decision, every mech's state, the reward rows, projectiles in flight,
// smoke clouds, both zone scores, the decision's event log and the voxel edits of that decision.
//
// Off by default and free when off: BatchSim holds no Recorders until a world is chosen, and a
// world nobody records costs one pointer test per step. Recording starts at the chosen world's next
// episode start (reset or auto-reset) and an episode's record is finished when the episode ends, so
// auto-reset splits a world's play into one record per episode.
//
// The capture is lossless (floats as the simulator holds them); compression, quantisation-free
// byte shuffling and the file layout are the Python writer's job (echelon/replay/format.py).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "echelon/mech/mech_table.hpp"

namespace echelon {
struct SimConfig;
struct WorldState;
struct Outcome;
}  // namespace echelon

namespace echelon::replay {

// The per-frame mech fields a replay carries, by their names in mech/mech_fields.hpp (the file's
// section is mech_<name>), with the element type the file stores (format v1, docs/replay.md):
// vector fields become 3 floats. The other fields (timers, cooldowns, observation controls) are
// left out; the flags below summarise the ones a viewer draws. To record another field, add a row
// here and to the format's table (echelon/replay/replay.py).
// clang-format off
#define ECHELON_REPLAY_MECH_FIELDS(X) \
    X(pos, float)                     \
    X(vel, float)                     \
    X(yaw, float)                     \
    X(hp, float)                      \
    X(leg_hp, float)                  \
    X(heat, float)                    \
    X(stability, float)               \
    X(focus, int16_t)
// clang-format on

// Is mech field `name` a Vec3 (3 values per mech)? Read off the mech table, not restated.
template <class Column>
inline constexpr bool kVecField = std::is_same_v<typename Column::value_type, Vec3>;

// Bits of EpisodeRecord::flags, one uint16 per mech per frame.
enum MechFlag : uint16_t {
    kFlagAlive = 1u << 0,
    kFlagFallen = 1u << 1,
    kFlagLegged = 1u << 2,
    kFlagShutdown = 1u << 3,
    kFlagEcm = 1u << 4,
    kFlagEccm = 1u << 5,
    kFlagPainted = 1u << 6,
    kFlagSuppressed = 1u << 7,
    kFlagWasHit = 1u << 8,
};
inline const char* const kMechFlagNames[] = {"alive",  "fallen",  "legged",     "shutdown", "ecm",
                                             "eccm",   "painted", "suppressed", "was_hit"};
inline constexpr int kNumMechFlags = 9;

// One episode of one world. Frame 0 is the state right after the episode started; frame t >= 1 is
// the state after decision t, whose events and voxel edits it carries. Per-frame arrays are
// frame-major ([T, A, ...]); ragged per-frame lists (projectiles, smoke, events, edits) are flat
// with an offsets array of T + 1 entries (frame t owns [offsets[t], offsets[t + 1])).
struct EpisodeRecord {
    // --- identity and the initial map ---
    int world = 0;
    int64_t episode = 0;  // 0 = the world's first episode
    uint64_t sim_seed = 0;
    int size_x = 0, size_y = 0, size_z = 0, agents = 0;
    int map_type = 0;            // echelon::MapType
    uint64_t map_seed = 0;       // procedural maps: the generator's seed
    std::string recipe_json;     // procedural maps: canonical recipe; empty otherwise
    std::string content_hash;    // FNV-1a hex of the initial materials (maps/recipe.hpp)
    float zone[3] = {0.f, 0.f, 0.f};  // centre x, y, radius
    int spawn_corner[2] = {0, 0};
    std::vector<uint8_t> team, cls;   // [A]
    std::vector<uint8_t> initial_voxels;  // [Z, Y, X]

    // --- per frame ---
    int frames = 0;
    std::vector<int32_t> step;             // [T] decisions since the episode started
#define ECHELON_REPLAY_MECH_MEMBER(name, stored) std::vector<stored> mech_##name;  // [T, A] or [T, A, 3]
    ECHELON_REPLAY_MECH_FIELDS(ECHELON_REPLAY_MECH_MEMBER)
#undef ECHELON_REPLAY_MECH_MEMBER
    std::vector<uint16_t> flags;           // [T, A] MechFlag bits
    std::vector<float> reward;             // [T, A]; 0 in frame 0
    std::vector<float> zone_score;         // [T, 2]
    std::vector<uint32_t> proj_offsets, smoke_offsets, event_offsets, edit_offsets;  // [T + 1]
    std::vector<uint8_t> proj_weapon;      // [P]
    std::vector<int16_t> proj_shooter, proj_target;
    std::vector<float> proj_pos, proj_vel; // [P, 3]
    std::vector<float> smoke;              // [S, 4] centre x, y, z, radius
    std::vector<int32_t> smoke_ticks;      // [S] substeps of life left
    std::vector<int32_t> event_tick;       // [E] substep within the episode
    std::vector<uint8_t> event_type, event_weapon, event_flags;
    std::vector<int16_t> event_shooter, event_target;
    std::vector<float> event_pos, event_value;  // [E, 3], [E]
    std::vector<int32_t> edit_index;       // [V] linear voxel index (z * Y + y) * X + x
    std::vector<uint8_t> edit_material;    // [V] material after the edit

    // --- the end ---
    bool complete = false;   // the episode ended (false: recording stopped before the end)
    int winner = -1, end_reason = 0;
    std::vector<float> stats;  // the episode_stats row (docs/game_rules.md), when complete
    int64_t dropped_events = 0;  // events lost to a full log during the episode

    // Every array, declared once: f(name, vector, inner shape). Frame-major arrays have inner
    // shape [A, ...]; the leading dimension follows from the vector's length. The bindings and the
    // Python writer derive the file's sections from this list.
    template <class F>
    void for_each_array(F&& f) {
        const int64_t a = agents;
        f("initial_voxels", initial_voxels, std::vector<int64_t>{size_y, size_x});
        f("team", team, std::vector<int64_t>{});
        f("class", cls, std::vector<int64_t>{});
        f("step", step, std::vector<int64_t>{});
#define ECHELON_REPLAY_MECH_ARRAY(name, stored)                                               \
    f("mech_" #name, mech_##name,                                                             \
      kVecField<decltype(MechTable::name)> ? std::vector<int64_t>{a, 3} : std::vector<int64_t>{a});
        ECHELON_REPLAY_MECH_FIELDS(ECHELON_REPLAY_MECH_ARRAY)
#undef ECHELON_REPLAY_MECH_ARRAY
        f("mech_flags", flags, std::vector<int64_t>{a});
        f("reward", reward, std::vector<int64_t>{a});
        f("zone_score", zone_score, std::vector<int64_t>{2});
        f("proj_offsets", proj_offsets, std::vector<int64_t>{});
        f("proj_weapon", proj_weapon, std::vector<int64_t>{});
        f("proj_shooter", proj_shooter, std::vector<int64_t>{});
        f("proj_target", proj_target, std::vector<int64_t>{});
        f("proj_pos", proj_pos, std::vector<int64_t>{3});
        f("proj_vel", proj_vel, std::vector<int64_t>{3});
        f("smoke_offsets", smoke_offsets, std::vector<int64_t>{});
        f("smoke", smoke, std::vector<int64_t>{4});
        f("smoke_ticks", smoke_ticks, std::vector<int64_t>{});
        f("event_offsets", event_offsets, std::vector<int64_t>{});
        f("event_tick", event_tick, std::vector<int64_t>{});
        f("event_type", event_type, std::vector<int64_t>{});
        f("event_weapon", event_weapon, std::vector<int64_t>{});
        f("event_flags", event_flags, std::vector<int64_t>{});
        f("event_shooter", event_shooter, std::vector<int64_t>{});
        f("event_target", event_target, std::vector<int64_t>{});
        f("event_pos", event_pos, std::vector<int64_t>{3});
        f("event_value", event_value, std::vector<int64_t>{});
        f("edit_offsets", edit_offsets, std::vector<int64_t>{});
        f("edit_index", edit_index, std::vector<int64_t>{});
        f("edit_material", edit_material, std::vector<int64_t>{});
        f("stats", stats, std::vector<int64_t>{});
    }
};

// The recorder of one world: the episode in progress and the finished ones not yet taken.
class WorldRecorder {
public:
    // Records the next `episodes` episodes (-1: until stopped).
    explicit WorldRecorder(int episodes) : remaining_(episodes) {}

    void begin(int w, const SimConfig& cfg, uint64_t sim_seed, const WorldState& ws, const MechSpan& m);
    void decided(const WorldState& ws, const MechSpan& m, std::span<const float> reward, const Outcome& outcome);
    // Ends the episode in progress as incomplete (kept, complete = false) and stops.
    void stop();
    bool idle() const { return !active_ && remaining_ == 0; }
    std::vector<EpisodeRecord> take();
    // A copy of the episode in progress (empty when none), e.g. for a live view or a test.
    const EpisodeRecord* current() const { return active_ ? &cur_ : nullptr; }

private:
    void capture_frame(const WorldState& ws, const MechSpan& m, std::span<const float> reward);
    void capture_edits(const WorldState& ws);
    void finish(bool complete);

    int remaining_;               // episodes still to start (-1: unlimited)
    bool active_ = false;
    EpisodeRecord cur_;
    std::vector<uint8_t> grid_;   // materials as of the last frame, to keep only real edits
    uint64_t revision_ = 0;       // World::revision() at the last frame
    int64_t dropped_at_start_ = 0;
    std::vector<EpisodeRecord> done_;
};

// Recorders of a BatchSim's worlds; a null entry means that world is not recorded.
class Recorders {
public:
    explicit Recorders(int num_worlds) : worlds_(static_cast<size_t>(num_worlds)) {}

    // Records world w's next `episodes` episodes (-1: until stopped); 0 stops recording and keeps
    // the episode in progress as an incomplete record.
    void record(int w, int episodes);
    bool recording(int w) const { return worlds_.at(static_cast<size_t>(w)) != nullptr; }

    // The simulator's two hooks: at every episode start, and after every decision (before the
    // auto-reset of a world whose episode ended).
    void episode_started(int w, const SimConfig& cfg, uint64_t sim_seed, const WorldState& ws, const MechSpan& m) {
        if (auto& r = worlds_[static_cast<size_t>(w)]) r->begin(w, cfg, sim_seed, ws, m);
    }
    void decided(int w, const WorldState& ws, const MechSpan& m, std::span<const float> reward, const Outcome& o) {
        if (auto& r = worlds_[static_cast<size_t>(w)]) r->decided(ws, m, reward, o);
    }

    // Finished records of every world, oldest first per world, in world order.
    std::vector<EpisodeRecord> take();
    const EpisodeRecord* current(int w) const;

private:
    std::vector<std::unique_ptr<WorldRecorder>> worlds_;
    std::vector<EpisodeRecord> stopped_;  // records of worlds whose recorder was removed
};

}  // namespace echelon::replay
