#pragma once
// Observation layout registry and the CPU observation writer. The layout is an ordered list of
// named blocks; Python exports it as env.obs_layout so models slice blocks by name.
#include <span>
#include <string>
#include <vector>

#include "config.hpp"
#include "map_info.hpp"
#include "mechs.hpp"
#include "zone.hpp"

namespace echelon {

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
    explicit ObsLayout(const SimConfig& cfg);
    const std::vector<ObsBlock>& blocks() const { return blocks_; }
    int dim() const { return dim_; }
    const ObsBlock& block(const std::string& name) const;

private:
    void add(const std::string& name, std::vector<int> shape);
    std::vector<ObsBlock> blocks_;
    int dim_ = 0;
};

// Everything about a world's episode the observation reads besides the mechs.
struct EpisodeView {
    const MapInfo* map;
    int size_x, size_y, size_z;
    float zone_score[2];
    float score_to_win;
    float time_fraction;
    ZoneTicks ticks;
};

// Writes the observation rows of one world (A rows of layout.dim() floats). Dead agents' rows
// are zero.
void write_observations(const ObsLayout& layout, MechSpan m, const EpisodeView& ep, std::span<float> out);

}  // namespace echelon
