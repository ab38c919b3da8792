#include "echelon/maps/transforms.hpp"

#include <vector>

namespace echelon::terrain {

std::string_view transform_name(Transform t) {
    switch (t) {
        case Transform::FlipX: return "flip_x";
        case Transform::FlipY: return "flip_y";
        case Transform::FlipXY: return "flip_xy";
        default: return "identity";
    }
}

bool transform_flips_x(Transform t) { return t == Transform::FlipX || t == Transform::FlipXY; }
bool transform_flips_y(Transform t) { return t == Transform::FlipY || t == Transform::FlipXY; }

Corner transform_corner(Transform t, Corner c) {
    int v = static_cast<int>(c);  // bit 0: right, bit 1: top
    if (transform_flips_x(t)) v ^= 1;
    if (transform_flips_y(t)) v ^= 2;
    return static_cast<Corner>(v);
}

void apply_transform(World& w, Layout& l, Transform t) {
    if (t == Transform::Identity) return;
    const bool fx = transform_flips_x(t), fy = transform_flips_y(t);
    const int sx = w.size_x(), sy = w.size_y(), sz = w.size_z();
    const auto src = w.voxels();
    std::vector<uint8_t> out(src.size());
    for (int z = 0; z < sz; ++z)
        for (int y = 0; y < sy; ++y) {
            const int ys = fy ? sy - 1 - y : y;
            const uint8_t* row = &src[static_cast<size_t>(w.index(0, ys, z))];
            uint8_t* dst = &out[static_cast<size_t>(w.index(0, y, z))];
            for (int x = 0; x < sx; ++x) dst[x] = row[fx ? sx - 1 - x : x];
        }
    w.assign(out);  // HP re-derived from the materials
    if (fx) l.split_x = sx - l.split_x;
    if (fy) l.split_y = sy - l.split_y;
    Biome flipped[4];
    for (int q = 0; q < 4; ++q) flipped[static_cast<int>(transform_corner(t, static_cast<Corner>(q)))] = l.biome[q];
    for (int q = 0; q < 4; ++q) {
        l.biome[q] = flipped[q];
        l.paint_order[q] = transform_corner(t, l.paint_order[q]);
    }
}

}  // namespace echelon::terrain
