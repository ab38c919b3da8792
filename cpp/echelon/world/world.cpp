#include "echelon/world/world.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace echelon {

World::World(int size_x, int size_y, int size_z)
    : sx_(size_x), sy_(size_y), sz_(size_z),
      voxels_(static_cast<size_t>(size_x) * size_y * size_z, 0),
      hp_(voxels_.size(), 0.f) {
    if (size_x <= 0 || size_y <= 0 || size_z <= 0) throw std::invalid_argument("world sizes must be positive");
}

uint8_t World::get(int x, int y, int z) const {
    if (!in_bounds(x, y, z)) return static_cast<uint8_t>(Material::Solid);
    return voxels_[index(x, y, z)];
}

void World::record_change(int idx) {
    ++revision_;
    if (!full_rebuild_) changed_.push_back(idx);
}

void World::set(int x, int y, int z, Material m) {
    if (!in_bounds(x, y, z)) return;
    const int idx = index(x, y, z);
    const auto v = static_cast<uint8_t>(m);
    if (voxels_[idx] == v && hp_[idx] == material_hp(v)) return;
    voxels_[idx] = v;
    hp_[idx] = material_hp(v);
    record_change(idx);
}

void World::fill_box(IBox b, Material m) {
    const int x0 = std::max(0, b.x0), y0 = std::max(0, b.y0), z0 = std::max(0, b.z0);
    const int x1 = std::min(sx_, b.x1), y1 = std::min(sy_, b.y1), z1 = std::min(sz_, b.z1);
    for (int z = z0; z < z1; ++z)
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) set(x, y, z, m);
}

void World::ensure_ground_layer() {
    for (int y = 0; y < sy_; ++y)
        for (int x = 0; x < sx_; ++x)
            if (voxels_[index(x, y, 0)] == static_cast<uint8_t>(Material::Air)) set(x, y, 0, Material::Dirt);
}

void World::assign(std::span<const uint8_t> materials) {
    if (materials.size() != voxels_.size()) throw std::invalid_argument("voxel array size does not match the world");
    for (size_t i = 0; i < voxels_.size(); ++i) {
        if (materials[i] >= kNumMaterials) throw std::invalid_argument("unknown material id in voxel array");
        voxels_[i] = materials[i];
        hp_[i] = material_hp(materials[i]);
    }
    full_rebuild_ = true;
    changed_.clear();
    ++revision_;
}

void World::clear_all() {
    std::fill(voxels_.begin(), voxels_.end(), 0);
    std::fill(hp_.begin(), hp_.end(), 0.f);
    full_rebuild_ = true;
    changed_.clear();
    ++revision_;
}

bool World::damage(int x, int y, int z, float amount) {
    if (!in_bounds(x, y, z) || amount <= 0.f) return false;
    const int idx = index(x, y, z);
    const uint8_t m = voxels_[idx];
    // HP-0 materials (air, dirt, lava, water) are terrain features, not structures: fire does not
    // erase them (docs/game_rules.md, "Changes from the original game" 13).
    if (material_hp(m) <= 0.f || material_indestructible(m)) return false;
    hp_[idx] -= amount;
    record_change(idx);
    if (hp_[idx] > 0.f) return false;
    voxels_[idx] = static_cast<uint8_t>(Material::Air);
    hp_[idx] = 0.f;
    return true;
}

bool World::aabb_collides(Vec3 lo, Vec3 hi) const {
    if (lo.z < 0.f) return true;
    const int x0 = std::max(0, static_cast<int>(std::floor(lo.x)));
    const int y0 = std::max(0, static_cast<int>(std::floor(lo.y)));
    const int z0 = std::max(0, static_cast<int>(std::floor(lo.z)));
    const int x1 = std::min(sx_, static_cast<int>(std::ceil(hi.x)));
    const int y1 = std::min(sy_, static_cast<int>(std::ceil(hi.y)));
    const int z1 = std::min(sz_, static_cast<int>(std::ceil(hi.z)));
    for (int z = z0; z < z1; ++z)
        for (int y = y0; y < y1; ++y) {
            const uint8_t* row = &voxels_[index(0, y, z)];
            for (int x = x0; x < x1; ++x)
                if (material_collides(row[x])) return true;
        }
    return false;
}

void World::clear_changes() {
    revision_at_clear_ = revision_;
    changed_.clear();
    full_rebuild_ = false;
}

}  // namespace echelon
