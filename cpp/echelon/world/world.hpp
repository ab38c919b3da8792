#pragma once
// One world's voxel grid: materials [z][y][x], per-voxel HP kept equal to the material's HP on
// every write (docs/game_rules.md, "Changes from the original game" 1), destruction, and a record of what changed since the last clear (the
// CUDA mirror uploads only those voxels).
#include <cstdint>
#include <span>
#include <vector>

#include "echelon/world/materials.hpp"
#include "echelon/base/vec3.hpp"
#include "echelon/world/voxel_view.hpp"

namespace echelon {

struct StateAccess;

struct IBox {  // half-open integer box [min, max)
    int x0, y0, z0, x1, y1, z1;
};

class World {
    friend struct StateAccess;  // snapshot.cpp: save/load of the private state

public:
    World() = default;
    World(int size_x, int size_y, int size_z);

    int size_x() const { return sx_; }
    int size_y() const { return sy_; }
    int size_z() const { return sz_; }
    int64_t num_voxels() const { return static_cast<int64_t>(sx_) * sy_ * sz_; }

    bool in_bounds(int x, int y, int z) const { return view().in_bounds(x, y, z); }
    int index(int x, int y, int z) const { return (z * sy_ + y) * sx_ + x; }
    // Out-of-bounds reads are SOLID (as in the original game).
    uint8_t get(int x, int y, int z) const;
    float hp(int x, int y, int z) const { return hp_[index(x, y, z)]; }

    // Writes a material and its HP; records the change.
    void set(int x, int y, int z, Material m);
    // Fills a box, clipped to the grid.
    void fill_box(IBox box, Material m);
    // Every AIR voxel of layer z = 0 becomes DIRT (the cosmetic ground layer).
    void ensure_ground_layer();
    // Replaces the whole grid (materials only; HP follows the materials). Marks a full rebuild.
    void assign(std::span<const uint8_t> materials);
    void clear_all();

    // Applies damage; out-of-bounds, REINFORCED and HP-0 voxels (air, dirt, lava, water) ignore it. Returns true when the
    // voxel was destroyed (it becomes AIR with 0 HP).
    bool damage(int x, int y, int z, float amount);

    // Does an axis-aligned box touch any voxel that blocks movement? Below z = 0 is an implicit
    // floor; outside the grid horizontally or above it is empty (docs/game_rules.md, "World and
    // materials").
    bool aabb_collides(Vec3 lo, Vec3 hi) const;

    VoxelView view() const { return VoxelView{voxels_.data(), sx_, sy_, sz_}; }
    std::span<const uint8_t> voxels() const { return voxels_; }
    std::span<const float> voxel_hp() const { return hp_; }

    // Linear indices written since clear_changes(); `full_rebuild` when the whole grid changed.
    std::span<const int32_t> changed() const { return changed_; }
    bool full_rebuild() const { return full_rebuild_; }
    void clear_changes();
    // Counts every write. The observation mirror compares the count at the last clear with the
    // one it uploaded to notice edits made between steps, which the step's clear erased.
    uint64_t revision() const { return revision_; }
    uint64_t revision_at_clear() const { return revision_at_clear_; }

private:
    void record_change(int idx);

    int sx_ = 0, sy_ = 0, sz_ = 0;
    std::vector<uint8_t> voxels_;
    std::vector<float> hp_;
    std::vector<int32_t> changed_;
    bool full_rebuild_ = true;
    uint64_t revision_ = 0, revision_at_clear_ = 0;
};

}  // namespace echelon
