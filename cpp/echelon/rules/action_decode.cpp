#include "echelon/rules/action_decode.hpp"

#include <algorithm>

#include "echelon/mech/actions.hpp"

namespace echelon {

namespace {

// argmax with ties to the lowest index.
int argmax(const float* v, int n) {
    int best = 0;
    for (int k = 1; k < n; ++k)
        if (v[k] > v[best]) best = k;
    return best;
}

int decode_focus(const SimConfig& cfg, const MechSpan& m, std::span<const int32_t> contact_ids, int i, const float* a) {
    if (!cfg.combat.enable_target_selection) return kNoMech;
    const int k = argmax(a + action::kTargetSelect, kContactSlots);
    if (!(a[action::kTargetSelect + k] > 0.f)) return kNoMech;
    const int id = contact_ids[static_cast<size_t>(i) * kContactSlots + k];
    if (id < 0 || id >= m.size() || !m.alive[id] || m.team[id] == m.team[i]) return kNoMech;
    return id;
}

}  // namespace

void decode_decision_actions(const SimConfig& cfg, MechSpan m, std::span<const int32_t> contact_ids,
                             std::span<const float> actions) {
    const int ad = cfg.action_dim();
    for (int i = 0; i < m.size(); ++i) {
        const float* a = &actions[static_cast<size_t>(i) * ad];
        m.ecm[i] = m.eccm[i] = 0;
        if (!m.alive[i]) {
            m.focus[i] = kNoMech;
            continue;
        }
        m.focus[i] = decode_focus(cfg, m, contact_ids, i, a);
        if (cfg.combat.enable_ewar && m.cls[i] == static_cast<uint8_t>(MechClass::Scout)) {
            const float v = a[action::kSecondary];
            m.eccm[i] = v > 0.5f ? 1 : 0;
            m.ecm[i] = (v > 0.f && v <= 0.5f) ? 1 : 0;
        }
        if (cfg.combat.enable_obs_control) {
            m.sort_mode[i] = static_cast<uint8_t>(argmax(a + action::kSortMode, action::kSortModes));
            m.hostile_only[i] = a[action::kHostileOnly] > 0.f ? 1 : 0;
        } else {
            m.sort_mode[i] = 0;
            m.hostile_only[i] = 0;
        }
    }
}

void store_comm_messages(const SimConfig& cfg, const MechSpan& m, std::span<float> comm, std::span<const float> actions) {
    const int ad = cfg.action_dim(), cd = cfg.comm_dim;
    for (int i = 0; i < m.size(); ++i) {
        float* dst = &comm[static_cast<size_t>(i) * cd];
        if (!cfg.combat.enable_comm || !m.alive[i]) {
            std::fill(dst, dst + cd, 0.f);
            continue;
        }
        const float* src = &actions[static_cast<size_t>(i) * ad + action::kComm];
        std::copy(src, src + cd, dst);
    }
}

}  // namespace echelon
