#include "echelon/combat/damage.hpp"

#include <algorithm>
#include <cmath>

#include "echelon/combat/wrecks.hpp"

namespace echelon {

namespace {

Vec3 unit_or_zero(Vec3 v, float min_len) {
    const float l = length(v);
    return l > min_len ? v * (1.f / l) : Vec3{};
}

// Subtracts HP and credits the shooter (docs/game_rules.md, "Rewards"): enemy vs friendly, capped at
// remaining HP.
void deal_damage(CombatCtx& ctx, int shooter, int target, float dmg) {
    MechSpan& m = ctx.m;
    const float counted = std::min(dmg, std::max(0.f, m.hp[target]));
    m.hp[target] -= dmg;
    if (shooter < 0 || counted <= 0.f) return;
    const int team = m.team[shooter];
    if (team != m.team[target]) {
        ctx.cs.tally.enemy_damage[shooter] += counted;
        ctx.stat(kStatDamageBlue, team, counted);
    } else {
        ctx.cs.tally.friendly_damage[shooter] += counted;
        ctx.stat(kStatFriendlyDamageBlue, team, counted);
    }
}

bool painted_for(const CombatCtx& ctx, int shooter, int target) {
    const MechSpan& m = ctx.m;
    const int p = m.painter[target];
    return m.paint_ticks[target] > 0 && p != kNoMech && same_pack(m, p, shooter, ctx.agents_per_team());
}

void mark_hit(MechSpan& m, int target, Vec3 source) {
    m.was_hit[target] = 1;
    const Vec3 d = unit_or_zero(source - m.pos[target], 0.1f);
    if (d.x != 0.f || d.y != 0.f || d.z != 0.f) m.last_damage_dir[target] = d;
}

}  // namespace

float rear_multiplier(const MechSpan& m, int target, Vec3 origin, float rear_mult, bool& crit) {
    crit = false;
    const float dx = m.pos[target].x - origin.x, dy = m.pos[target].y - origin.y;
    const float l = std::hypot(dx, dy);
    if (l < 1e-6f) return 1.f;
    const float along = (std::cos(m.yaw[target]) * dx + std::sin(m.yaw[target]) * dy) / l;
    if (along > kRearDot) {
        crit = true;
        return rear_mult;
    }
    return 1.f;
}

void apply_direct_hit(CombatCtx& ctx, const DirectHit& h) {
    MechSpan& m = ctx.m;
    const int t = h.target;
    if (!m.alive[t]) return;
    const WeaponSpec spec = weapon_spec(h.weapon);
    bool crit = false;
    const float mult = rear_multiplier(m, t, h.origin, ctx.cfg.combat.rear_mult, crit);
    float dmg = h.damage * mult;
    const float stab = h.stab_damage * mult;
    const bool painted = painted_for(ctx, h.shooter, t);
    if (painted) dmg *= ctx.cfg.combat.paint_bonus;
    if (h.leg_hit && dmg > 0.f) {
        const bool had_legs = !m.is_legged(t);
        m.leg_hp[t] -= dmg;
        if (had_legs && m.is_legged(t)) {
            ctx.stat(kStatLeggedBlue, m.team[t]);
            ctx.emit(EventType::Legged, h.weapon, h.shooter, t, m.pos[t], 0.f);
        }
        dmg *= kLegBodyFactor;
    }
    deal_damage(ctx, h.shooter, t, dmg);
    m.stability[t] = std::max(0.f, m.stability[t] - stab);
    m.heat[t] += spec.target_heat;
    mark_hit(m, t, m.pos[h.shooter]);
    if (spec.damage > 0.f && m.team[h.shooter] != m.team[t]) ctx.stat(kStatHitsBlue, m.team[h.shooter]);
    const uint8_t flags = (crit ? kEventCrit : 0) | (h.leg_hit ? kEventLeg : 0) | (painted ? kEventPainted : 0);
    ctx.emit(EventType::WeaponHit, h.weapon, h.shooter, t, h.pos, dmg, flags);
    check_death(ctx, t, h.shooter, h.weapon);
}

void apply_splash_hit(CombatCtx& ctx, int shooter, int target, Weapon weapon, float damage, float stab, Vec3 centre) {
    MechSpan& m = ctx.m;
    if (!m.alive[target]) return;
    deal_damage(ctx, shooter, target, damage);
    m.stability[target] = std::max(0.f, m.stability[target] - stab);
    mark_hit(m, target, centre);
    ctx.emit(EventType::WeaponHit, weapon, shooter, target, m.pos[target], damage, kEventSplash);
    check_death(ctx, target, shooter, weapon);
}

void apply_hazard_damage(CombatCtx& ctx, int target, Weapon source, float damage) {
    MechSpan& m = ctx.m;
    if (!m.alive[target] || damage <= 0.f) return;
    m.hp[target] -= damage;
    check_death(ctx, target, -1, source);
}

void check_death(CombatCtx& ctx, int victim, int killer, Weapon weapon) {
    MechSpan& m = ctx.m;
    if (!m.alive[victim] || m.hp[victim] > 0.f) return;
    m.alive[victim] = 0;
    m.vel[victim] = {};
    StepTally& sc = ctx.cs.tally;
    sc.died[victim] = 1;
    const int vteam = m.team[victim];
    ctx.stat(kStatDeathsBlue, vteam);
    if (killer < 0) {
        ctx.stat(kStatHazardDeathsBlue, vteam);
    } else if (m.team[killer] != vteam) {
        ++sc.kills[killer];
        ctx.stat(kStatKillsBlue, m.team[killer]);
        // One assist per kill, to the painter whose mark was on the victim, if it is a pack-mate of
        // the killer and not the killer itself (docs/game_rules.md, "Rewards").
        const int p = m.painter[victim];
        if (m.paint_ticks[victim] > 0 && p != kNoMech && p != killer && same_pack(m, p, killer, ctx.agents_per_team())) {
            ++sc.assists[p];
            ctx.stat(kStatAssistsBlue, m.team[p]);
            ctx.emit(EventType::Assist, Weapon::Painter, p, victim, m.pos[victim], 0.f);
        }
    } else {
        ++sc.team_kills[killer];
        ctx.stat(kStatTeamKillsBlue, m.team[killer]);
    }
    ctx.emit(EventType::Kill, weapon, killer, victim, m.pos[victim], 0.f);
    spawn_wreck(ctx.world, m, victim);
}

}  // namespace echelon
