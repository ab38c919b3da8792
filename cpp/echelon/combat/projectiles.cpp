#include "echelon/combat/projectiles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "echelon/combat/ams.hpp"
#include "echelon/combat/combat_state.hpp"
#include "echelon/combat/damage.hpp"

namespace echelon {

namespace {

bool stops_projectile(uint8_t v) { return material_collides(v) || material_blocks_los(v); }

void kill(Projectile& p) { p.life_ticks = -1; }

void burst_smoke(CombatCtx& ctx, const Projectile& p, Vec3 centre) {
    const CombatConfig& c = ctx.cfg.combat;
    if (ctx.cs.smoke.add(centre, c.smoke_cloud_radius, ctx.cfg.ticks(c.smoke_cloud_seconds)))
        ctx.emit(EventType::SmokeCloud, Weapon::Smoke, p.shooter, -1, centre, c.smoke_cloud_radius);
}

void damage_voxel(CombatCtx& ctx, const Projectile& p, int x, int y, int z, float amount) {
    if (ctx.world.damage(x, y, z, amount)) {
        ctx.stat(kStatVoxelsDestroyedBlue, p.team);
        ctx.emit(EventType::VoxelDestroyed, p.weapon, p.shooter, -1,
                 {static_cast<float>(x) + 0.5f, static_cast<float>(y) + 0.5f, static_cast<float>(z) + 0.5f}, 0.f);
    }
}

// Splash (docs/game_rules.md, "Damage"): mechs within r with terrain LOS from the blast (the directly hit
// mech excluded) and every voxel whose centre is within r.
void explode(CombatCtx& ctx, const Projectile& p, Vec3 centre, int exclude) {
    MechSpan& m = ctx.m;
    const float r = p.splash_radius, dmg = p.damage * p.splash_scale, stab = p.stab_damage * p.splash_scale;
    const VoxelView g = ctx.world.view();
    for (int j = 0; j < m.size(); ++j) {
        if (j == exclude || !m.alive[j]) continue;
        if (!ctx.cfg.combat.friendly_splash && m.team[j] == p.team) continue;
        if (length(m.pos[j] - centre) > r || !has_terrain_los(g, centre, m.pos[j])) continue;
        apply_splash_hit(ctx, p.shooter, j, p.weapon, dmg, stab, centre);
    }
    const int x0 = std::max(0, static_cast<int>(std::floor(centre.x - r))), x1 = std::min(ctx.world.size_x() - 1, static_cast<int>(std::floor(centre.x + r)));
    const int y0 = std::max(0, static_cast<int>(std::floor(centre.y - r))), y1 = std::min(ctx.world.size_y() - 1, static_cast<int>(std::floor(centre.y + r)));
    const int z0 = std::max(0, static_cast<int>(std::floor(centre.z - r))), z1 = std::min(ctx.world.size_z() - 1, static_cast<int>(std::floor(centre.z + r)));
    for (int z = z0; z <= z1; ++z)
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                const Vec3 c{static_cast<float>(x) + 0.5f, static_cast<float>(y) + 0.5f, static_cast<float>(z) + 0.5f};
                if (length(c - centre) <= r) damage_voxel(ctx, p, x, y, z, dmg);
            }
    ctx.emit(EventType::Explosion, p.weapon, p.shooter, -1, centre, r);
}

void impact(CombatCtx& ctx, Projectile& p, Vec3 point, const RayHit& voxel, int hit_mech) {
    MechSpan& m = ctx.m;
    kill(p);
    if (voxel.has_voxel) damage_voxel(ctx, p, voxel.x, voxel.y, voxel.z, p.damage);
    if (hit_mech >= 0) {
        const ClassSpec s = m.spec(hit_mech);
        const float bottom = m.pos[hit_mech].z - s.half_z;
        const bool leg = point.z < bottom + kLegFraction * 2.f * s.half_z;
        apply_direct_hit(ctx, DirectHit{p.shooter, hit_mech, p.weapon, p.damage, p.stab_damage, m.pos[hit_mech] - p.vel,
                                        leg, point});
        if (p.weapon == Weapon::Autocannon)
            m.suppress_ticks[hit_mech] = std::max(m.suppress_ticks[hit_mech], ctx.cfg.ticks(ctx.cfg.combat.suppress_seconds));
    }
    const Vec3 centre = hit_mech >= 0 ? m.pos[hit_mech] : point;
    if (p.weapon == Weapon::Smoke) burst_smoke(ctx, p, centre);
    else if (p.splash_radius > 0.f) explode(ctx, p, centre, hit_mech);
}

void steer(CombatCtx& ctx, Projectile& p) {
    const float dt = ctx.cfg.dt;
    if (p.guidance == Guidance::Ballistic) {
        p.vel.z -= ctx.cfg.gravity * dt;
    } else if (p.guidance == Guidance::Homing && p.target >= 0 && ctx.m.alive[p.target]) {
        const Vec3 to = ctx.m.pos[p.target] - p.pos;
        const float d = length(to);
        if (d > 0.1f) {
            const float k = std::min(1.f, kMissileTurnRate * dt);
            const Vec3 v = p.vel * (1.f - k) + to * (k * p.speed / d);
            const float vl = length(v);
            if (vl > 1e-6f) p.vel = v * (p.speed / vl);
        }
    }
}

}  // namespace

RayHit projectile_raycast(const VoxelView& g, Vec3 a, Vec3 b) {
    if (!ray_point_ok(a) || !ray_point_ok(b)) {  // a corrupt round stops (see kMaxRayCoord)
        RayHit bad;
        bad.blocked = true;
        return bad;
    }
    if (length(b - a) <= 1e-9f) return RayHit{};
    // The same cell walk as line of sight, with the projectile's rules: the end cell counts,
    // leaving the grid stops the round, and it is stopped by what stops projectiles.
    RayHit r;
    walk_segment_cells(a, b, [&](int x, int y, int z, bool) {
        if (!g.in_bounds(x, y, z)) {
            r.blocked = true;
            return true;
        }
        if (stops_projectile(g.at(x, y, z))) {
            r.blocked = r.has_voxel = true;
            r.x = x; r.y = y; r.z = z;
            return true;
        }
        return false;
    });
    if (r.blocked) return r;
    // The end cell itself can lie outside the grid when the walk stopped early on rounding.
    const int ex = static_cast<int>(std::floor(b.x)), ey = static_cast<int>(std::floor(b.y)), ez = static_cast<int>(std::floor(b.z));
    if (!g.in_bounds(ex, ey, ez)) r.blocked = true;
    return r;
}

Vec3 point_before_voxel(Vec3 a, Vec3 b, int x, int y, int z) {
    const Vec3 d = b - a;
    float t_entry = 0.f;
    const float lo[3] = {static_cast<float>(x), static_cast<float>(y), static_cast<float>(z)};
    const float s[3] = {a.x, a.y, a.z}, dd[3] = {d.x, d.y, d.z};
    for (int k = 0; k < 3; ++k) {
        if (dd[k] > 0.f) t_entry = std::max(t_entry, (lo[k] - s[k]) / dd[k]);
        else if (dd[k] < 0.f) t_entry = std::max(t_entry, (lo[k] + 1.f - s[k]) / dd[k]);
    }
    return a + d * std::clamp(t_entry - 1e-4f, 0.f, 1.f);
}

bool segment_box_entry(Vec3 a, Vec3 b, Vec3 lo, Vec3 hi, float& t) {
    const Vec3 d = b - a;
    float t0 = 0.f, t1 = 1.f;
    const float s[3] = {a.x, a.y, a.z}, dd[3] = {d.x, d.y, d.z}, l[3] = {lo.x, lo.y, lo.z}, h[3] = {hi.x, hi.y, hi.z};
    for (int k = 0; k < 3; ++k) {
        if (std::fabs(dd[k]) < 1e-12f) {
            if (s[k] < l[k] || s[k] > h[k]) return false;
            continue;
        }
        float tn = (l[k] - s[k]) / dd[k], tf = (h[k] - s[k]) / dd[k];
        if (tn > tf) std::swap(tn, tf);
        t0 = std::max(t0, tn);
        t1 = std::min(t1, tf);
        if (t0 > t1) return false;
    }
    t = t0;
    return true;
}

void update_projectiles(CombatCtx& ctx) {
    MechSpan& m = ctx.m;
    const VoxelView g = ctx.world.view();
    for (Projectile& p : ctx.cs.projectiles.live()) {
        if (p.life_ticks < 0) continue;
        if (++p.age_ticks > p.life_ticks) {  // end of flight: silent, except smoke bursts (docs/game_rules.md, "Changes from the original game" 6)
            if (p.weapon == Weapon::Smoke) burst_smoke(ctx, p, p.pos);
            kill(p);
            continue;
        }
        if (try_ams_intercept(ctx, p)) {
            kill(p);
            continue;
        }
        steer(ctx, p);
        const Vec3 next = p.pos + p.vel * ctx.cfg.dt;
        // The first enemy box along the path (friends are passed through: direct hits skip the team).
        int hit = -1;
        float best_t = 2.f;
        for (int j = 0; j < m.size(); ++j) {
            if (!m.alive[j] || m.team[j] == p.team) continue;
            const Vec3 h = m.half_size(j);
            float t;
            if (segment_box_entry(p.pos, next, m.pos[j] - h, m.pos[j] + h, t) && t < best_t) { best_t = t; hit = j; }
        }
        const Vec3 end = hit >= 0 ? p.pos + (next - p.pos) * best_t : next;
        const RayHit ray = projectile_raycast(g, p.pos, end);
        if (ray.blocked) {
            const Vec3 at = ray.has_voxel ? point_before_voxel(p.pos, end, ray.x, ray.y, ray.z) : end;
            impact(ctx, p, at, ray, -1);
        } else if (hit >= 0) {
            impact(ctx, p, end, RayHit{}, hit);
        } else {
            p.pos = next;
        }
    }
    ctx.cs.projectiles.compact();
}

}  // namespace echelon
