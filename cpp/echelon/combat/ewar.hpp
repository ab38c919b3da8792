#pragma once
// Electronic warfare: ECM jamming and ECCM support, and the sensor quality they give
// (docs/game_rules.md, "Paint, EWAR, AMS"). This is the ONE sensor-quality function: the sim
// (missile paint locks) and the observation code (radar range, painted contacts, q and jam
// features) both call it (docs/game_rules.md, "Changes from the original game" 9).
#include <algorithm>

#include "echelon/base/host_device.hpp"
#include "echelon/mech/mech_table.hpp"
#include "echelon/combat/sensor_model.hpp"

namespace echelon {

// The sim's entry point to the one sensor model (sensor_model.hpp), which the observation code
// calls on the same arrays, on the CPU and in the CUDA kernel.
inline SensorReading sensor_quality(const MechSpan& m, int v) {
    return sensor_reading(v, m.size(), m.pos.data(), m.heat.data(), m.cls.data(), m.alive.data(), m.team.data(),
                          m.ecm.data(), m.eccm.data());
}

}  // namespace echelon
