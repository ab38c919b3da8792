#include "echelon/maps/brushes.hpp"

#include <algorithm>
#include <cmath>

namespace echelon::terrain {

int safe_int(Rng& rng, int lo, int hi) { return lo >= hi ? lo : rng.integer(lo, hi); }

bool random_box(Rng& rng, const Region& r, int min_size, int max_size, Rect& out) {
    if (r.width() < min_size || r.height() < min_size) return false;
    out.w = rng.integer(min_size, std::min(max_size, r.width()));
    out.h = rng.integer(min_size, std::min(max_size, r.height()));
    out.x = safe_int(rng, r.x0, r.x1 - out.w);
    out.y = safe_int(rng, r.y0, r.y1 - out.h);
    return true;
}

void fill_rect(World& w, const Rect& r, int z0, int z1, Material m) {
    w.fill_box(IBox{r.x, r.y, z0, r.x + r.w, r.y + r.h, z1}, m);
}

void build_ramp(World& w, Vec3 a, Vec3 b, int width, int clearance) {
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float dist = std::sqrt(dx * dx + dy * dy);
    const int samples = std::max(1, static_cast<int>(1.5f * dist));
    const int half = width / 2;
    for (int i = 0; i <= samples; ++i) {
        const float t = static_cast<float>(i) / static_cast<float>(samples);
        const int x = static_cast<int>(std::floor(a.x + (b.x - a.x) * t));
        const int y = static_cast<int>(std::floor(a.y + (b.y - a.y) * t));
        const int z = static_cast<int>(std::floor(a.z + (b.z - a.z) * t));
        if (z < 0) continue;
        w.fill_box(IBox{x - half, y - half, z, x + half + 1, y + half + 1, z + 1}, Material::Solid);
        w.fill_box(IBox{x - half, y - half, z + 1, x + half + 1, y + half + 1, z + 1 + clearance}, Material::Air);
    }
}

void carve_worm(World& w, Vec3 a, Vec3 b, int radius) {
    const float len = length(b - a);
    const int samples = std::max(1, static_cast<int>(2.f * len));
    for (int i = 0; i <= samples; ++i) {
        const float t = static_cast<float>(i) / static_cast<float>(samples);
        const int x = static_cast<int>(std::lround(a.x + (b.x - a.x) * t));
        const int y = static_cast<int>(std::lround(a.y + (b.y - a.y) * t));
        const int z = static_cast<int>(std::lround(a.z + (b.z - a.z) * t));
        w.fill_box(IBox{x - radius, y - radius, z - radius, x + radius + 1, y + radius + 1, z + radius + 1}, Material::Air);
    }
}

void det_cos_sin(double degrees, double& c, double& s) {
    double d = std::fmod(degrees, 360.0);
    if (d < 0) d += 360.0;
    const double x = d * (3.14159265358979323846 / 180.0) - 3.14159265358979323846;  // in [-pi, pi)
    // Taylor series to x^25: error below 1e-12 on [-pi, pi]; cos/sin(x + pi) = -cos/-sin(x).
    double term_c = 1.0, term_s = x, sum_c = 1.0, sum_s = x;
    const double x2 = x * x;
    for (int n = 1; n <= 13; ++n) {
        term_c *= -x2 / static_cast<double>((2 * n - 1) * (2 * n));
        term_s *= -x2 / static_cast<double>((2 * n) * (2 * n + 1));
        sum_c += term_c;
        sum_s += term_s;
    }
    c = -sum_c;
    s = -sum_s;
}

}  // namespace echelon::terrain
