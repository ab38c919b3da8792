#pragma once
// The step's output buffers, declared once. Each row of ECHELON_OUTPUT_BUFFERS derives the
// simulator's StepBuffers field, the bind-by-name check, the table `echelon._core.output_buffers`
// that VecEnv allocates its tensors from, and the buffer table of docs/architecture.md
// (tools/gen_docs.py writes it; a test keeps it current). The caller allocates every buffer once
// (C-contiguous) and the step writes them in place: a step allocates nothing.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace echelon {

enum class BufferDtype : uint8_t { Float32, Bool, Int8 };
// Leading dimensions: [W] (one row per world) or [W, A] (one row per agent).
enum class BufferRows : uint8_t { PerWorld, PerAgent };
// Trailing dimension: none, the observation width D, or the episode-statistic count S.
enum class BufferWidth : uint8_t { None, ObsDim, EpisodeStats };

// X(name, C++ element type, dtype, rows, width, when a row is valid)
#define ECHELON_OUTPUT_BUFFERS(X)                                                                   \
    X(obs, float, Float32, PerAgent, ObsDim, "always (zero rows for dead agents)")                  \
    X(reward, float, Float32, PerAgent, None, "always")                                             \
    X(terminated, bool, Bool, PerAgent, None, "always")                                             \
    X(truncated, bool, Bool, PerAgent, None, "always")                                              \
    X(alive, bool, Bool, PerAgent, None, "for the returned obs")                                    \
    X(final_obs, float, Float32, PerAgent, ObsDim, "where episode_end")                             \
    X(late_terminal, float, Float32, PerAgent, None,                                                \
      "where episode_end (else zero): the win/loss reward of agents that died earlier, for their death row") \
    X(episode_end, bool, Bool, PerWorld, None, "always")                                            \
    X(winner, int8_t, Int8, PerWorld, None, "where episode_end (0 blue, 1 red, -1 draw)")           \
    X(episode_stats, float, Float32, PerWorld, EpisodeStats, "where episode_end")

// The bound buffers, one span per row of the table.
struct StepBuffers {
#define ECHELON_BUFFER_SPAN(name, type, dtype, rows, width, valid) std::span<type> name;
    ECHELON_OUTPUT_BUFFERS(ECHELON_BUFFER_SPAN)
#undef ECHELON_BUFFER_SPAN
};

struct BufferSpec {
    const char* name;
    BufferDtype dtype;
    BufferRows rows;
    BufferWidth width;
    const char* valid;
};

inline constexpr BufferSpec kOutputBuffers[] = {
#define ECHELON_BUFFER_SPEC(name, type, dtype, rows, width, valid) \
    {#name, BufferDtype::dtype, BufferRows::rows, BufferWidth::width, valid},
    ECHELON_OUTPUT_BUFFERS(ECHELON_BUFFER_SPEC)
#undef ECHELON_BUFFER_SPEC
};
inline constexpr int kNumOutputBuffers = static_cast<int>(std::size(kOutputBuffers));

inline const char* dtype_name(BufferDtype d) {
    switch (d) {
        case BufferDtype::Float32: return "float32";
        case BufferDtype::Bool: return "bool";
        case BufferDtype::Int8: return "int8";
    }
    return "?";
}

// Index of a buffer in kOutputBuffers, -1 for an unknown name.
inline int output_buffer_index(std::string_view name) {
    for (int i = 0; i < kNumOutputBuffers; ++i)
        if (name == kOutputBuffers[i].name) return i;
    return -1;
}

}  // namespace echelon
