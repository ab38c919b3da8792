// BatchSim's replay face: which worlds are recorded, and handing finished records out. The two
// capture hooks sit in BatchSim::reset_world and BatchSim::step_world.
#include <stdexcept>
#include <string>

#include "echelon/simulator.hpp"

namespace echelon {

void BatchSim::record(int w, int episodes) {
    if (w < 0 || w >= num_worlds()) throw std::out_of_range("world index " + std::to_string(w) + " out of range");
    if (!recorders_) {
        if (episodes == 0) return;
        recorders_ = std::make_unique<replay::Recorders>(num_worlds());
    }
    recorders_->record(w, episodes);
}

std::vector<replay::EpisodeRecord> BatchSim::take_records() {
    if (!recorders_) return {};
    return recorders_->take();
}

const replay::EpisodeRecord* BatchSim::record_in_progress(int w) const {
    if (w < 0 || w >= num_worlds()) throw std::out_of_range("world index " + std::to_string(w) + " out of range");
    return recorders_ ? recorders_->current(w) : nullptr;
}

}  // namespace echelon
