#include "echelon/obs/layout.hpp"

#include <stdexcept>

namespace echelon {

ObsLayout::ObsLayout(int contact_slots, int comm_dim) {
    if (contact_slots < 1 || contact_slots > kMaxContactSlots)
        throw std::invalid_argument("contact_slots must be in [1, 20]");
    ObsOffsets& o = offsets_;
    o.contact_slots = contact_slots;
    o.comm_dim = comm_dim;
    o.contacts = add("contacts", {contact_slots, kContactDim});
    o.contacts_mask = add("contacts_mask", {contact_slots});
    o.comm = comm_dim > 0 ? add("comm", {5, comm_dim}) : -1;
    o.local_map = add("local_map", {kLocalMapChannels, kLocalMapSide, kLocalMapSide});
    o.telemetry = add("telemetry", {kTelemetrySide, kTelemetrySide});
    o.acoustic = add("acoustic", {kAcousticDim});
    o.hull = add("hull", {kHullDim});
    o.self = add("self", {kSelfDim});
    o.zone = add("zone", {kZoneDim});
    o.squad = add("squad", {kSquadRows, kSquadDim});
    o.squad_mask = add("squad_mask", {kSquadRows});
    o.suite = add("suite", {kSuiteDim});
    o.panel = add("panel", {kPanelDim});
}

int ObsLayout::add(const std::string& name, std::vector<int> shape) {
    ObsBlock b{name, offsets_.dim, std::move(shape)};
    const int off = b.offset;
    offsets_.dim += b.size();
    blocks_.push_back(std::move(b));
    return off;
}

const ObsBlock& ObsLayout::block(const std::string& name) const {
    for (const auto& b : blocks_)
        if (b.name == name) return b;
    throw std::out_of_range("no observation block named " + name);
}

}  // namespace echelon
