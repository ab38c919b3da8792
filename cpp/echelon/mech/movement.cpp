#include "echelon/mech/movement.hpp"

#include <algorithm>
#include <cmath>

#include "echelon/mech/actions.hpp"

namespace echelon {

namespace {

float clip1(float v) { return std::clamp(v, -1.f, 1.f); }

bool boxes_overlap(Vec3 a_lo, Vec3 a_hi, Vec3 b_lo, Vec3 b_hi) {
    return a_lo.x < b_hi.x && a_hi.x > b_lo.x && a_lo.y < b_hi.y && a_hi.y > b_lo.y && a_lo.z < b_hi.z &&
           a_hi.z > b_lo.z;
}

bool feet_in_water(MechSpan m, int i, const World& world) {
    const Vec3 p = m.pos[i];
    const float feet = p.z - m.spec(i).half_z;
    const int x = static_cast<int>(std::floor(p.x)), y = static_cast<int>(std::floor(p.y));
    const int z = static_cast<int>(std::floor(feet));
    return world.in_bounds(x, y, z) && world.get(x, y, z) == static_cast<uint8_t>(Material::Water);
}

}  // namespace

bool mech_box_blocked(MechSpan m, int i, const World& world, Vec3 centre) {
    const Vec3 h = m.half_size(i);
    const Vec3 lo = centre - h, hi = centre + h;
    if (world.aabb_collides(lo, hi)) return true;
    // Brute force over the world's mechs: at most 40 per world, cheaper than maintaining a hash.
    for (int j = 0; j < m.size(); ++j) {
        if (j == i || !m.alive[j]) continue;
        const Vec3 hj = m.half_size(j);
        if (boxes_overlap(lo, hi, m.pos[j] - hj, m.pos[j] + hj)) return true;
    }
    return false;
}

void apply_rotation(MechSpan m, int i, float yaw_input, float dt) {
    if (m.is_shutdown(i)) return;
    m.yaw[i] = wrap_angle(m.yaw[i] + clip1(yaw_input) * m.spec(i).max_yaw_rate * dt);
}

void apply_velocity_command(MechSpan m, int i, const World& world, float forward, float strafe,
                            float vertical, const MovementParams& p) {
    Vec3& v = m.vel[i];
    if (m.is_shutdown(i)) {  // no control: gravity and damping only, the mech coasts
        v.z -= p.gravity * p.dt;
        v = v * kVelocityDamping;
        return;
    }
    float f = clip1(forward), s = clip1(strafe);
    const float vert = clip1(vertical);
    const float norm = std::hypot(f, s);
    if (norm > 1.f) { f /= norm; s /= norm; }  // diagonals get no sqrt(2) boost
    float speed_scale = 1.f, accel_scale = 1.f;
    if (m.is_legged(i)) { speed_scale *= kLeggedSpeedScale; accel_scale *= kLeggedAccelScale; }
    if (feet_in_water(m, i, world)) speed_scale *= kWaterSpeedScale;
    const ClassSpec spec = m.spec(i);
    const float c = std::cos(m.yaw[i]), sn = std::sin(m.yaw[i]);
    const float speed = spec.max_speed * speed_scale;
    v.x = (c * f - sn * s) * speed;
    v.y = (sn * f + c * s) * speed;
    v.z += (vert * spec.max_jet_accel * accel_scale - p.gravity) * p.dt;
    v = v * kVelocityDamping;
}

void integrate_position(MechSpan m, int i, const World& world, float dt) {
    Vec3 pos = m.pos[i];
    Vec3& vel = m.vel[i];
    const Vec3 h = m.half_size(i);
    // Each axis's trial is clamped to the map (and the ceiling) before it is tested, so the box
    // that was checked is the box that is kept: clamping after a later axis has moved could put
    // the box where no test looked (a mech against the map edge while jumping).
    const float lo_x = h.x, hi_x = static_cast<float>(world.size_x()) - h.x;
    const float lo_y = h.y, hi_y = static_cast<float>(world.size_y()) - h.y;
    const float ceiling = static_cast<float>(world.size_z()) - h.z;  // no flying out of reach ( "Changes from the original game" 2)
    for (int axis = 0; axis < 2; ++axis) {
        const float dv = axis == 0 ? vel.x : vel.y;
        if (dv == 0.f) continue;
        Vec3 trial = pos;
        float& c = axis == 0 ? trial.x : trial.y;
        c = std::clamp(c + dv * dt, axis == 0 ? lo_x : lo_y, axis == 0 ? hi_x : hi_y);
        if (!mech_box_blocked(m, i, world, trial)) {
            pos = trial;
            continue;
        }
        Vec3 stepped = trial;
        stepped.z += kStepUpHeight;
        if (std::fabs(vel.z) < kStepUpMaxVz && stepped.z <= ceiling && !mech_box_blocked(m, i, world, stepped)) {
            pos = stepped;
        } else {
            (axis == 0 ? vel.x : vel.y) = 0.f;
        }
    }
    if (vel.z != 0.f) {
        Vec3 trial = pos;
        trial.z = std::min(trial.z + vel.z * dt, ceiling);
        if (vel.z > 0.f && trial.z >= ceiling) vel.z = 0.f;
        if (mech_box_blocked(m, i, world, trial)) vel.z = 0.f;
        else pos = trial;
    }
    m.pos[i] = pos;
}

void move_mechs(MechSpan m, const World& world, std::span<const float> actions, int action_dim,
                const MovementParams& p, Rng& rng, std::span<int> order) {
    int n = 0;
    for (int i = 0; i < m.size(); ++i)
        if (m.alive[i]) order[n++] = i;
    for (int k = n - 1; k > 0; --k) std::swap(order[k], order[rng.integer(0, k)]);
    for (int k = 0; k < n; ++k) {
        const int i = order[k];
        const float* a = &actions[static_cast<size_t>(i) * action_dim];
        if (m.is_fallen(i)) {
            apply_velocity_command(m, i, world, 0.f, 0.f, 0.f, p);
        } else {
            apply_rotation(m, i, a[action::kYawRate], p.dt);
            apply_velocity_command(m, i, world, a[action::kForward], a[action::kStrafe], a[action::kVertical], p);
        }
        integrate_position(m, i, world, p.dt);
    }
}

}  // namespace echelon
