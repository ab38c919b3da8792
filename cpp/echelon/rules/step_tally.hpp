#pragma once
// What one decision step did, per agent: the combat mechanics count into it, the reward terms
// read it (docs/game_rules.md, "Rewards"). Cleared at the start of every step.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace echelon {

struct StepTally {
    std::vector<float> enemy_damage;     // dealt to enemies, each hit capped at the victim's remaining HP
    std::vector<float> friendly_damage;  // dealt to the own team (splash), self included, capped likewise
    std::vector<int32_t> kills, team_kills, assists;
    std::vector<uint8_t> died;
    void resize(size_t a) {
        enemy_damage.assign(a, 0.f); friendly_damage.assign(a, 0.f);
        kills.assign(a, 0); team_kills.assign(a, 0); assists.assign(a, 0); died.assign(a, 0);
    }
    void clear() {
        std::fill(enemy_damage.begin(), enemy_damage.end(), 0.f);
        std::fill(friendly_damage.begin(), friendly_damage.end(), 0.f);
        std::fill(kills.begin(), kills.end(), 0);
        std::fill(team_kills.begin(), team_kills.end(), 0);
        std::fill(assists.begin(), assists.end(), 0);
        std::fill(died.begin(), died.end(), 0);
    }
};

}  // namespace echelon
