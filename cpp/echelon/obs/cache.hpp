#pragma once
// Per-world products the observation reads, sized once: the terrain summaries and pair line of
// sight the CPU writer keeps, and the per-step inputs every backend reads (incoming-missile flags
// and the world's scalars), prepared on the world's worker thread.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "echelon/obs/terrain_maps.hpp"
#include "echelon/obs/world_view.hpp"

namespace echelon {

struct ObsCache {
    std::vector<uint8_t> occupancy;   // [2][Y][X]
    std::vector<uint8_t> column_any;  // [Y][X]
    std::vector<float> telemetry;     // [16 * 16]
    std::vector<uint8_t> los;         // [A][A]
    std::vector<uint8_t> incoming;    // [A] a live homing missile targets this mech
    std::vector<uint8_t> dirty_bins;  // [16 * 16] scratch
    ObsWorldScalars scalars{};        // zone, scores, time: as of the last observation
    void init(int size_x, int size_y, int agents) {
        const size_t plane = static_cast<size_t>(size_x) * size_y;
        occupancy.assign(2 * plane, 0);
        column_any.assign(plane, 0);
        telemetry.assign(kTelemetrySide * kTelemetrySide, 0.f);
        los.assign(static_cast<size_t>(agents) * agents, 0);
        incoming.assign(static_cast<size_t>(agents), 0);
        dirty_bins.assign(kTelemetrySide * kTelemetrySide, 0);
    }
};

}  // namespace echelon
