#pragma once
// Per-world random streams. Each world draws from streams derived from (seed, world, episode,
// purpose), so results never depend on thread count or on the order worlds are stepped.
#include <cstdint>

namespace echelon {

inline uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline uint64_t mix_seed(uint64_t seed, uint64_t world, uint64_t episode, uint64_t purpose) {
    uint64_t s = seed;
    uint64_t h = splitmix64(s);
    s = h ^ (world * 0xD1B54A32D192ED03ull);
    h = splitmix64(s);
    s = h ^ (episode * 0xABC98388FB8FAC03ull);
    h = splitmix64(s);
    s = h ^ (purpose * 0x8CB92BA72F3D8DD7ull);
    return splitmix64(s);
}

// xoshiro256** (Blackman & Vigna): small state, fast, good statistical quality.
class Rng {
public:
    Rng() : Rng(0) {}
    explicit Rng(uint64_t seed) {
        uint64_t s = seed;
        for (auto& v : s_) v = splitmix64(s);
    }
    uint64_t next_u64() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1) with 24 random bits (exactly representable in float).
    float uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
    // Uniform integer in [lo, hi] (inclusive), by rejection so there is no modulo bias.
    // The four state words, for snapshots (BatchSim::save_state); set_state resumes the stream.
    void state(uint64_t out[4]) const { for (int k = 0; k < 4; ++k) out[k] = s_[k]; }
    void set_state(const uint64_t in[4]) { for (int k = 0; k < 4; ++k) s_[k] = in[k]; }
    int integer(int lo, int hi) {
        const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
        const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
        uint64_t r;
        do { r = next_u64(); } while (r >= limit);
        return lo + static_cast<int>(r % span);
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

enum class RngPurpose : uint64_t { Map = 1, Spawn = 2, Sim = 3 };

}  // namespace echelon
