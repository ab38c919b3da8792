#pragma once
// One agent's observation row, written from an ObsWorldView. This is the code the CPU writer
// and the CUDA assembly kernel both run (one call per agent), so CPU tests cover the kernel's
// arithmetic. C++17, ECHELON_HD, no allocation: fixed-size arrays on the stack. Its sines,
// cosines, arctangents and logarithms are the shared ones of base/hd_math.hpp, so the CPU and the
// GPU write the same bits (the local map floors rotated positions to cells).
#include <cmath>
#include <cstdint>

#include "echelon/base/hd_math.hpp"
#include "echelon/base/host_device.hpp"
#include "echelon/mech/classes.hpp"
#include "echelon/obs/layout.hpp"
#include "echelon/obs/world_view.hpp"
#include "echelon/combat/sensor_model.hpp"
#include "echelon/base/vec3.hpp"

namespace echelon {
namespace obs_detail {

ECHELON_HD inline float clampf(float v, float lo, float hi) { return v < lo ? lo : (v > hi ? hi : v); }
ECHELON_HD inline float clamp01(float v) { return clampf(v, 0.f, 1.f); }
ECHELON_HD inline float maxf(float a, float b) { return a > b ? a : b; }

ECHELON_HD inline float max_side(const ObsConstants& c) {
    const float xy = c.size_x > c.size_y ? c.size_x : c.size_y;
    return xy > c.size_z ? xy : static_cast<float>(c.size_z);
}

// Viewer frame: forward along yaw, left = forward rotated +90 deg (the +strafe direction), up.
ECHELON_HD inline Vec3 to_viewer_frame(Vec3 d, float cy, float sy) { return {cy * d.x + sy * d.y, -sy * d.x + cy * d.y, d.z}; }

ECHELON_HD inline bool in_same_pack(int a, int b, int agents_per_team) {
    const int ta = a / agents_per_team, tb = b / agents_per_team;
    return ta == tb && (a % agents_per_team) / kPackSize == (b % agents_per_team) / kPackSize;
}

ECHELON_HD inline bool painted_by_pack(const ObsMechArrays& m, int viewer, int o, int apt) {
    const int p = m.painter[o];
    return m.paint_ticks[o] > 0 && p >= 0 && in_same_pack(p, viewer, apt);
}

ECHELON_HD inline bool pair_clear(const ObsWorldView& w, const ObsConstants& c, int a, int b) {
    return w.los[a * c.agents + b] != 0;
}

// Partial-mode rules (docs/observation.md, "Contacts"): painted by the pack (with quality >= 0.70), radar
// range 14 x quality, a hot or emitting hostile not hidden by smoke (approximated by the pair's
// LOS, which includes smoke and terrain: a conservative reading), or a clear line of sight.
ECHELON_HD inline bool contact_visible(const ObsWorldView& w, const ObsConstants& c, int v, int o, float quality) {
    if (c.full_observation) return true;
    const ObsMechArrays& m = w.m;
    if (painted_by_pack(m, v, o, c.agents_per_team) && quality >= kPaintSightQuality) return true;
    if (length(m.pos[o] - m.pos[v]) <= kRadarRange * quality) return true;
    const bool hostile = m.team[o] != m.team[v];
    const bool clear = pair_clear(w, c, v, o);
    if (hostile && clear) {
        const float cap = class_spec(static_cast<MechClass>(m.cls[o])).heat_cap;
        if (m.heat[o] / cap > kHotSignature || m.ecm[o] || m.eccm[o]) return true;
    }
    return clear;
}

struct SortKey {
    float primary, secondary;
    int index;
};

ECHELON_HD inline bool key_less(const SortKey& a, const SortKey& b) {
    if (a.primary != b.primary) return a.primary < b.primary;
    if (a.secondary != b.secondary) return a.secondary < b.secondary;
    return a.index < b.index;
}

ECHELON_HD inline float class_rank(uint8_t cls) { return cls <= 1 ? 1.f : static_cast<float>(cls); }

ECHELON_HD inline SortKey contact_key(const ObsMechArrays& m, int v, int o, int mode) {
    const float d = length(m.pos[o] - m.pos[v]);
    if (mode == 1) return {-class_rank(m.cls[o]), d, o};  // biggest first
    if (mode == 2) {                                     // most damaged first
        const float hp = clamp01(m.hp[o] / class_spec(static_cast<MechClass>(m.cls[o])).hp);
        return {hp, d, o};
    }
    return {d, 0.f, o};  // closest first
}

// Insertion into a sorted list of at most `cap` keys (lists are short: at most 79 entries).
ECHELON_HD inline void insert_sorted(SortKey* list, int& n, SortKey k) {
    int i = n++;
    while (i > 0 && key_less(k, list[i - 1])) {
        list[i] = list[i - 1];
        --i;
    }
    list[i] = k;
}

struct ContactSelection {
    int ids[kMaxContactSlots];
    int count;
    int visible_hostiles, visible_friendlies;
    float hostile_tonnage, friendly_tonnage;
    int hostiles_near;
};

// Candidates split by relation and sorted by the viewer's mode; reserve up to 3K/5 friendly and
// max(1, K/5) hostile slots (all K hostile with the hostile-only filter), then refill free slots
// preferring hostiles, then friendlies. Slot order is the order of selection (docs/observation.md,
// "Contacts").
ECHELON_HD inline ContactSelection select_contacts(const ObsWorldView& w, const ObsConstants& c, int v, int slots,
                                                   float quality) {
    const ObsMechArrays& m = w.m;
    SortKey friends[kMaxAgents], foes[kMaxAgents];
    int nf = 0, nh = 0;
    ContactSelection sel{};
    const int mode = m.sort_mode[v] < 3 ? m.sort_mode[v] : 0;
    const bool hostile_only = m.hostile_only[v] != 0;
    for (int o = 0; o < c.agents; ++o) {
        if (o == v || !m.alive[o] || !contact_visible(w, c, v, o, quality)) continue;
        const bool hostile = m.team[o] != m.team[v];
        const float tons = class_spec(static_cast<MechClass>(m.cls[o])).tonnage;
        if (hostile) {
            ++sel.visible_hostiles;
            sel.hostile_tonnage += tons;
            if (length(m.pos[o] - m.pos[v]) <= 20.f) ++sel.hostiles_near;
            insert_sorted(foes, nh, contact_key(m, v, o, mode));
        } else {
            ++sel.visible_friendlies;
            sel.friendly_tonnage += tons;
            if (!hostile_only) insert_sorted(friends, nf, contact_key(m, v, o, mode));
        }
    }
    const int reserve_f = hostile_only ? 0 : (3 * slots) / 5;
    const int reserve_h = hostile_only ? slots : maxf(1.f, static_cast<float>(slots / 5));
    int fi = 0, hi = 0;
    for (; fi < nf && fi < reserve_f && sel.count < slots; ++fi) sel.ids[sel.count++] = friends[fi].index;
    for (; hi < nh && hi < reserve_h && sel.count < slots; ++hi) sel.ids[sel.count++] = foes[hi].index;
    for (; hi < nh && sel.count < slots; ++hi) sel.ids[sel.count++] = foes[hi].index;
    for (; fi < nf && sel.count < slots; ++fi) sel.ids[sel.count++] = friends[fi].index;
    return sel;
}

// Relative velocities reach twice the fastest speed (two scouts head-on): their one constant
// (docs/observation.md, "Differences from the original": the original divided by 10 while
// speeds reach 7 each way).
inline constexpr float kRelativeSpeedScale = 1.f / (2.f * kFastestMaxSpeed);

ECHELON_HD inline void write_contact(const ObsWorldView& w, const ObsConstants& c, int v, int o, float* f) {
    const ObsMechArrays& m = w.m;
    const float cy = hd_cosf(m.yaw[v]), sy = hd_sinf(m.yaw[v]);
    const float scale = 1.f / max_side(c);
    const Vec3 rel = m.pos[o] - m.pos[v];
    const Vec3 rel_vel = m.vel[o] - m.vel[v];
    const Vec3 rp = to_viewer_frame(rel, cy, sy), rv = to_viewer_frame(rel_vel, cy, sy);
    f[0] = rp.x * scale; f[1] = rp.y * scale; f[2] = rp.z * scale;
    f[3] = rv.x * kRelativeSpeedScale; f[4] = rv.y * kRelativeSpeedScale; f[5] = rv.z * kRelativeSpeedScale;
    const float dyaw = m.yaw[o] - m.yaw[v];
    f[6] = hd_sinf(dyaw); f[7] = hd_cosf(dyaw);
    const ClassSpec s = class_spec(static_cast<MechClass>(m.cls[o]));
    f[8] = clamp01(m.hp[o] / s.hp);
    f[9] = clampf(m.heat[o] / s.heat_cap, 0.f, 2.f);
    f[10] = clamp01(m.stability[o] / 100.f);
    f[11] = m.fallen_ticks[o] > 0 ? 1.f : 0.f;
    f[12] = m.leg_hp[o] <= 0.f ? 1.f : 0.f;
    const bool hostile = m.team[o] != m.team[v];
    f[13] = hostile ? 0.f : 1.f; f[14] = hostile ? 1.f : 0.f; f[15] = 0.f;
    for (int k = 0; k < 4; ++k) f[16 + k] = m.cls[o] == k ? 1.f : 0.f;
    f[20] = painted_by_pack(m, v, o, c.agents_per_team) ? 1.f : 0.f;
    f[21] = 1.f;
    // Lead pitch for a 40 vox/s ballistic round (the original game's contact feature 22).
    const float dxy = sqrtf(rel.x * rel.x + rel.y * rel.y);
    if (dxy > 0.1f) {
        const float t = dxy / 40.f;
        const float drop = 0.5f * c.gravity * t * t;
        f[22] = clampf(hd_atan2f(rel.z + drop, dxy) / 0.785398163f, -1.f, 1.f);
    } else {
        f[22] = 0.f;
    }
    const float dist = length(rel);
    f[23] = dist > 0.1f ? clampf(-dot(rel_vel, rel) / dist * kRelativeSpeedScale, -1.f, 1.f) : 0.f;
    f[24] = m.focus[v] == o ? 1.f : 0.f;
}

// Rotated egocentric samples of the occupancy grids: rows from 5 behind to 5 ahead, columns from
// 5 to the right to 5 to the left; outside the map reads as blocked. World to cell uses floor.
ECHELON_HD inline void write_local_map(const ObsWorldView& w, const ObsConstants& c, int v, float* out) {
    const Vec3 p = w.m.pos[v];
    const float cy = hd_cosf(w.m.yaw[v]), sy = hd_sinf(w.m.yaw[v]);
    const int plane = c.size_x * c.size_y;
    for (int f = -kLocalMapRadius; f <= kLocalMapRadius; ++f)
        for (int s = -kLocalMapRadius; s <= kLocalMapRadius; ++s) {
            const float wx = p.x + cy * f - sy * s, wy = p.y + sy * f + cy * s;
            const int ix = static_cast<int>(floorf(wx)), iy = static_cast<int>(floorf(wy));
            const bool inside = ix >= 0 && iy >= 0 && ix < c.size_x && iy < c.size_y;
            const int cell = (f + kLocalMapRadius) * kLocalMapSide + (s + kLocalMapRadius);
            for (int ch = 0; ch < kLocalMapChannels; ++ch)
                out[ch * kLocalMapSide * kLocalMapSide + cell] =
                    inside ? static_cast<float>(w.occupancy[ch * plane + iy * c.size_x + ix]) : 1.f;
        }
}

// Sound from every other living mech: noise / (1 + d^2), x0.2 without line of sight, summed in
// four bearing quadrants of the viewer (front-left, front-right, rear-left, rear-right).
ECHELON_HD inline void write_acoustic(const ObsWorldView& w, const ObsConstants& c, int v, float* out) {
    const ObsMechArrays& m = w.m;
    float sum[4] = {0.f, 0.f, 0.f, 0.f};
    for (int o = 0; o < c.agents; ++o) {
        if (o == v || !m.alive[o]) continue;
        const float noise = mech_noise(m.vel[o], m.cls[o], m.fallen_ticks[o] > 0);
        if (noise <= 0.f) continue;
        const Vec3 d = m.pos[o] - m.pos[v];
        float intensity = noise / (1.f + dot(d, d));
        if (!pair_clear(w, c, v, o)) intensity *= kNoOcclusionFactor;
        const float a = wrap_angle(hd_atan2f(d.y, d.x) - m.yaw[v]);
        const int bucket = a >= 0.f ? (a < 1.57079633f ? 0 : 2) : (a > -1.57079633f ? 1 : 3);
        sum[bucket] += intensity;
    }
    for (int k = 0; k < 4; ++k) out[k] = hd_logf(1.f + sum[k]) / 5.f;
}

ECHELON_HD inline bool targeted_by_enemy(const ObsWorldView& w, const ObsConstants& c, int v) {
    const ObsMechArrays& m = w.m;
    for (int o = 0; o < c.agents; ++o)
        if (o != v && m.alive[o] && m.team[o] != m.team[v] && length(m.pos[o] - m.pos[v]) <= kTargetedRadius &&
            pair_clear(w, c, v, o))
            return true;
    return false;
}

ECHELON_HD inline void write_self(const ObsWorldView& w, const ObsConstants& c, int v, const SensorReading& sr, float* o) {
    const ObsMechArrays& m = w.m;
    const ClassSpec s = class_spec(static_cast<MechClass>(m.cls[v]));
    const bool shutdown = m.heat[v] > s.heat_cap;
    const float cy = hd_cosf(m.yaw[v]), sy = hd_sinf(m.yaw[v]);
    o[0] = targeted_by_enemy(w, c, v) ? 1.f : 0.f;
    o[1] = m.was_hit[v] ? 1.f : 0.f;
    o[2] = m.paint_ticks[v] > 0 ? 1.f : 0.f;
    o[3] = shutdown ? 1.f : 0.f;
    o[4] = m.heat[v] / s.heat_cap > 0.85f ? 1.f : 0.f;
    o[5] = clamp01(m.hp[v] / s.hp);
    o[6] = clampf(m.heat[v] / s.heat_cap, 0.f, 2.f);
    o[7] = clamp01((s.heat_cap - m.heat[v]) / s.heat_cap);
    o[8] = clamp01(1.f - m.stability[v] / 100.f);
    const Vec3 dd = to_viewer_frame(m.last_damage_dir[v], cy, sy);
    o[9] = dd.x; o[10] = dd.y; o[11] = dd.z;
    o[12] = m.incoming_missile[v] ? 1.f : 0.f;
    o[13] = clamp01(sr.quality / kSensorQualityMax);
    o[14] = sr.jam;
    o[15] = (m.ecm[v] && !shutdown) ? 1.f : 0.f;
    o[16] = (m.eccm[v] && !shutdown) ? 1.f : 0.f;
    o[17] = clamp01(m.suppress_ticks[v] / c.suppress_ticks);
    o[18] = clamp01(m.ams_ticks[v] / c.ams_ticks);
    // A shut-down mech's instruments are dark: no velocity reading (docs/game_rules.md, "Changes from the original game" 15).
    const Vec3 vel = shutdown ? Vec3{0.f, 0.f, 0.f} : m.vel[v] * (1.f / kFastestMaxSpeed);
    const Vec3 vl = to_viewer_frame(vel, cy, sy);
    o[19] = vel.x; o[20] = vel.y; o[21] = vel.z;
    o[22] = vl.x; o[23] = vl.y; o[24] = vl.z;
    o[25] = clamp01(m.cd_laser[v] / c.laser_ticks);
    o[26] = clamp01(m.cd_missile[v] / c.missile_ticks);
    o[27] = clamp01(m.cd_kinetic[v] / c.kinetic_ticks[m.cls[v] < 4 ? m.cls[v] : 0]);
    o[28] = clamp01(m.cd_painter[v] / c.painter_ticks);
    const int mode = m.sort_mode[v] < 3 ? m.sort_mode[v] : 0;
    for (int k = 0; k < 3; ++k) o[29 + k] = mode == k ? 1.f : 0.f;
    o[32] = m.hostile_only[v] ? 1.f : 0.f;
    o[33] = clamp01(w.s.time_fraction);
    o[34] = clamp01(m.leg_hp[v] / s.leg_hp);
    o[35] = m.fallen_ticks[v] > 0 ? 1.f : 0.f;
    o[36] = m.leg_hp[v] <= 0.f ? 1.f : 0.f;
    o[37] = cy; o[38] = sy;
    o[39] = m.pos[v].x / c.size_x; o[40] = m.pos[v].y / c.size_y; o[41] = m.pos[v].z / c.size_z;
}

ECHELON_HD inline void write_zone(const ObsWorldView& w, const ObsConstants& c, int v, float* o) {
    const ObsMechArrays& m = w.m;
    const float side = static_cast<float>(c.size_x > c.size_y ? c.size_x : c.size_y);
    const float scale = 1.f / (side > 1.f ? side : 1.f);
    const float dx = w.s.zone_cx - m.pos[v].x, dy = w.s.zone_cy - m.pos[v].y, dz = -m.pos[v].z;
    const float cy = hd_cosf(m.yaw[v]), sy = hd_sinf(m.yaw[v]);
    o[0] = dx * scale; o[1] = dy * scale; o[2] = dz * scale;
    o[3] = (cy * dx + sy * dy) * scale;
    o[4] = (-sy * dx + cy * dy) * scale;
    const float diag = sqrtf(static_cast<float>(c.size_x) * c.size_x + static_cast<float>(c.size_y) * c.size_y);
    const float dist = sqrtf(dx * dx + dy * dy);
    o[5] = maxf(0.f, dist - w.s.zone_radius) / diag;
    o[6] = clamp01(w.s.zone_radius * scale);
    o[7] = dist < w.s.zone_radius ? 1.f : 0.f;
    const int own = m.team[v], enemy = 1 - own;
    o[8] = clamp01(w.s.zone_score[own] / c.score_to_win);
    o[9] = clamp01(w.s.zone_score[enemy] / c.score_to_win);
    o[10] = own == 0 ? w.s.zone_margin : -w.s.zone_margin;
}

// The other four members of the viewer's pack, in roster order: bearing in the viewer's frame,
// distance, alive, hp, heat, stability, class; dead members' rows are zero and unmasked.
ECHELON_HD inline int write_squad(const ObsWorldView& w, const ObsConstants& c, int v, float* rows, float* mask) {
    const ObsMechArrays& m = w.m;
    const int team_base = (v / c.agents_per_team) * c.agents_per_team;
    const int pack_base = team_base + ((v - team_base) / kPackSize) * kPackSize;
    const float scale = 1.f / max_side(c);
    int row = 0, alive_mates = 0;
    for (int k = 0; k < kPackSize && row < kSquadRows; ++k) {
        const int o = pack_base + k;
        if (o == v) continue;
        float* r = rows + row * kSquadDim;
        const bool live = o < c.agents && m.alive[o];
        mask[row] = live ? 1.f : 0.f;
        if (live) {
            ++alive_mates;
            const Vec3 d = m.pos[o] - m.pos[v];
            const float bearing = hd_atan2f(d.y, d.x) - m.yaw[v];
            const ClassSpec s = class_spec(static_cast<MechClass>(m.cls[o]));
            r[0] = hd_sinf(bearing); r[1] = hd_cosf(bearing);
            r[2] = length(d) * scale;
            r[3] = 1.f;
            r[4] = clamp01(m.hp[o] / s.hp);
            r[5] = clampf(m.heat[o] / s.heat_cap, 0.f, 2.f);
            r[6] = clamp01(m.stability[o] / 100.f);
            r[7] = m.cls[o] / 3.f;
        }
        ++row;
    }
    return alive_mates;
}

}  // namespace obs_detail

// Writes agent v's full row (layout.dim floats; the caller zeroed it) and the agent indices
// shown in its first `ids_out_len` contact slots (-1 for empty) for target selection.
ECHELON_HD inline void write_agent_observation(const ObsWorldView& w, const ObsConstants& c, const ObsOffsets& L,
                                               int v, float* out, int32_t* ids_out, int ids_out_len) {
    using namespace obs_detail;
    for (int k = 0; k < ids_out_len; ++k) ids_out[k] = -1;
    const ObsMechArrays& m = w.m;
    if (!m.alive[v]) return;
    const SensorReading sr = sensor_reading(v, c.agents, m.pos, m.heat, m.cls, m.alive, m.team, m.ecm, m.eccm);
    const ContactSelection sel = select_contacts(w, c, v, L.contact_slots, sr.quality);
    for (int k = 0; k < sel.count; ++k) {
        write_contact(w, c, v, sel.ids[k], out + L.contacts + k * kContactDim);
        out[L.contacts_mask + k] = 1.f;
        if (k < ids_out_len) ids_out[k] = sel.ids[k];
    }
    if (L.comm >= 0) {
        const int team_base = (v / c.agents_per_team) * c.agents_per_team;
        const int pack_base = team_base + ((v - team_base) / kPackSize) * kPackSize;
        for (int k = 0; k < kPackSize; ++k) {
            const int o = pack_base + k;
            if (o >= c.agents || !m.alive[o]) continue;
            for (int j = 0; j < c.comm_dim; ++j) out[L.comm + k * c.comm_dim + j] = m.comm[o * c.comm_dim + j];
        }
    }
    write_local_map(w, c, v, out + L.local_map);
    for (int k = 0; k < kTelemetrySide * kTelemetrySide; ++k) out[L.telemetry + k] = w.telemetry[k];
    write_acoustic(w, c, v, out + L.acoustic);
    for (int k = 0; k < kHullDim; ++k) out[L.hull + k] = m.cls[v] == k ? 1.f : 0.f;
    write_self(w, c, v, sr, out + L.self);
    write_zone(w, c, v, out + L.zone);
    const int mates = write_squad(w, c, v, out + L.squad, out + L.squad_mask);
    // suite: role (hull) one-hot, contact slots / 20, radar range now / 21, quality / 1.5, full mode
    float* su = out + L.suite;
    for (int k = 0; k < 4; ++k) su[k] = m.cls[v] == k ? 1.f : 0.f;
    su[4] = L.contact_slots / 20.f;
    su[5] = clamp01(kRadarRange * sr.quality / 21.f);
    su[6] = clamp01(sr.quality / kSensorQualityMax);
    su[7] = c.full_observation ? 1.f : 0.f;
    // panel: visible hostiles and friendlies per team size, slots used, visible tonnage, alert,
    // living pack-mates, hostiles within 20 vox
    float* pa = out + L.panel;
    const float team_size = static_cast<float>(c.agents_per_team);
    const float team_tons = 85.f * team_size;
    const ClassSpec s = class_spec(static_cast<MechClass>(m.cls[v]));
    pa[0] = sel.visible_hostiles / team_size;
    pa[1] = sel.visible_friendlies / team_size;
    pa[2] = static_cast<float>(sel.count) / L.contact_slots;
    pa[3] = clamp01(sel.hostile_tonnage / team_tons);
    pa[4] = clamp01(sel.friendly_tonnage / team_tons);
    pa[5] = (m.incoming_missile[v] || m.heat[v] / s.heat_cap > 0.85f || m.stability[v] < 30.f) ? 1.f : 0.f;
    pa[6] = mates / static_cast<float>(kSquadRows);
    pa[7] = sel.hostiles_near / team_size;
}

}  // namespace echelon
