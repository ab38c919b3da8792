#pragma once
// The observation layout registry: an ordered list of named blocks (name, offset, shape),
// exported to Python as env.obs_layout. ObsOffsets is its plain-data form for the per-agent
// writer, which runs on the CPU and in the CUDA kernel.
#include <string>
#include <vector>

#include "echelon/base/host_device.hpp"

namespace echelon {

inline constexpr int kMaxContactSlots = 20;
inline constexpr int kContactDim = 25;
inline constexpr int kLocalMapRadius = 5;
inline constexpr int kLocalMapSide = 2 * kLocalMapRadius + 1;  // 11
inline constexpr int kLocalMapChannels = 2;                    // movement blockers, sight blockers
inline constexpr int kTelemetrySide = 16;
inline constexpr int kAcousticDim = 4;
inline constexpr int kHullDim = 4;
inline constexpr int kSelfDim = 42;
inline constexpr int kZoneDim = 11;
inline constexpr int kSquadRows = 4;  // the other members of a pack of five
inline constexpr int kSquadDim = 8;
inline constexpr int kSuiteDim = 8;
inline constexpr int kPanelDim = 8;

// Offsets of every block in one agent's observation row; -1 when a block is absent.
struct ObsOffsets {
    int contacts, contacts_mask, comm, local_map, telemetry, acoustic, hull, self, zone, squad, squad_mask,
        suite, panel;
    int contact_slots, comm_dim, dim;
};

struct ObsBlock {
    std::string name;
    int offset;
    std::vector<int> shape;
    int size() const {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
};

class ObsLayout {
public:
    ObsLayout(int contact_slots, int comm_dim);
    const std::vector<ObsBlock>& blocks() const { return blocks_; }
    int dim() const { return offsets_.dim; }
    const ObsOffsets& offsets() const { return offsets_; }
    const ObsBlock& block(const std::string& name) const;

private:
    int add(const std::string& name, std::vector<int> shape);
    std::vector<ObsBlock> blocks_;
    ObsOffsets offsets_{};
};

}  // namespace echelon
