#pragma once
// Line of sight through the voxel grid (Amanatides–Woo DDA) and through smoke spheres.
// Header-only and ECHELON_HD: the CPU core and the CUDA kernels run this same code.
#include <cmath>
#include <cstdlib>

#include "echelon/base/host_device.hpp"
#include "echelon/world/materials.hpp"
#include "echelon/base/vec3.hpp"
#include "echelon/world/voxel_view.hpp"

namespace echelon {

struct RayHit {
    bool blocked = false;
    bool has_voxel = false;  // false when blocked by leaving the grid
    int x = -1, y = -1, z = -1;
};

namespace detail {

struct DdaAxis {
    int cell, end_cell, step;
    float t_max, t_delta;
};

ECHELON_HD inline DdaAxis make_dda_axis(float start, float end, float dir) {
    DdaAxis a;
    a.cell = static_cast<int>(floorf(start));
    a.end_cell = static_cast<int>(floorf(end));
    a.step = dir > 0.f ? 1 : (dir < 0.f ? -1 : 0);
    a.t_delta = dir != 0.f ? fabsf(1.f / dir) : 1e30f;
    if (a.step > 0) a.t_max = (static_cast<float>(a.cell) + 1.f - start) * a.t_delta;
    else if (a.step < 0) a.t_max = (start - static_cast<float>(a.cell)) * a.t_delta;
    else a.t_max = 1e30f;
    return a;
}

ECHELON_HD inline RayHit end_cell_result(const VoxelView& g, int ex, int ey, int ez, bool include_end) {
    RayHit r;
    if (include_end && g.in_bounds(ex, ey, ez) && material_blocks_los(g.at(ex, ey, ez))) {
        r.blocked = true;
        r.has_voxel = true;
        r.x = ex; r.y = ey; r.z = ez;
    }
    return r;
}

}  // namespace detail

// Largest coordinate a ray endpoint may have. Maps are at most 512 voxels wide; a NaN, an infinity
// or a coordinate beyond this (a corrupt state) would make the cell walk below take billions of
// steps (the step bound comes from the end cell, and the cast of NaN to int is undefined), so such
// a segment is never walked. `fabsf(v) <= k` is false for NaN, so one test covers all three.
inline constexpr float kMaxRayCoord = 1.0e6f;

ECHELON_HD inline bool ray_point_ok(Vec3 p) {
    return fabsf(p.x) <= kMaxRayCoord && fabsf(p.y) <= kMaxRayCoord && fabsf(p.z) <= kMaxRayCoord;
}

// Walks the cells a segment enters after its start cell, in order, calling
// visit(x, y, z, at_end) for each (at_end: this is the end cell) until visit returns true or the
// walk is over. Ties between axes step z first, then y (as in the original game). When rounding makes
// the next cell boundary lie beyond the segment's length, the walk stops as if it had reached
// the end cell, so an end point on a cell face never walks past its own end. Out-of-grid cells
// are visited too: the visitor decides what leaving the grid means.
template <typename Visit>
ECHELON_HD inline void walk_segment_cells(Vec3 start, Vec3 end, Visit visit) {
    const Vec3 d = end - start;
    const float len = length(d);
    if (len <= 1e-9f) return;
    const float inv = 1.f / len;
    const detail::DdaAxis ax = detail::make_dda_axis(start.x, end.x, d.x * inv);
    const detail::DdaAxis ay = detail::make_dda_axis(start.y, end.y, d.y * inv);
    const detail::DdaAxis az = detail::make_dda_axis(start.z, end.z, d.z * inv);
    // Plain scalars, not a pointer to the axis that steps: that keeps the walk in registers (on
    // the GPU a pointer into three structs puts them in local memory).
    int x = ax.cell, y = ay.cell, z = az.cell;
    float tx = ax.t_max, ty = ay.t_max, tz = az.t_max;
    const int max_steps = abs(ax.end_cell - ax.cell) + abs(ay.end_cell - ay.cell) + abs(az.end_cell - az.cell) + 2;
    for (int i = 0; i <= max_steps; ++i) {
        if (x == ax.end_cell && y == ay.end_cell && z == az.end_cell) return;
        if (tx < ty && tx < tz) {
            if (tx > len) return;
            x += ax.step;
            tx += ax.t_delta;
        } else if (!(tx < ty) && ty < tz) {
            if (ty > len) return;
            y += ay.step;
            ty += ay.t_delta;
        } else {
            if (tz > len) return;
            z += az.step;
            tz += az.t_delta;
        }
        const bool at_end = x == ax.end_cell && y == ay.end_cell && z == az.end_cell;
        if (visit(x, y, z, at_end)) return;
    }
}

// Line of sight. The start cell is never tested; the end cell only with include_end; a ray that
// leaves the grid before reaching its end cell is blocked (no voxel), and so is a ray with a
// non-finite or absurd endpoint (ray_point_ok).
ECHELON_HD inline RayHit raycast(const VoxelView& g, Vec3 start, Vec3 end, bool include_end) {
    if (!ray_point_ok(start) || !ray_point_ok(end)) {
        RayHit bad;
        bad.blocked = true;
        return bad;
    }
    if (length(end - start) <= 1e-9f) return RayHit{};
    RayHit hit;
    walk_segment_cells(start, end, [&](int x, int y, int z, bool at_end) {
        if (at_end) return true;  // the end cell is judged below, in or out of the grid
        if (!g.in_bounds(x, y, z)) {
            hit.blocked = true;
            return true;
        }
        if (material_blocks_los(g.at(x, y, z))) {
            hit.blocked = hit.has_voxel = true;
            hit.x = x; hit.y = y; hit.z = z;
            return true;
        }
        return false;
    });
    if (hit.blocked) return hit;
    return detail::end_cell_result(g, static_cast<int>(floorf(end.x)), static_cast<int>(floorf(end.y)),
                                   static_cast<int>(floorf(end.z)), include_end);
}

ECHELON_HD inline bool has_terrain_los(const VoxelView& g, Vec3 a, Vec3 b) { return !raycast(g, a, b, false).blocked; }

// True when the segment p1→p2 passes within radius r of centre c (smoke cloud). Endpoints inside
// the sphere count as blocked; a degenerate segment is clear (docs/game_rules.md, "Weapons": LOS).
ECHELON_HD inline bool segment_hits_sphere(Vec3 p1, Vec3 p2, Vec3 c, float r) {
    const Vec3 d = p2 - p1;
    const float dd = dot(d, d);
    if (dd < 1e-9f) return false;
    float t = dot(c - p1, d) / dd;
    t = t < 0.f ? 0.f : (t > 1.f ? 1.f : t);
    const Vec3 w = c - (p1 + d * t);
    return dot(w, w) <= r * r;
}

}  // namespace echelon
