#include "echelon/heuristic/heuristic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "echelon/mech/actions.hpp"
#include "echelon/combat/ewar.hpp"
#include "echelon/heuristic/steer.hpp"
#include "echelon/world/raycast.hpp"
#include "echelon/combat/weapons.hpp"

namespace echelon {

namespace {

constexpr float kPi = 3.14159265f;
constexpr float kSightRange = 60.f;    // vox; LOS still decides (a sensor horizon, not x-ray)
constexpr float kMemoryS = 8.f;        // last-seen positions are trusted this long
constexpr float kNeverSeen = 1e9f;
constexpr float kVentAbove = 0.5f;     // level 2+ vents above this fraction
constexpr float kCoverHpFraction = 0.35f;
constexpr float kCoverHoldS = 3.f;

float flat_dist(Vec3 a, Vec3 b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Everything one decision reads.
struct Scene {
    const SimConfig& cfg;
    MechSpan m;
    const World& world;
    const CombatState& cs;
    const CaptureZone& zone;
    HeuristicWorld& hw;
    float dt;
    bool los(Vec3 a, Vec3 b) const { return has_terrain_los(world.view(), a, b) && !cs.smoke.blocks(a, b); }
    bool enemy(int i, int e) const { return e >= 0 && m.alive[e] && m.team[e] != m.team[i]; }
    int team_of(int i) const { return m.team[i]; }
};

Vec3 eye(const MechSpan& m, int i) { return m.pos[i] + Vec3{0.f, 0.f, 0.7f * m.spec(i).half_z}; }
Vec3 top(const MechSpan& m, int i) { return m.pos[i] + Vec3{0.f, 0.f, 0.9f * m.spec(i).half_z}; }

float yaw_error(const MechSpan& m, int i, Vec3 p) {
    const float dx = p.x - m.pos[i].x, dy = p.y - m.pos[i].y;
    if (std::hypot(dx, dy) < 1e-6f) return 0.f;
    return std::fabs(wrap_angle(std::atan2(dy, dx) - m.yaw[i]));
}

bool in_arc(const MechSpan& m, int i, Vec3 p, float arc_deg) {
    return yaw_error(m, i, p) <= 0.5f * arc_deg * kPi / 180.f + 1e-6f;
}

// ---------------------------------------------------------------- perception (team knowledge)

void perceive(Scene& s, int team) {
    const MechSpan& m = s.m;
    auto& seen = s.hw.last_seen[team];
    auto& age = s.hw.seen_age[team];
    auto& vis = s.hw.visible[team];
    for (int e = 0; e < m.size(); ++e) {
        if (m.team[e] == team) continue;
        vis[e] = 0;
        if (!m.alive[e]) {
            age[e] = kNeverSeen;
            continue;
        }
        bool v = s.cfg.heuristic.omniscient;
        const int painter = m.painter[e];
        if (!v && m.paint_ticks[e] > 0 && painter >= 0 && m.team[painter] == team) v = true;
        for (int o = 0; o < m.size() && !v; ++o) {
            if (!m.alive[o] || m.team[o] != team || m.is_shutdown(o)) continue;
            if (length(m.pos[e] - m.pos[o]) > kSightRange) continue;
            v = s.los(eye(m, o), m.pos[e]) || s.los(eye(m, o), top(m, e));
        }
        if (v) {
            seen[e] = m.pos[e];
            age[e] = 0.f;
            vis[e] = 1;
        } else if (age[e] < kNeverSeen) {
            age[e] += s.dt;
        }
    }
}

bool known(const Scene& s, int team, int e) { return s.m.alive[e] && s.hw.seen_age[team][e] < kMemoryS; }

// The weapon with the longest reach a class brings (engagement distance).
float class_reach(MechClass c) {
    switch (c) {
        case MechClass::Heavy: return 20.f;
        case MechClass::Medium: return 12.f;
        case MechClass::Light: return 8.f;
        default: return 10.f;
    }
}

// Sustained damage per second a class brings (rough, heat-limited), for threat ranking.
float class_firepower(MechClass c) {
    switch (c) {
        case MechClass::Heavy: return 35.f;
        case MechClass::Medium: return 30.f;
        case MechClass::Light: return 25.f;
        default: return 5.f;  // the scout paints: a force multiplier, not a gun
    }
}

// Level 3+: one target for the team: the weakest known enemy, discounted by its distance from the
// team's centre; kept unless another is clearly better, so the team does not flicker.
void choose_team_focus(Scene& s, int team) {
    const MechSpan& m = s.m;
    Vec3 centre{};
    int n = 0;
    for (int i = 0; i < m.size(); ++i)
        if (m.alive[i] && m.team[i] == team) centre = centre + m.pos[i], ++n;
    if (n == 0) return;
    centre = centre * (1.f / static_cast<float>(n));
    const bool threat = heuristic_skill(s.hw.level[team]).threat_priority;
    auto score = [&](int e) {
        // Threat: firepower per remaining HP (killing it removes the most fire soonest).
        const float hp = threat ? m.hp[e] / class_firepower(static_cast<MechClass>(m.cls[e])) / 8.f : m.hp[e] / m.spec(e).hp;
        const float d = length(s.hw.last_seen[team][e] - centre);
        return hp + d / 25.f - (s.hw.visible[team][e] ? 0.3f : 0.f);
    };
    int best = kNoMech;
    float best_score = 1e30f;
    for (int e = 0; e < m.size(); ++e) {
        if (m.team[e] == team || !known(s, team, e)) continue;
        const float sc = score(e);
        if (sc < best_score) best = e, best_score = sc;
    }
    const int cur = s.hw.team_focus[team];
    if (cur >= 0 && known(s, team, cur) && score(cur) <= best_score + 0.25f) return;
    s.hw.team_focus[team] = best;
}

int nearest_known(const Scene& s, int i) {
    const int team = s.team_of(i);
    int best = kNoMech;
    float best_d = 1e30f;
    for (int e = 0; e < s.m.size(); ++e) {
        if (s.m.team[e] == team || !known(s, team, e)) continue;
        const float d = length(s.hw.last_seen[team][e] - s.m.pos[i]);
        if (d < best_d) best = e, best_d = d;
    }
    return best;
}

int choose_target(const Scene& s, const HeuristicSkill& k, int i) {
    const int team = s.team_of(i);
    const int near = nearest_known(s, i);
    if (!k.focus_fire) return near;
    const int f = s.hw.team_focus[team];
    if (f >= 0 && known(s, team, f)) {
        const float reach = class_reach(static_cast<MechClass>(s.m.cls[i])) + 8.f;
        if (length(s.hw.last_seen[team][f] - s.m.pos[i]) <= reach) return f;
    }
    return near;
}

// ---------------------------------------------------------------- weapons

// Can mech i hit some enemy with this hitscan weapon now (range, arc, LOS)? Prefers nothing: the
// sim picks the focus if valid, else the nearest valid enemy, under the same rule.
bool hitscan_ready(const Scene& s, int i, Weapon w) {
    const WeaponSpec spec = weapon_spec(w);
    const MechSpan& m = s.m;
    for (int e = 0; e < m.size(); ++e) {
        if (!s.enemy(i, e)) continue;
        if (length(m.pos[e] - m.pos[i]) > spec.range || !in_arc(m, i, m.pos[e], spec.arc_deg)) continue;
        if (s.los(m.pos[i], m.pos[e])) return true;
    }
    return false;
}

// Kinetic rounds fly straight from the muzzle: the sim aims them at the focus within 0.2 rad or at
// another enemy within 0.1 rad, and does not test LOS. The heuristic fires only when the round's
// path to that enemy is clear.
bool kinetic_ready(const Scene& s, int i, Weapon w, int focus) {
    const WeaponSpec spec = weapon_spec(w);
    const MechSpan& m = s.m;
    const Vec3 muzzle = m.pos[i] + Vec3{0.f, 0.f, kKineticMuzzleHeight * m.spec(i).half_z};
    auto clear_shot = [&](int e, float cone) {
        return length(m.pos[e] - m.pos[i]) <= spec.range && yaw_error(m, i, m.pos[e]) < cone && s.los(muzzle, m.pos[e]);
    };
    if (s.enemy(i, focus) && length(m.pos[focus] - m.pos[i]) <= spec.range &&
        yaw_error(m, i, m.pos[focus]) < kKineticFocusCone)
        return s.los(muzzle, m.pos[focus]);  // the sim will shoot the focus: is that shot clear?
    for (int e = 0; e < m.size(); ++e)
        if (e != focus && s.enemy(i, e) && clear_shot(e, kKineticCone)) return true;
    return false;
}

bool paint_locked(const Scene& s, int i, int e) {
    const MechSpan& m = s.m;
    const int p = m.painter[e];
    return m.paint_ticks[e] > 0 && p != kNoMech && same_pack(m, p, i, s.cfg.agents_per_team());
}

bool missile_ready(const Scene& s, int i) {
    const MechSpan& m = s.m;
    const WeaponSpec spec = weapon_spec(Weapon::Missile);
    const bool can_paint_lock = sensor_quality(m, i).quality >= kPaintLockMinQuality;
    for (int e = 0; e < m.size(); ++e) {
        if (!s.enemy(i, e) || !in_arc(m, i, m.pos[e], spec.arc_deg)) continue;
        const float d = length(m.pos[e] - m.pos[i]);
        if (d > spec.range) continue;
        if (can_paint_lock && paint_locked(s, i, e)) return true;
        if (d <= kMissileLosLockRange && s.los(m.pos[i], m.pos[e])) return true;
    }
    return false;
}

// Heat a weapon can add within one decision: shots that fit its cooldown, times its heat.
float decision_heat(const SimConfig& cfg, Weapon w, int32_t cooldown_now) {
    const WeaponSpec spec = weapon_spec(w);
    const int32_t ticks = cfg.decision_repeat, cd = std::max<int32_t>(1, cfg.ticks(spec.cooldown_s));
    if (cooldown_now >= ticks) return 0.f;
    const int32_t shots = 1 + (ticks - std::max<int32_t>(cooldown_now, 1)) / cd;
    return static_cast<float>(shots) * spec.self_heat;
}

struct Triggers {
    bool primary = false, secondary = false, tertiary = false, special = false, vent = false;
};

// One trigger slot and the weapons it fires for this class.
struct SlotPlan {
    bool* slot;
    float heat;
    float value;  // damage per heat: cheap, hard-hitting weapons first when heat is short
};

Triggers choose_triggers(const Scene& s, const HeuristicSkill& k, int i, int target) {
    Triggers t;
    const MechSpan& m = s.m;
    const SimConfig& cfg = s.cfg;
    const auto cls = static_cast<MechClass>(m.cls[i]);
    const ClassLoadout L = class_loadout(cls);
    const float cap = m.spec(i).heat_cap;
    const bool pull = s.hw.rng.uniform() < k.fire_prob;  // drawn every decision: a fixed stream
    if (!k.fires || !pull || m.is_shutdown(i) || m.is_fallen(i)) {
        t.vent = k.manages_heat && m.heat[i] > (k.vents_freely ? 0.f : 0.25f * cap);
        return t;
    }
    SlotPlan plans[6];
    int n = 0;
    auto add = [&](bool* slot, float heat, float value) { plans[n++] = {slot, heat, value}; };
    // Level 1: the primary trigger only, with no thought for heat.
    if (L.laser_primary && hitscan_ready(s, i, Weapon::Laser))
        add(&t.primary, decision_heat(cfg, Weapon::Laser, m.cd_laser[i]), 14.f / 22.f);
    if (L.flamer_primary && hitscan_ready(s, i, Weapon::Flamer))
        add(&t.primary, decision_heat(cfg, Weapon::Flamer, m.cd_kinetic[i]), 0.6f);
    if (L.painter_primary && k.all_weapons && m.cd_painter[i] == 0 && hitscan_ready(s, i, Weapon::Painter))
        add(&t.primary, decision_heat(cfg, Weapon::Painter, m.cd_painter[i]), 10.f);
    if (k.all_weapons) {
        if (L.laser_secondary && hitscan_ready(s, i, Weapon::Laser))
            add(&t.secondary, decision_heat(cfg, Weapon::Laser, m.cd_laser[i]), 14.f / 22.f);
        if (L.missile_secondary && m.cd_missile[i] == 0 && missile_ready(s, i))
            add(&t.secondary, decision_heat(cfg, Weapon::Missile, m.cd_missile[i]), 40.f / 45.f);
        if (L.gauss_tertiary && kinetic_ready(s, i, Weapon::Gauss, target))
            add(&t.tertiary, decision_heat(cfg, Weapon::Gauss, m.cd_kinetic[i]), 50.f / 15.f);
        if (L.autocannon_tertiary || L.painter_tertiary) {
            // One trigger fires both the autocannon and the painter of a medium; each counts.
            const bool ac = L.autocannon_tertiary && kinetic_ready(s, i, Weapon::Autocannon, target);
            const bool paint = L.painter_tertiary && m.cd_painter[i] == 0 && hitscan_ready(s, i, Weapon::Painter);
            float heat = 0.f;
            if (L.autocannon_tertiary) heat += decision_heat(cfg, Weapon::Autocannon, m.cd_kinetic[i]);
            if (L.painter_tertiary) heat += decision_heat(cfg, Weapon::Painter, m.cd_painter[i]);
            if (ac || paint) add(&t.tertiary, heat, ac ? 8.f / 6.f : 10.f);
        }
    }
    if (!k.manages_heat) {
        for (int p = 0; p < n; ++p) *plans[p].slot = true;
        return t;
    }
    std::sort(plans, plans + n, [](const SlotPlan& a, const SlotPlan& b) { return a.value > b.value; });
    const float cooling = (k.vents_freely ? 1.f + kVentMult : 1.f) * m.spec(i).heat_dissipation * s.dt;
    float heat = m.heat[i] - cooling;
    for (int p = 0; p < n; ++p) {
        if (*plans[p].slot) continue;  // slot already chosen (it fires both weapons anyway)
        if (heat + plans[p].heat > k.heat_ceiling * cap) continue;
        *plans[p].slot = true;
        heat += plans[p].heat;
    }
    const bool firing = t.primary || t.secondary || t.tertiary;
    t.vent = k.vents_freely ? (m.heat[i] > 0.f || firing)
                            : (m.heat[i] > kVentAbove * cap || (!firing && m.heat[i] > 0.25f * cap));
    return t;
}

// Level 3+: smoke at the threat when the enemies near this mech outweigh its friends.
bool wants_smoke(const Scene& s, int i, int target) {
    const MechSpan& m = s.m;
    if (m.cd_missile[i] > 0 || target < 0 || !s.hw.visible[s.team_of(i)][target]) return false;
    if (m.hp[i] > 0.7f * m.spec(i).hp) return false;
    float theirs = 0.f, ours = 0.f;
    for (int j = 0; j < m.size(); ++j) {
        if (!m.alive[j] || length(m.pos[j] - m.pos[i]) > 15.f) continue;
        if (m.team[j] == m.team[i]) ours += m.hp[j];
        else if (known(s, s.team_of(i), j)) theirs += m.hp[j];
    }
    return theirs > 1.5f * ours && length(m.pos[target] - m.pos[i]) <= weapon_spec(Weapon::Smoke).range;
}

// Level 4 scout: ECCM when its side is jammed, ECM when enemies are within jamming reach.
float scout_ewar(const Scene& s, int i, int target) {
    const MechSpan& m = s.m;
    if (m.heat[i] > 0.6f * m.spec(i).heat_cap) return 0.f;
    if (sensor_quality(m, i).jam > 0.3f) return 0.75f;  // ECCM (> 0.5)
    if (target >= 0 && length(s.hw.last_seen[s.team_of(i)][target] - m.pos[i]) < 40.f) return 0.25f;  // ECM
    return 0.f;
}

// ---------------------------------------------------------------- movement goals

// Where in the zone this mech stands: spread over a ring so the team does not jam the centre.
Vec3 zone_slot(const Scene& s, int i) {
    const float r = s.zone.radius;
    const int k = i % s.cfg.agents_per_team();
    const float a = 2.f * kPi * static_cast<float>(k) / static_cast<float>(s.cfg.agents_per_team());
    const float ring = k == 0 ? 0.f : 0.45f * r;
    return {s.zone.cx + ring * std::cos(a), s.zone.cy + ring * std::sin(a), 0.f};
}

// Level 4: a nearby standing place the threat cannot see, or the mech's own position if none.
bool find_cover(const Scene& s, int i, Vec3 threat, Vec3& out) {
    const MechSpan& m = s.m;
    const Vec3 here = m.pos[i];
    float best = 1e30f;
    bool found = false;
    for (int ring = 1; ring <= 3; ++ring) {
        const float r = 2.5f * static_cast<float>(ring);
        for (int k = 0; k < 12; ++k) {
            const float a = 2.f * kPi * static_cast<float>(k) / 12.f;
            const Vec3 c{here.x + r * std::cos(a), here.y + r * std::sin(a), here.z};
            if (c.x < 2.f || c.y < 2.f || c.x > static_cast<float>(s.world.size_x()) - 2.f ||
                c.y > static_cast<float>(s.world.size_y()) - 2.f)
                continue;
            const Vec3 h = m.half_size(i);
            if (s.world.aabb_collides(c - h, c + h)) continue;
            if (s.los(threat, c + Vec3{0.f, 0.f, 0.5f * h.z})) continue;
            const float score = r + 0.3f * flat_dist(c, {s.zone.cx, s.zone.cy, 0.f});
            if (score < best) best = score, out = c, found = true;
        }
    }
    return found;
}

struct MoveGoal {
    Vec3 pos;
    float arrive;
};

MoveGoal choose_goal(Scene& s, const HeuristicSkill& k, int i, int target, MechMind& mind) {
    const MechSpan& m = s.m;
    const Vec3 slot = zone_slot(s, i);
    MoveGoal g{slot, 1.0f};
    const int team = s.team_of(i);
    const bool have_target = target >= 0;
    const Vec3 tpos = have_target ? s.hw.last_seen[team][target] : Vec3{};
    const float td = have_target ? length(tpos - m.pos[i]) : 1e30f;
    if (k.cover) {
        if (mind.cover_s > 0.f) {
            mind.cover_s -= s.dt;
            return {mind.cover_pos, 0.6f};
        }
        if (have_target && s.hw.visible[team][target] && td < 16.f && m.hp[i] < kCoverHpFraction * m.spec(i).hp) {
            Vec3 c;
            if (find_cover(s, i, eye(m, target), c)) {
                mind.cover_pos = c;
                mind.cover_s = kCoverHoldS;
                return {c, 0.6f};
            }
        }
    }
    if (!k.keeps_range || !have_target) return g;
    const auto cls = static_cast<MechClass>(m.cls[i]);
    // Flamer lights close in on a target near them; the others back off inside their stand-off.
    if (cls == MechClass::Light && td < 12.f) return {tpos, 3.0f};
    const float min_range = cls == MechClass::Heavy ? 7.f : cls == MechClass::Medium ? 5.f : cls == MechClass::Scout ? 6.f : 0.f;
    if (td < min_range) {
        const float dx = m.pos[i].x - tpos.x, dy = m.pos[i].y - tpos.y, d = std::max(1e-3f, std::hypot(dx, dy));
        Vec3 back{m.pos[i].x + 4.f * dx / d, m.pos[i].y + 4.f * dy / d, 0.f};
        // Never give up the zone to back off: stay within it when already there.
        const float zx = back.x - s.zone.cx, zy = back.y - s.zone.cy, zd = std::hypot(zx, zy);
        const float keep = 0.9f * s.zone.radius;
        if (s.zone.contains(m.pos[i].x, m.pos[i].y) && zd > keep) back = {s.zone.cx + zx * keep / zd, s.zone.cy + zy * keep / zd, 0.f};
        return {back, 0.5f};
    }
    return g;
}

// ---------------------------------------------------------------- one mech's row

void write_row(float* row, const SimConfig& cfg, const MechSpan& m, int i, Steer mv, float face_yaw,
               const Triggers& t, float secondary_override, bool special, int target, const CombatState& cs) {
    std::fill(row, row + cfg.action_dim(), 0.f);
    const float c = std::cos(m.yaw[i]), sn = std::sin(m.yaw[i]);
    row[action::kForward] = std::clamp(mv.speed * (mv.dx * c + mv.dy * sn), -1.f, 1.f);
    row[action::kStrafe] = std::clamp(mv.speed * (-mv.dx * sn + mv.dy * c), -1.f, 1.f);
    // Turn exactly onto the wanted heading within the decision when the yaw rate allows it.
    const float err = wrap_angle(face_yaw - m.yaw[i]);
    row[action::kYawRate] = std::clamp(err / (m.spec(i).max_yaw_rate * cfg.decision_seconds()), -1.f, 1.f);
    row[action::kPrimary] = t.primary ? 1.f : 0.f;
    row[action::kSecondary] = secondary_override >= 0.f ? secondary_override : (t.secondary ? 1.f : 0.f);
    row[action::kTertiary] = t.tertiary ? 1.f : 0.f;
    row[action::kVent] = t.vent ? 1.f : 0.f;
    row[action::kSpecial] = special ? 1.f : 0.f;
    // Target slot: the policy interface, when the observation lists the target; apply_focus sets
    // the focus directly either way.
    for (int k = 0; k < kContactSlots; ++k)
        if (target >= 0 && cs.contact_ids[static_cast<size_t>(i) * kContactSlots + k] == target) {
            row[action::kTargetSelect + k] = 1.f;
            break;
        }
    row[action::kSortMode] = 1.f;     // contacts sorted by distance
    row[action::kHostileOnly] = 1.f;  // hostile contacts only
}

void decide(Scene& s, const HeuristicSkill& k, const SteerContext& sc, int i, float* row) {
    const MechSpan& m = s.m;
    MechMind& mind = s.hw.minds[static_cast<size_t>(i)];
    update_stuck(mind, sc, i);
    const int target = k.fires ? choose_target(s, k, i) : kNoMech;
    mind.target = target;
    const MoveGoal goal = choose_goal(s, k, i, target, mind);
    Steer mv = steer_toward(mind, sc, i, goal.pos, goal.arrive);
    if (mind.unstick_left > 0) mv = unstick_command(mind, mv);
    mind.commanded = mv.speed;

    float face = m.yaw[i];
    const int team = s.team_of(i);
    const float reach = class_reach(static_cast<MechClass>(m.cls[i])) + 6.f;
    if (target >= 0 && length(s.hw.last_seen[team][target] - m.pos[i]) <= reach) {
        const Vec3 tp = s.hw.last_seen[team][target];
        face = std::atan2(tp.y - m.pos[i].y, tp.x - m.pos[i].x);
    } else if (mv.speed > 0.f) {
        face = std::atan2(mv.dy, mv.dx);
    }
    const Triggers t = choose_triggers(s, k, i, target);
    const bool scout = m.cls[i] == static_cast<uint8_t>(MechClass::Scout);
    float secondary = -1.f;
    if (scout) secondary = k.ewar ? scout_ewar(s, i, target) : 0.f;  // a scout's SECONDARY is EWAR
    const bool special = k.smoke && !m.is_shutdown(i) && !(t.secondary && !scout && m.cls[i] == static_cast<uint8_t>(MechClass::Heavy)) &&
                         wants_smoke(s, i, target);
    write_row(row, s.cfg, m, i, mv, face, t, secondary, special, target, s.cs);
}

}  // namespace

HeuristicSkill heuristic_skill(int level) {
    if (level < 0 || level > kHeuristicMaxLevel)
        throw std::invalid_argument("heuristic level must be in [0, " + std::to_string(kHeuristicMaxLevel) + "], got " +
                                    std::to_string(level));
    HeuristicSkill k;
    k.level = level;
    k.fires = level >= 1;
    k.fire_prob = level == 1 ? 0.5f : level == 2 ? 0.75f : level >= 3 ? 1.f : 0.f;
    k.all_weapons = k.manages_heat = k.uses_nav = level >= 2;
    k.focus_fire = k.keeps_range = k.smoke = k.vents_freely = level >= 3;
    k.cover = k.ewar = k.threat_priority = level >= 4;
    k.heat_ceiling = level >= 4 ? 0.95f : 0.85f;
    return k;
}

void HeuristicTeams::init(const SimConfig& cfg, int num_worlds, uint64_t seed, uint64_t world_offset) {
    cfg_ = &cfg;
    seed_ = seed;
    world_offset_ = world_offset;
    for (int t = 0; t < 2; ++t) set_level(t, cfg.heuristic.level[t]);
    worlds_.clear();
    const size_t a = static_cast<size_t>(cfg.num_agents());
    for (int w = 0; w < num_worlds; ++w) {
        auto hw = std::make_unique<HeuristicWorld>();
        hw->minds.assign(a, MechMind{});
        for (int t = 0; t < 2; ++t) {
            hw->last_seen[t].assign(a, Vec3{});
            hw->seen_age[t].assign(a, kNeverSeen);
            hw->visible[t].assign(a, 0);
        }
        worlds_.push_back(std::move(hw));
    }
}

void HeuristicTeams::set_level(int team, int level) {
    if (team < 0 || team > 1) throw std::invalid_argument("team must be 0 (blue) or 1 (red), got " + std::to_string(team));
    if (level < -1 || level > kHeuristicMaxLevel)
        throw std::invalid_argument("heuristic level must be -1 (external) or in [0, " + std::to_string(kHeuristicMaxLevel) +
                                    "], got " + std::to_string(level));
    pending_[team] = level;
}

void HeuristicTeams::start_episode(int w, WorldState& ws, MechSpan m) {
    HeuristicWorld& hw = *worlds_[static_cast<size_t>(w)];
    hw.episode = ws.episode;
    hw.level[0] = pending_[0];
    hw.level[1] = pending_[1];
    hw.rng = Rng(mix_seed(seed_, world_offset_ + static_cast<uint64_t>(w), static_cast<uint64_t>(ws.episode), kRngPurpose));
    for (auto& mind : hw.minds) {
        std::vector<Vec3> keep = std::move(mind.path);  // keep the capacity, drop the content
        keep.clear();
        mind = MechMind{};
        mind.path = std::move(keep);
    }
    for (int i = 0; i < m.size(); ++i) hw.minds[static_cast<size_t>(i)].window_start = m.pos[i];
    for (int t = 0; t < 2; ++t) {
        std::fill(hw.seen_age[t].begin(), hw.seen_age[t].end(), kNeverSeen);
        std::fill(hw.visible[t].begin(), hw.visible[t].end(), 0);
        hw.team_focus[t] = kNoMech;
    }
    rebuild_nav(w, ws.world);
}

void HeuristicTeams::rebuild_nav(int w, const World& world) {
    HeuristicWorld& hw = *worlds_.at(static_cast<size_t>(w));
    const bool nav = hw.level[0] >= 2 || hw.level[1] >= 2;
    if (!nav) return;
    const MechClass shapes[2] = {MechClass::Light, MechClass::Heavy};
    for (int g = 0; g < 2; ++g) {
        if (!hw.nav[g]) hw.nav[g] = std::make_unique<NavGraph>(world, nav_shape(shapes[g]));
        else hw.nav[g]->rebuild(world);
    }
}

void HeuristicTeams::sync(int w, WorldState& ws, MechSpan m) {
    HeuristicWorld& hw = *worlds_[static_cast<size_t>(w)];
    if (hw.episode != ws.episode) {
        start_episode(w, ws, m);
        return;
    }
    if (hw.level[0] < 2 && hw.level[1] < 2) return;
    if (ws.world.changed().empty() && !ws.world.full_rebuild()) return;
    for (auto& g : hw.nav)
        if (g) g->patch_from_changes(ws.world);
}

void HeuristicTeams::act(int w, WorldState& ws, MechSpan m, std::span<float> actions) {
    HeuristicWorld& hw = *worlds_[static_cast<size_t>(w)];
    if (hw.level[0] < 0 && hw.level[1] < 0) return;
    const SimConfig& cfg = *cfg_;
    Scene s{cfg, m, ws.world, ws.combat, ws.map.zone, hw, cfg.decision_seconds()};
    const int ad = cfg.action_dim();
    for (int team = 0; team < 2; ++team) {
        const int level = hw.level[team];
        if (level < 0) continue;
        const HeuristicSkill k = heuristic_skill(level);
        if (k.fires) perceive(s, team);
        if (k.focus_fire) choose_team_focus(s, team);
        for (int i = 0; i < m.size(); ++i) {
            if (m.team[i] != team) continue;
            float* row = &actions[static_cast<size_t>(i) * ad];
            if (!m.alive[i]) {
                std::fill(row, row + ad, 0.f);
                hw.minds[static_cast<size_t>(i)].target = kNoMech;
                continue;
            }
            const NavGraph* nav = nullptr;
            if (k.uses_nav) nav = hw.nav[m.cls[i] >= static_cast<uint8_t>(MechClass::Medium) ? 1 : 0].get();
            const SteerContext sc{cfg, m, ws.world, nav, hw.rng, s.dt};
            decide(s, k, sc, i, row);
        }
    }
}

void HeuristicTeams::apply_focus(int w, MechSpan m) const {
    const HeuristicWorld& hw = *worlds_[static_cast<size_t>(w)];
    if (hw.level[0] < 1 && hw.level[1] < 1) return;
    if (!cfg_->combat.enable_target_selection) return;
    for (int i = 0; i < m.size(); ++i) {
        if (!m.alive[i] || hw.level[m.team[i]] < 1) continue;
        const int t = hw.minds[static_cast<size_t>(i)].target;
        m.focus[i] = (t >= 0 && m.alive[t] && m.team[t] != m.team[i]) ? t : kNoMech;
    }
}

}  // namespace echelon
