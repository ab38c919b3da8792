#include "echelon/combat/weapon_fire.hpp"

#include <cmath>

#include "echelon/mech/actions.hpp"
#include "echelon/combat/damage.hpp"
#include "echelon/combat/ewar.hpp"

namespace echelon {

namespace {

constexpr float kDegToRad = 3.14159265358979f / 180.f;

float yaw_error(const MechSpan& m, int i, Vec3 target_pos) {
    const float dx = target_pos.x - m.pos[i].x, dy = target_pos.y - m.pos[i].y;
    if (std::hypot(dx, dy) < 1e-6f) return 0.f;  // straight above or below: no horizontal error
    return std::fabs(wrap_angle(std::atan2(dy, dx) - m.yaw[i]));
}

bool is_enemy_target(const MechSpan& m, int s, int t) { return t >= 0 && t != s && m.alive[t] && m.team[t] != m.team[s]; }

// The focus if it passes `valid`, else the nearest enemy that does (ties: lowest index). `valid`
// is only called for candidates that could still win, so the expensive LOS test runs rarely.
template <typename Valid>
int choose_target(const MechSpan& m, int s, float range, Valid valid) {
    const int f = m.focus[s];
    if (is_enemy_target(m, s, f) && length(m.pos[f] - m.pos[s]) <= range && valid(f)) return f;
    int best = -1;
    float best_d = range;
    for (int t = 0; t < m.size(); ++t) {
        if (!is_enemy_target(m, s, t)) continue;
        const float d = length(m.pos[t] - m.pos[s]);
        if (d > best_d || (best >= 0 && d == best_d)) continue;
        if (!valid(t)) continue;
        best = t;
        best_d = d;
    }
    return best;
}

struct Planner {
    CombatCtx& ctx;
    int n = 0;
    ShotPlan& push(ShotKind kind, Weapon w, int s, int t) {
        ShotPlan& p = ctx.cs.plans[static_cast<size_t>(n++)];
        p = ShotPlan{};
        p.kind = kind;
        p.weapon = w;
        p.shooter = static_cast<int16_t>(s);
        p.target = static_cast<int16_t>(t);
        return p;
    }
};

Projectile make_projectile(const MechSpan& m, int s, Weapon w, Vec3 pos, Vec3 vel, int target, const SimConfig& cfg) {
    const WeaponSpec spec = weapon_spec(w);
    Projectile p{};
    p.pos = pos;
    p.vel = vel;
    p.speed = spec.speed;
    p.damage = spec.damage;
    p.stab_damage = spec.stab_damage;
    p.splash_radius = spec.splash_radius;
    p.splash_scale = spec.splash_scale;
    p.age_ticks = 0;
    p.life_ticks = cfg.ticks(spec.range / spec.speed);  // reach >= the nominal range
    p.shooter = static_cast<int16_t>(s);
    p.target = static_cast<int16_t>(target);
    p.team = m.team[s];
    p.weapon = w;
    p.guidance = spec.guidance;
    return p;
}

Vec3 unit(Vec3 v) {
    const float l = length(v);
    return l > 1e-9f ? v * (1.f / l) : Vec3{};
}

void plan_hitscan(Planner& pl, int s, Weapon w, int32_t& cooldown) {
    CombatCtx& ctx = pl.ctx;
    const MechSpan& m = ctx.m;
    if (cooldown > 0) return;
    const WeaponSpec spec = weapon_spec(w);
    const int t = choose_target(m, s, spec.range, [&](int c) {
        return in_firing_arc(m, s, m.pos[c], spec.arc_deg) && full_los(ctx, m.pos[s], m.pos[c]);
    });
    if (t < 0) return;  // no target: no shot, no heat, no cooldown
    cooldown = ctx.cfg.ticks(spec.cooldown_s);
    ShotPlan& p = pl.push(ShotKind::Hitscan, w, s, t);
    p.leg_hit = ctx.rng.uniform() < ctx.cfg.combat.leg_hit_chance ? 1 : 0;
    ctx.stat(kStatShotsBlue, m.team[s]);
}

void plan_painter(Planner& pl, int s) {
    CombatCtx& ctx = pl.ctx;
    const MechSpan& m = ctx.m;
    if (m.cd_painter[s] > 0) return;
    const WeaponSpec spec = weapon_spec(Weapon::Painter);
    const int t = choose_target(m, s, spec.range, [&](int c) {
        return in_firing_arc(m, s, m.pos[c], spec.arc_deg) && full_los(ctx, m.pos[s], m.pos[c]);
    });
    if (t < 0) return;
    m.cd_painter[s] = ctx.cfg.ticks(spec.cooldown_s);
    pl.push(ShotKind::Paint, Weapon::Painter, s, t);
}

void plan_missile(Planner& pl, int s) {
    CombatCtx& ctx = pl.ctx;
    const MechSpan& m = ctx.m;
    if (m.cd_missile[s] > 0) return;
    const WeaponSpec spec = weapon_spec(Weapon::Missile);
    const bool can_paint_lock = sensor_quality(m, s).quality >= kPaintLockMinQuality;
    bool paint_lock = false;
    const auto lock = [&](int c) {
        if (!in_firing_arc(m, s, m.pos[c], spec.arc_deg)) return false;
        const int painter = m.painter[c];
        if (can_paint_lock && m.paint_ticks[c] > 0 && painter != kNoMech && same_pack(m, painter, s, ctx.agents_per_team()))
            return true;  // paint lock: no LOS needed, full range
        return length(m.pos[c] - m.pos[s]) <= kMissileLosLockRange && full_los(ctx, m.pos[s], m.pos[c]);
    };
    const int t = choose_target(m, s, spec.range, lock);
    if (t < 0) return;
    {
        const int painter = m.painter[t];
        paint_lock = can_paint_lock && m.paint_ticks[t] > 0 && painter != kNoMech && same_pack(m, painter, s, ctx.agents_per_team());
    }
    m.cd_missile[s] = ctx.cfg.ticks(spec.cooldown_s);
    const Vec3 spawn = m.pos[s] + Vec3{0.f, 0.f, m.spec(s).half_z + 0.5f};
    const Vec3 aim = unit(unit(m.pos[t] - spawn) + Vec3{0.f, 0.f, kMissileLaunchPitch}) * spec.speed;
    ShotPlan& p = pl.push(ShotKind::Spawn, Weapon::Missile, s, t);
    p.projectile = make_projectile(m, s, Weapon::Missile, spawn, aim, t, ctx.cfg);
    p.leg_hit = paint_lock ? 1 : 0;  // reused as the lock kind for the launch event
    ctx.stat(kStatShotsBlue, m.team[s]);
}

void plan_kinetic(Planner& pl, int s, Weapon w) {
    CombatCtx& ctx = pl.ctx;
    const MechSpan& m = ctx.m;
    if (m.cd_kinetic[s] > 0) return;
    const WeaponSpec spec = weapon_spec(w);
    const Vec3 muzzle = m.pos[s] + Vec3{0.f, 0.f, kKineticMuzzleHeight * m.spec(s).half_z};
    // Aim cones, not arcs: the focus within 0.2 rad, any other enemy within 0.1 rad. No LOS test:
    // a round aimed at a target behind cover hits the cover.
    int t = -1;
    const int f = m.focus[s];
    if (is_enemy_target(m, s, f) && length(m.pos[f] - m.pos[s]) <= spec.range && yaw_error(m, s, m.pos[f]) < kKineticFocusCone) {
        t = f;
    } else {
        t = choose_target(m, s, spec.range, [&](int c) { return c != f && yaw_error(m, s, m.pos[c]) < kKineticCone; });
    }
    Vec3 vel;
    if (t >= 0) {
        Vec3 delta = m.pos[t] - muzzle;
        if (spec.guidance == Guidance::Ballistic) {  // lift the aim by the drop over the flight time
            const float tof = length(delta) / spec.speed;
            delta.z += 0.5f * ctx.cfg.gravity * tof * tof;
        }
        vel = unit(delta) * spec.speed;
    } else {
        vel = Vec3{std::cos(m.yaw[s]), std::sin(m.yaw[s]), 0.f} * spec.speed;
    }
    m.cd_kinetic[s] = ctx.cfg.ticks(spec.cooldown_s);
    ShotPlan& p = pl.push(ShotKind::Spawn, w, s, t);
    p.projectile = make_projectile(m, s, w, muzzle, vel, -1, ctx.cfg);
    ctx.stat(kStatShotsBlue, m.team[s]);
}

void plan_smoke(Planner& pl, int s) {
    CombatCtx& ctx = pl.ctx;
    const MechSpan& m = ctx.m;
    if (m.cd_missile[s] > 0) return;
    const WeaponSpec spec = weapon_spec(Weapon::Smoke);
    Vec3 dir{std::cos(m.yaw[s]), std::sin(m.yaw[s]), 0.f};
    const int f = m.focus[s];
    if (is_enemy_target(m, s, f) && length(m.pos[f] - m.pos[s]) <= spec.range) {
        const Vec3 flat{m.pos[f].x - m.pos[s].x, m.pos[f].y - m.pos[s].y, 0.f};
        if (length(flat) > 1e-6f) dir = unit(flat);
    }
    m.cd_missile[s] = ctx.cfg.ticks(spec.cooldown_s);  // smoke shares the missile rack
    ShotPlan& p = pl.push(ShotKind::Spawn, Weapon::Smoke, s, -1);
    p.projectile = make_projectile(m, s, Weapon::Smoke, m.pos[s] + Vec3{0.f, 0.f, m.spec(s).half_z}, dir * spec.speed, -1, ctx.cfg);
}

void plan_mech(Planner& pl, int s, const float* a) {
    const MechSpan& m = pl.ctx.m;
    if (!m.alive[s] || m.is_shutdown(s) || m.is_fallen(s)) return;  // docs/game_rules.md, "Changes from the original game" 4
    const ClassLoadout L = class_loadout(static_cast<MechClass>(m.cls[s]));
    const bool pri = a[action::kPrimary] > 0.f, sec = a[action::kSecondary] > 0.f, ter = a[action::kTertiary] > 0.f;
    if ((L.laser_primary && pri) || (L.laser_secondary && sec)) plan_hitscan(pl, s, Weapon::Laser, m.cd_laser[s]);
    if (L.flamer_primary && pri) plan_hitscan(pl, s, Weapon::Flamer, m.cd_kinetic[s]);
    if (L.missile_secondary && sec) plan_missile(pl, s);
    if (L.gauss_tertiary && ter) plan_kinetic(pl, s, Weapon::Gauss);
    if (L.autocannon_tertiary && ter) plan_kinetic(pl, s, Weapon::Autocannon);
    if ((L.painter_primary && pri) || (L.painter_tertiary && ter)) plan_painter(pl, s);
    if (a[action::kSpecial] > 0.f) plan_smoke(pl, s);
}

void apply_plan(CombatCtx& ctx, const ShotPlan& p) {
    MechSpan& m = ctx.m;
    const int s = p.shooter, t = p.target;
    const WeaponSpec spec = weapon_spec(p.weapon);
    m.heat[s] += spec.self_heat;  // the shot was fired on the pre-fire state even if s died since
    switch (p.kind) {
        case ShotKind::Hitscan:
            apply_direct_hit(ctx, DirectHit{s, t, p.weapon, spec.damage, spec.stab_damage, m.pos[s], p.leg_hit != 0, m.pos[t]});
            break;
        case ShotKind::Paint:
            if (!m.alive[t]) break;
            m.paint_ticks[t] = ctx.cfg.ticks(ctx.cfg.combat.paint_seconds);
            m.painter[t] = s;
            ctx.stat(kStatPaintsBlue, m.team[s]);
            ctx.emit(EventType::Paint, Weapon::Painter, s, t, m.pos[t], 0.f);
            break;
        case ShotKind::Spawn: {
            if (!ctx.cs.projectiles.add(p.projectile)) {
                ++ctx.cs.dropped_shots;
                break;
            }
            const EventType e = p.weapon == Weapon::Missile ? EventType::MissileLaunch
                                : p.weapon == Weapon::Smoke ? EventType::SmokeLaunch : EventType::KineticFire;
            ctx.emit(e, p.weapon, s, t, p.projectile.pos, 0.f, p.weapon == Weapon::Missile && p.leg_hit ? kEventPaintLock : 0);
            break;
        }
    }
}

}  // namespace

bool in_firing_arc(const MechSpan& m, int i, Vec3 target_pos, float arc_deg) {
    return yaw_error(m, i, target_pos) <= 0.5f * arc_deg * kDegToRad + 1e-6f;
}

bool full_los(const CombatCtx& ctx, Vec3 a, Vec3 b) {
    return has_terrain_los(ctx.world.view(), a, b) && !ctx.cs.smoke.blocks(a, b);
}

void run_weapons_phase(CombatCtx& ctx, std::span<const float> actions, int action_dim) {
    Planner pl{ctx};
    for (int s = 0; s < ctx.m.size(); ++s) plan_mech(pl, s, &actions[static_cast<size_t>(s) * action_dim]);
    auto& order = ctx.cs.plan_order;
    for (int k = 0; k < pl.n; ++k) order[static_cast<size_t>(k)] = k;
    for (int k = pl.n - 1; k > 0; --k) std::swap(order[static_cast<size_t>(k)], order[static_cast<size_t>(ctx.rng.integer(0, k))]);
    for (int k = 0; k < pl.n; ++k) apply_plan(ctx, ctx.cs.plans[static_cast<size_t>(order[static_cast<size_t>(k)])]);
}

}  // namespace echelon
