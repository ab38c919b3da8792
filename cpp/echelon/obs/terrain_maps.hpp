#pragma once
// The observation's terrain summaries: per-column occupancy of the low slab (movement blockers
// and sight blockers, two channels) and the 16 x 16 telemetry thumbnail (share of columns with a
// movement blocker at any height). ECHELON_HD: the CUDA refresh kernel runs the same code.
// Both count every material that blocks (glass, reinforced, debris ... not only solid;
// docs/observation.md, "Differences from the original").
#include <cstdint>

#include "echelon/base/host_device.hpp"
#include "echelon/world/materials.hpp"
#include "echelon/obs/layout.hpp"

namespace echelon {

inline constexpr int kOccupancySlab = 4;  // standing height the local map looks at

// Writes column (x, y) of occupancy [2][Y][X] and of the any-height blocker mask [Y][X].
ECHELON_HD inline void refresh_column(const uint8_t* vox, int sx, int sy, int sz, int x, int y, uint8_t* occupancy,
                                      uint8_t* column_any) {
    const int slab = sz < kOccupancySlab ? sz : kOccupancySlab;
    uint8_t move = 0, sight = 0, any = 0;
    for (int z = 0; z < sz; ++z) {
        const uint8_t m = vox[(z * sy + y) * sx + x];
        const bool c = material_collides(m);
        any |= c;
        if (z < slab) {
            move |= c;
            sight |= material_blocks_los(m);
        }
    }
    occupancy[y * sx + x] = move;
    occupancy[sx * sy + y * sx + x] = sight;
    column_any[y * sx + x] = any;
}

// Bin b of an axis of `size` cells covers [floor(b * size / 16), floor((b + 1) * size / 16)).
ECHELON_HD inline int telemetry_edge(int b, int size) { return (b * size) / kTelemetrySide; }

ECHELON_HD inline float telemetry_bin(const uint8_t* column_any, int sx, int sy, int bx, int by) {
    const int x0 = telemetry_edge(bx, sx), x1 = telemetry_edge(bx + 1, sx);
    const int y0 = telemetry_edge(by, sy), y1 = telemetry_edge(by + 1, sy);
    int n = 0, hit = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
            ++n;
            hit += column_any[y * sx + x];
        }
    return n > 0 ? static_cast<float>(hit) / static_cast<float>(n) : 0.f;
}

// Which telemetry bin holds cell coordinate c of an axis of `size` cells.
ECHELON_HD inline int telemetry_bin_of(int c, int size) {
    int b = (c * kTelemetrySide) / size;
    while (b > 0 && telemetry_edge(b, size) > c) --b;
    while (b < kTelemetrySide - 1 && telemetry_edge(b + 1, size) <= c) ++b;
    return b;
}

}  // namespace echelon
