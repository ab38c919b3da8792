// A loaded replay with time-based access: frames, interpolated mech states, events in a time
// window, and the voxel grid at any frame (edits applied forward or undone backward).

export class ReplayModel {
  constructor({ header, arrays }) {
    this.header = header;
    this.a = arrays;
    this.T = arrays.step.shape[0];
    this.A = arrays.team.shape[0];
    const [Z, Y, X] = arrays.initial_voxels.shape;
    this.size = { x: X, y: Y, z: Z };
    this.decisionSeconds = header.timing.decision_seconds;
    this.dt = header.timing.dt;
    this.duration = (this.T - 1) * this.decisionSeconds;
    this.names = header.names;
    this.flagBit = {};
    header.names.mech_flags.forEach((n, i) => { this.flagBit[n] = 1 << i; });
    this.eventType = {};
    header.names.event_types.forEach((n, i) => { this.eventType[n] = i; });
    this.weaponName = header.names.weapons;
    this.classes = header.classes;
    this.team = arrays.team.data;
    this.cls = arrays.class.data;
    // The material each edit replaced, so scrubbing backward can undo edits.
    const grid = new Uint8Array(arrays.initial_voxels.data);
    const idx = arrays.edit_index.data, mat = arrays.edit_material.data;
    this.editPrev = new Uint8Array(idx.length);
    for (let k = 0; k < idx.length; k++) { this.editPrev[k] = grid[idx[k]]; grid[idx[k]] = mat[k]; }
    this.grid = new Uint8Array(arrays.initial_voxels.data);
    this.gridFrame = 0;
    this.gridVersion = 0;
    this.kills = this._collect('kill');
    this.cumReward = new Float32Array(this.T * this.A);
    const r = arrays.reward.data;
    for (let t = 0; t < this.T; t++) {
      for (let i = 0; i < this.A; i++) {
        this.cumReward[t * this.A + i] = (t ? this.cumReward[(t - 1) * this.A + i] : 0) + r[t * this.A + i];
      }
    }
  }

  _collect(typeName) {
    const type = this.eventType[typeName];
    const out = [];
    const a = this.a;
    for (let k = 0; k < a.event_type.data.length; k++) {
      if (a.event_type.data[k] === type) out.push(this.event(k));
    }
    return out;
  }

  event(k) {
    const a = this.a;
    return {
      k,
      time: a.event_tick.data[k] * this.dt,
      type: this.names.event_types[a.event_type.data[k]],
      weapon: this.weaponName[a.event_weapon.data[k]],
      flags: a.event_flags.data[k],
      shooter: a.event_shooter.data[k],
      target: a.event_target.data[k],
      pos: [a.event_pos.data[3 * k], a.event_pos.data[3 * k + 1], a.event_pos.data[3 * k + 2]],
      value: a.event_value.data[k],
    };
  }

  // Events whose time lies in (t0, t1]; event ticks never decrease, so a binary search finds
  // the window.
  eventsBetween(t0, t1) {
    const ticks = this.a.event_tick.data;
    const lo = lowerBound(ticks, Math.floor(t0 / this.dt + 1e-6) + 1);
    const out = [];
    for (let k = lo; k < ticks.length && ticks[k] * this.dt <= t1 + 1e-9; k++) out.push(this.event(k));
    return out;
  }

  frameAt(time) { return Math.max(0, Math.min(this.T - 1, time / this.decisionSeconds)); }

  has(t, i, flag) { return (this.a.mech_flags.data[t * this.A + i] & this.flagBit[flag]) !== 0; }

  // Mech i at fractional frame f: position and yaw interpolated between frames; the rest is
  // the state of the frame reached so far.
  mech(i, f) {
    const A = this.A, a = this.a;
    const t0 = Math.floor(f), t1 = Math.min(this.T - 1, t0 + 1), w = f - t0;
    const p = a.mech_pos.data, o0 = (t0 * A + i) * 3, o1 = (t1 * A + i) * 3;
    const alive1 = this.has(t1, i, 'alive');
    const u = alive1 ? w : 0;
    const pos = [p[o0] + (p[o1] - p[o0]) * u, p[o0 + 1] + (p[o1 + 1] - p[o0 + 1]) * u, p[o0 + 2] + (p[o1 + 2] - p[o0 + 2]) * u];
    const y0 = a.mech_yaw.data[t0 * A + i], y1 = a.mech_yaw.data[t1 * A + i];
    let dy = y1 - y0;
    while (dy > Math.PI) dy -= 2 * Math.PI;
    while (dy < -Math.PI) dy += 2 * Math.PI;
    const t = Math.round(f) <= t0 ? t0 : t1;  // discrete state switches halfway
    const k = t * A + i;
    const cls = this.classes[this.cls[i]];
    return {
      i, t, pos, yaw: y0 + dy * u,
      team: this.team[i], cls,
      vel: [a.mech_vel.data[3 * k], a.mech_vel.data[3 * k + 1], a.mech_vel.data[3 * k + 2]],
      hp: a.mech_hp.data[k], legHp: a.mech_leg_hp.data[k], heat: a.mech_heat.data[k],
      stability: a.mech_stability.data[k], focus: a.mech_focus.data[k],
      reward: this.cumReward[k],
      alive: this.has(t, i, 'alive'), fallen: this.has(t, i, 'fallen'), legged: this.has(t, i, 'legged'),
      shutdown: this.has(t, i, 'shutdown'), ecm: this.has(t, i, 'ecm'), eccm: this.has(t, i, 'eccm'),
      painted: this.has(t, i, 'painted'), suppressed: this.has(t, i, 'suppressed'),
    };
  }

  projectiles(t) {
    const a = this.a, off = a.proj_offsets.data, out = [];
    for (let k = off[t]; k < off[t + 1]; k++) {
      out.push({
        weapon: this.weaponName[a.proj_weapon.data[k]],
        shooter: a.proj_shooter.data[k], target: a.proj_target.data[k],
        pos: [a.proj_pos.data[3 * k], a.proj_pos.data[3 * k + 1], a.proj_pos.data[3 * k + 2]],
        vel: [a.proj_vel.data[3 * k], a.proj_vel.data[3 * k + 1], a.proj_vel.data[3 * k + 2]],
      });
    }
    return out;
  }

  smoke(t) {
    const s = this.a.smoke.data, off = this.a.smoke_offsets.data, out = [];
    for (let k = off[t]; k < off[t + 1]; k++) out.push([s[4 * k], s[4 * k + 1], s[4 * k + 2], s[4 * k + 3]]);
    return out;
  }

  zoneScore(t) { const z = this.a.zone_score.data; return [z[2 * t], z[2 * t + 1]]; }

  // Moves the working grid to frame t (edits of decisions 1..t applied). Returns true when it
  // changed.
  seekGrid(t) {
    if (t === this.gridFrame) return false;
    const off = this.a.edit_offsets.data, idx = this.a.edit_index.data, mat = this.a.edit_material.data;
    const from = off[this.gridFrame + 1], to = off[t + 1];
    if (to > from) for (let k = from; k < to; k++) this.grid[idx[k]] = mat[k];
    else for (let k = from - 1; k >= to; k--) this.grid[idx[k]] = this.editPrev[k];
    this.gridFrame = t;
    if (to !== from) this.gridVersion++;
    return to !== from;
  }
}

function lowerBound(arr, value) {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < value) lo = mid + 1; else hi = mid;
  }
  return lo;
}
