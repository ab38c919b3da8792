#pragma once
// The transcendentals the observation uses, one implementation for the CPU and the CUDA kernels,
// so both compute the same bits. libm and CUDA's math library may differ by an ulp, and the
// observation rounds some of these results (the local map floors rotated positions to cells):
// an ulp there is a different cell. Each function is a fixed sequence of IEEE single-precision
// multiplies and adds (no FMA: __fmul_rn/__fadd_rn on the device, which nvcc never contracts;
// the host TUs build with -ffp-contract=off), exact operations (frexpf, ldexpf, fmodf, compares,
// float-to-int truncation) and correctly rounded division.
//
// The polynomials and range reductions are those of the Cephes single-precision library
// (S. L. Moshier, https://www.netlib.org/cephes/, single/sinf.c, atanf.c, logf.c). Accuracy
// against the correctly rounded result, checked densely by tests/obs/test_shared_math.py:
//   hd_sinf, hd_cosf: |x| <= 8192: within 2 ulp of the result or 2^-24 absolute, whichever is
//     larger (results near 0, where x is close to a multiple of pi, carry the reduction's error;
//     measured: 1.31); beyond 8192 the argument is first reduced by fmodf(x, float(2 pi)):
//     deterministic, not accurate.
//   hd_atan2f: within 4 ulp for finite arguments (measured: 3.13, near |y/x| = tan(pi/8));
//   hd_logf: within 1 ulp for positive finite x (measured: 0.79).
// Non-finite arguments give NaN (sin, cos), the IEEE special values (log), or NaN (atan2 of
// infinities), the same on both sides. The simulation keeps libm: it runs only on the CPU, and
// its golden hashes depend on those bits.
// C++17 (nvcc compiles it).
#include <cmath>

#include "echelon/base/host_device.hpp"

namespace echelon {
namespace hd_detail {

ECHELON_HD inline float mul(float a, float b) {
#if defined(__CUDA_ARCH__)
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}
ECHELON_HD inline float add(float a, float b) {
#if defined(__CUDA_ARCH__)
    return __fadd_rn(a, b);
#else
    return a + b;
#endif
}
ECHELON_HD inline float sub(float a, float b) { return add(a, -b); }
ECHELON_HD inline bool negative_sign(float v) { return copysignf(1.f, v) < 0.f; }  // -0 too
ECHELON_HD inline bool non_finite(float v) { return v != v || fabsf(v) == INFINITY; }

inline constexpr float kPi = 3.14159265358979f;
inline constexpr float kPiOver2 = 1.57079632679490f;
inline constexpr float kPiOver4 = 0.785398163397448f;
inline constexpr float kFourOverPi = 1.27323954473516f;
inline constexpr float kTwoPi = 6.28318530717959f;
inline constexpr float kSinCosExactBelow = 8192.f;

// x reduced to z in [-pi/4, pi/4] with x = j * pi/4 + z (j even, taken mod 8); pi/4 in three
// parts whose products with j are exact for j < 2^16 (Cephes DP1..DP3).
struct Octant {
    float z;
    int j;
};

ECHELON_HD inline Octant reduce_octant(float ax) {
    if (ax > kSinCosExactBelow) ax = fmodf(ax, kTwoPi);
    int j = static_cast<int>(mul(ax, kFourOverPi));
    if (j & 1) ++j;
    const float y = static_cast<float>(j);
    const float z = sub(sub(sub(ax, mul(y, 0.78515625f)), mul(y, 2.4187564849853515625e-4f)), mul(y, 3.77489497744594108e-8f));
    return {z, j & 7};
}

// sin and cos on [-pi/4, pi/4].
ECHELON_HD inline float sin_poly(float z) {
    const float zz = mul(z, z);
    const float p = sub(mul(add(mul(-1.9515295891e-4f, zz), 8.3321608736e-3f), zz), 1.6666654611e-1f);
    return add(mul(mul(p, zz), z), z);
}
ECHELON_HD inline float cos_poly(float z) {
    const float zz = mul(z, z);
    const float p = add(mul(sub(mul(2.443315711809948e-5f, zz), 1.388731625493765e-3f), zz), 4.166664568298827e-2f);
    return add(sub(mul(mul(p, zz), zz), mul(0.5f, zz)), 1.f);
}

}  // namespace hd_detail

ECHELON_HD inline float hd_sinf(float x) {
    using namespace hd_detail;
    if (non_finite(x)) return x - x;  // NaN for NaN and +-inf
    const bool negative = hd_detail::negative_sign(x);
    const Octant o = reduce_octant(fabsf(x));
    int j = o.j;
    bool flip = negative;
    if (j > 3) {
        flip = !flip;
        j -= 4;
    }
    const float r = (j == 1 || j == 2) ? cos_poly(o.z) : sin_poly(o.z);
    return flip ? -r : r;
}

ECHELON_HD inline float hd_cosf(float x) {
    using namespace hd_detail;
    if (non_finite(x)) return x - x;
    const Octant o = reduce_octant(fabsf(x));
    int j = o.j;
    bool flip = false;
    if (j > 3) {
        flip = true;
        j -= 4;
    }
    if (j > 1) flip = !flip;
    const float r = (j == 1 || j == 2) ? sin_poly(o.z) : cos_poly(o.z);
    return flip ? -r : r;
}

// atan on all finite x (Cephes atanf: reduced to |x| <= tan(pi/8) around 0, pi/4 or pi/2).
ECHELON_HD inline float hd_atanf(float x) {
    using namespace hd_detail;
    const bool negative = x < 0.f;
    float a = fabsf(x), base = 0.f;
    if (a > 2.414213562373095f) {
        base = kPiOver2;
        a = -(1.f / a);
    } else if (a > 0.4142135623730950f) {
        base = kPiOver4;
        a = sub(a, 1.f) / add(a, 1.f);
    }
    const float z = mul(a, a);
    const float p = sub(mul(add(mul(sub(mul(8.05374449538e-2f, z), 1.38776856032e-1f), z), 1.99777106478e-1f), z),
                        3.33329491539e-1f);
    const float r = add(base, add(mul(mul(p, z), a), a));
    return negative ? -r : r;
}

// atan2 with C's conventions for signed zeros and the x == 0 axis.
ECHELON_HD inline float hd_atan2f(float y, float x) {
    using namespace hd_detail;
    if (x != x || y != y) return x + y;
    const bool y_negative = negative_sign(y);
    if (x == 0.f) {
        if (y == 0.f) return negative_sign(x) ? (y_negative ? -kPi : kPi) : y;
        return y_negative ? -kPiOver2 : kPiOver2;
    }
    if (y == 0.f) return x > 0.f ? y : (y_negative ? -kPi : kPi);
    const float w = x < 0.f ? (y_negative ? -kPi : kPi) : 0.f;
    return add(w, hd_atanf(y / x));
}

// Natural log (Cephes logf): x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by a polynomial
// in m - 1, e * log 2 added in two parts.
ECHELON_HD inline float hd_logf(float x) {
    using namespace hd_detail;
    if (x != x || x == INFINITY) return x;
    if (x == 0.f) return -INFINITY;
    if (x < 0.f) return (x - x) / (x - x);  // NaN
    int e = 0;
    float m = frexpf(x, &e);  // m in [0.5, 1)
    if (m < 0.707106781186547524f) {
        --e;
        m = sub(add(m, m), 1.f);
    } else {
        m = sub(m, 1.f);
    }
    const float z = mul(m, m);
    float p = 7.0376836292e-2f;
    p = sub(mul(p, m), 1.1514610310e-1f);
    p = add(mul(p, m), 1.1676998740e-1f);
    p = sub(mul(p, m), 1.2420140846e-1f);
    p = add(mul(p, m), 1.4249322787e-1f);
    p = sub(mul(p, m), 1.6668057665e-1f);
    p = add(mul(p, m), 2.0000714765e-1f);
    p = sub(mul(p, m), 2.4999993993e-1f);
    p = add(mul(p, m), 3.3333331174e-1f);
    float y = mul(mul(p, m), z);
    const float fe = static_cast<float>(e);
    y = add(y, mul(-2.12194440e-4f, fe));
    y = sub(y, mul(0.5f, z));
    float r = add(m, y);
    r = add(r, mul(0.693359375f, fe));
    return r;
}

}  // namespace echelon
