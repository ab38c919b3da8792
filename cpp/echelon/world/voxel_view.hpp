#pragma once
#include <cstdint>

#include "echelon/base/host_device.hpp"

namespace echelon {

// A read-only view of one world's voxel grid, laid out [z][y][x] (x fastest). Usable on the GPU.
struct VoxelView {
    const uint8_t* data = nullptr;
    int size_x = 0, size_y = 0, size_z = 0;

    ECHELON_HD bool in_bounds(int x, int y, int z) const {
        return x >= 0 && y >= 0 && z >= 0 && x < size_x && y < size_y && z < size_z;
    }
    ECHELON_HD int index(int x, int y, int z) const { return (z * size_y + y) * size_x + x; }
    ECHELON_HD uint8_t at(int x, int y, int z) const { return data[index(x, y, z)]; }
};

}  // namespace echelon
