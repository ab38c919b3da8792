#pragma once
#include <cmath>

#include "echelon/base/host_device.hpp"

namespace echelon {

struct Vec3 {
    float x = 0.f, y = 0.f, z = 0.f;
};

ECHELON_HD inline Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
ECHELON_HD inline Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
ECHELON_HD inline Vec3 operator*(Vec3 a, float s) { return {a.x * s, a.y * s, a.z * s}; }
ECHELON_HD inline float dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
ECHELON_HD inline float length(Vec3 a) { return sqrtf(dot(a, a)); }

// Yaw wrapped into [-pi, pi).
ECHELON_HD inline float wrap_angle(float a) {
    constexpr float kPi = 3.14159265358979f;
    constexpr float kTwoPi = 6.28318530717959f;
    float r = fmodf(a + kPi, kTwoPi);
    if (r < 0.f) r += kTwoPi;
    return r - kPi;
}

}  // namespace echelon
