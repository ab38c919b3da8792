#pragma once
// Byte writer and bounds-checked reader for simulator snapshots (BatchSim::save_state). Values
// are stored in the host's byte order; the snapshot header records it, and the format is meant for
// resuming on the same kind of machine, not for archiving. Every read checks the remaining length
// and throws std::invalid_argument naming what it was reading, so a truncated or corrupt blob is
// an error, never an out-of-bounds access.
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace echelon {

// FNV-1a, 64 bit: a cheap checksum that catches flipped or missing bytes (not an adversary).
inline uint64_t fnv1a64(std::span<const uint8_t> bytes) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (const uint8_t b : bytes) h = (h ^ b) * 0x100000001B3ull;
    return h;
}

template <typename T>
concept Scalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;

class StateWriter {
public:
    template <Scalar T>
    void put(T v) { put_bytes(&v, sizeof v); }
    // A contiguous run of plain values without padding (arithmetic, enums, or float triples).
    template <typename T>
    void put_array(std::span<const T> v) {
        static_assert(std::is_trivially_copyable_v<T>);
        put(static_cast<uint64_t>(v.size()));
        put_bytes(v.data(), v.size_bytes());
    }
    template <typename T>
    void put_vector(const std::vector<T>& v) { put_array(std::span<const T>(v)); }
    void put_bytes(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        bytes_.insert(bytes_.end(), b, b + n);
    }
    std::vector<uint8_t>& bytes() { return bytes_; }

private:
    std::vector<uint8_t> bytes_;
};

class StateReader {
public:
    explicit StateReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    template <Scalar T>
    T get(const char* what) {
        T v;
        get_bytes(&v, sizeof v, what);
        return v;
    }
    // A count written by put_array; must equal `expected` (fixed-size state).
    void expect_count(size_t expected, const char* what) {
        const auto n = get<uint64_t>(what);
        if (n != expected)
            throw std::invalid_argument(std::string("snapshot: ") + what + " has " + std::to_string(n) +
                                        " entries, expected " + std::to_string(expected));
    }
    // Reads into existing storage of the expected size (the storage is never reallocated, so views
    // handed out earlier stay valid).
    template <typename T>
    void get_fixed(std::span<T> out, const char* what) {
        static_assert(std::is_trivially_copyable_v<T>);
        expect_count(out.size(), what);
        get_bytes(out.data(), out.size_bytes(), what);
    }
    template <typename T>
    void get_fixed(std::vector<T>& out, const char* what) { get_fixed(std::span<T>(out), what); }
    // Variable-length state, at most `max_count` entries.
    template <typename T>
    void get_vector(std::vector<T>& out, size_t max_count, const char* what) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto n = get<uint64_t>(what);
        if (n > max_count || n > remaining() / sizeof(T))
            throw std::invalid_argument(std::string("snapshot: ") + what + " has an impossible length " + std::to_string(n));
        out.resize(static_cast<size_t>(n));
        get_bytes(out.data(), out.size() * sizeof(T), what);
    }
    void get_bytes(void* p, size_t n, const char* what) {
        if (n > remaining())
            throw std::invalid_argument(std::string("snapshot is truncated (while reading ") + what + ")");
        if (n) std::memcpy(p, bytes_.data() + pos_, n);
        pos_ += n;
    }
    size_t remaining() const { return bytes_.size() - pos_; }
    size_t position() const { return pos_; }

private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

}  // namespace echelon
