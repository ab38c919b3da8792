// The three.js scene of a replay: voxel terrain (one instanced mesh per material, only voxels
// with an exposed face), mechs as their hitbox boxes in team colours with status bars, weapon
// effects, smoke and the capture zone. World axes are the simulator's: x, y on the ground, z up.
import * as THREE from 'three';

export const TEAM_COLOURS = [0x3d8bfd, 0xf0483e];

// One style per material id (docs/game_rules.md): colour, opacity, emissive glow.
export const MATERIALS = [
  null, // air
  { name: 'solid', colour: 0x8c8f96 },
  { name: 'lava', colour: 0xff5a12, emissive: 0xc83800 },
  { name: 'water', colour: 0x2f76d8, opacity: 0.6 },
  { name: 'debris field', colour: 0x9a7550 },
  { name: 'solid debris', colour: 0x5a4330 },
  { name: 'dirt', colour: 0xc9b68f },
  { name: 'glass', colour: 0xa8ecff, opacity: 0.35 },
  { name: 'reinforced', colour: 0x3b3f5c },
  { name: 'foliage', colour: 0x3f9a3a, opacity: 0.85 },
];
const SEE_THROUGH = new Uint8Array([1, 0, 0, 1, 0, 0, 0, 1, 0, 1]); // neighbours that expose a face

function hash3(x, y, z) {
  let h = (x * 73856093) ^ (y * 19349663) ^ (z * 83492791);
  h = (h ^ (h >>> 13)) * 0x5bd1e995;
  return ((h ^ (h >>> 15)) >>> 0) / 4294967295;
}

export class WorldView {
  constructor(scene, model) {
    this.model = model;
    this.group = new THREE.Group();
    scene.add(this.group);
    const { x: X, y: Y, z: Z } = model.size;
    // Capacity per material: what the initial map holds plus every edit that writes it.
    const cap = new Uint32Array(MATERIALS.length);
    for (const m of model.a.initial_voxels.data) cap[m]++;
    for (const m of model.a.edit_material.data) cap[m]++;
    const box = new THREE.BoxGeometry(1, 1, 1);
    this.meshes = MATERIALS.map((style, id) => {
      if (!style || cap[id] === 0) return null;
      const mat = new THREE.MeshLambertMaterial({ color: 0xffffff });
      if (style.opacity) { mat.transparent = true; mat.opacity = style.opacity; mat.depthWrite = style.opacity > 0.7; }
      if (style.emissive) { mat.emissive = new THREE.Color(style.emissive); mat.emissiveIntensity = 0.8; }
      const mesh = new THREE.InstancedMesh(box, mat, cap[id]);
      mesh.instanceMatrix.setUsage(THREE.DynamicDrawUsage);
      mesh.instanceColor = new THREE.InstancedBufferAttribute(new Float32Array(cap[id] * 3), 3);
      mesh.name = style.name;
      mesh.frustumCulled = false;
      mesh.renderOrder = style.opacity ? 2 : 1;
      this.group.add(mesh);
      return mesh;
    });
    // The floor under the map and a faint grid every 10 voxels.
    const floor = new THREE.Mesh(new THREE.PlaneGeometry(X + 40, Y + 40), new THREE.MeshLambertMaterial({ color: 0x1c2433 }));
    floor.position.set(X / 2, Y / 2, -0.02);
    this.group.add(floor);
    const grid = new THREE.GridHelper(Math.max(X, Y), Math.max(X, Y) / 10, 0x334055, 0x263043);
    grid.rotation.x = Math.PI / 2;
    grid.position.set(Math.max(X, Y) / 2, Math.max(X, Y) / 2, 0.01);
    this.group.add(grid);
    this.builtVersion = -1;
  }

  rebuild() {
    const model = this.model, g = model.grid;
    const { x: X, y: Y, z: Z } = model.size;
    const counts = new Uint32Array(MATERIALS.length);
    const colour = new THREE.Color();
    const base = MATERIALS.map((s) => (s ? new THREE.Color(s.colour) : null));
    for (let z = 0; z < Z; z++) {
      for (let y = 0; y < Y; y++) {
        for (let x = 0; x < X; x++) {
          const i = (z * Y + y) * X + x;
          const m = g[i];
          if (m === 0) continue;
          const exposed = z === Z - 1 || x === 0 || x === X - 1 || y === 0 || y === Y - 1 ||
            SEE_THROUGH[g[i + X * Y]] || SEE_THROUGH[g[i - 1]] || SEE_THROUGH[g[i + 1]] ||
            SEE_THROUGH[g[i - X]] || SEE_THROUGH[g[i + X]] || (z > 0 && SEE_THROUGH[g[i - X * Y]]);
          if (!exposed) continue;
          const mesh = this.meshes[m];
          const n = counts[m]++;
          const e = mesh.instanceMatrix.array;
          const o = n * 16;
          e[o] = 1; e[o + 1] = 0; e[o + 2] = 0; e[o + 3] = 0;
          e[o + 4] = 0; e[o + 5] = 1; e[o + 6] = 0; e[o + 7] = 0;
          e[o + 8] = 0; e[o + 9] = 0; e[o + 10] = 1; e[o + 11] = 0;
          e[o + 12] = x + 0.5; e[o + 13] = y + 0.5; e[o + 14] = z + 0.5; e[o + 15] = 1;
          // A little per-voxel variation and height shading so flat walls read as 3-D.
          const shade = 0.86 + 0.1 * hash3(x, y, z) + 0.08 * (z / Z);
          colour.copy(base[m]).multiplyScalar(shade);
          mesh.instanceColor.array[3 * n] = colour.r;
          mesh.instanceColor.array[3 * n + 1] = colour.g;
          mesh.instanceColor.array[3 * n + 2] = colour.b;
        }
      }
    }
    this.meshes.forEach((mesh, m) => {
      if (!mesh) return;
      mesh.count = counts[m];
      mesh.instanceMatrix.needsUpdate = true;
      mesh.instanceColor.needsUpdate = true;
    });
    this.builtVersion = model.gridVersion;
    this.counts = counts;
  }

  update() {
    if (this.builtVersion !== this.model.gridVersion) this.rebuild();
  }
}

// A small canvas sprite (labels, bars, floating numbers).
// Sized on screen, not in the world (sizeAttenuation off): readable at any zoom.
function canvasSprite(w, h, scaleX, scaleY) {
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const tex = new THREE.CanvasTexture(canvas);
  tex.colorSpace = THREE.SRGBColorSpace;
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: tex, depthTest: false, transparent: true, sizeAttenuation: false }));
  sprite.scale.set(scaleX, scaleY, 1);
  sprite.renderOrder = 10;
  return { sprite, canvas, ctx: canvas.getContext('2d'), tex };
}

const CLASS_LETTER = { scout: 'S', light: 'L', medium: 'M', heavy: 'H' };

export class MechView {
  constructor(scene, model) {
    this.model = model;
    this.items = [];
    for (let i = 0; i < model.A; i++) {
      const cls = model.classes[model.cls[i]];
      const [hx, hy, hz] = cls.half_size;
      const team = model.team[i];
      const group = new THREE.Group();
      const bodyMat = new THREE.MeshLambertMaterial({ color: TEAM_COLOURS[team] });
      const body = new THREE.Mesh(new THREE.BoxGeometry(2 * hx, 2 * hy, 2 * hz), bodyMat);
      body.userData.agent = i;
      const dark = new THREE.MeshLambertMaterial({ color: new THREE.Color(TEAM_COLOURS[team]).multiplyScalar(0.35) });
      const visor = new THREE.Mesh(new THREE.BoxGeometry(0.3, 1.3 * hy, 0.45 * hz), dark);
      visor.position.set(hx + 0.1, 0, 0.45 * hz);
      visor.userData.agent = i;
      const gun = new THREE.Mesh(new THREE.BoxGeometry(0.9 * hx + 0.4, 0.18, 0.18), dark);
      gun.position.set(hx + 0.35 * hx, -0.55 * hy, 0.15 * hz);
      gun.userData.agent = i;
      const tilt = new THREE.Group();  // rotated when the mech has fallen
      tilt.add(body, visor, gun);
      group.add(tilt);
      const ring = new THREE.Mesh(new THREE.RingGeometry(Math.max(hx, hy) * 1.5, Math.max(hx, hy) * 1.5 + 0.25, 40),
        new THREE.MeshBasicMaterial({ color: 0xffe066, transparent: true, opacity: 0.9, depthTest: false }));
      ring.renderOrder = 5;
      ring.visible = false;
      group.add(ring);
      const ewar = new THREE.Mesh(new THREE.RingGeometry(49.6, 50, 96),
        new THREE.MeshBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.35, depthTest: false, side: THREE.DoubleSide }));
      ewar.visible = false;
      scene.add(ewar);
      const bars = canvasSprite(128, 56, 0.13, 0.057);
      bars.sprite.position.set(0, 0, hz + 1.4);
      group.add(bars.sprite);
      scene.add(group);
      const number = model.team.slice(0, i).filter((t) => t === team).length + 1;
      this.items.push({ i, group, tilt, body, bodyMat, ring, ewar, bars, hz, cls, team,
        label: `${CLASS_LETTER[cls.name] || '?'}${number}`, lastBars: '' });
    }
  }

  pickables() { return this.items.map((it) => it.tilt); }

  // camera: bars shrink with distance (down to 45%) so a crowd of mechs far away stays readable.
  update(f, selected, time, camera) {
    for (const it of this.items) {
      const s = this.model.mech(it.i, f);
      it.state = s;
      it.group.visible = s.alive;
      it.ewar.visible = s.alive && (s.ecm || s.eccm);
      if (!s.alive) continue;
      it.group.position.set(s.pos[0], s.pos[1], s.pos[2]);
      it.tilt.rotation.set(0, 0, s.yaw);
      if (s.fallen) it.tilt.rotateY(Math.PI / 2.2);  // lying on its side while knocked down
      it.bodyMat.color.set(TEAM_COLOURS[it.team]);
      if (s.shutdown) it.bodyMat.color.multiplyScalar(0.45);
      it.ring.visible = selected === it.i;
      it.ring.position.z = -it.hz + 0.05;
      if (it.ewar.visible) {
        it.ewar.position.set(s.pos[0], s.pos[1], 1.1);
        it.ewar.material.color.set(s.ecm ? 0xff4fd8 : 0x4fe3ff);
        it.ewar.material.opacity = 0.25 + 0.15 * Math.sin(time * 4);
      }
      this.drawBars(it, s);
      const k = camera ? Math.max(0.45, Math.min(1, 45 / camera.position.distanceTo(it.group.position))) : 1;
      it.bars.sprite.scale.set(0.13 * k, 0.057 * k, 1);
    }
  }

  drawBars(it, s) {
    const heatFrac = s.heat / it.cls.heat_cap;
    const key = `${it.label}|${s.hp.toFixed(0)}|${heatFrac.toFixed(2)}|${s.stability.toFixed(0)}|${s.shutdown}|${s.fallen}|${s.legged}|${s.painted}`;
    if (key === it.lastBars) return;
    it.lastBars = key;
    const { ctx, canvas, tex } = it.bars;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.font = 'bold 15px sans-serif';
    ctx.textAlign = 'center';
    ctx.lineWidth = 3;
    ctx.strokeStyle = 'rgba(0,0,0,0.8)';
    const tag = it.label + (s.fallen ? ' ▼' : '') + (s.legged ? ' ✚' : '') + (s.shutdown ? ' ⚠' : '');
    ctx.strokeText(tag, 64, 15);
    ctx.fillStyle = it.team ? '#ffb3ad' : '#b7d3ff';
    ctx.fillText(tag, 64, 15);
    if (s.painted) {  // a paint mark: the painter's pack gets missile locks and +10% damage
      ctx.fillStyle = '#ff4fd8';
      ctx.beginPath(); ctx.arc(118, 9, 6, 0, 2 * Math.PI); ctx.fill();
    }
    const bar = (y, frac, colour) => {
      ctx.fillStyle = 'rgba(0,0,0,0.65)';
      ctx.fillRect(14, y, 100, 9);
      ctx.fillStyle = colour;
      ctx.fillRect(15, y + 1, Math.max(0, Math.min(1, frac)) * 98, 7);
    };
    const hpFrac = s.hp / it.cls.hp;
    bar(21, hpFrac, hpFrac > 0.5 ? '#4cd964' : hpFrac > 0.25 ? '#ffcc00' : '#ff3b30');
    bar(32, heatFrac, s.shutdown ? '#ff2d55' : heatFrac > 0.85 ? '#ff9500' : '#ff7a45');
    bar(43, s.stability / this.model.header.stability_max, '#5ac8fa');
    tex.needsUpdate = true;
  }
}

const PROJECTILE_STYLE = {
  missile: { colour: 0xff6a2a, r: 0.3, trail: 0.18 },
  gauss: { colour: 0xfff04a, r: 0.38, trail: 0.06 },
  autocannon: { colour: 0xffa640, r: 0.16, trail: 0.1 },
  smoke: { colour: 0xbfc5cc, r: 0.3, trail: 0.08 },
};
const BEAM_STYLE = {
  laser: { colour: 0x54ff7a, radius: 0.14, life: 0.25 },
  flamer: { colour: 0xff8c1a, radius: 0.25, life: 0.2 },
  paint: { colour: 0xff4fd8, radius: 0.06, life: 0.35 },
  ams: { colour: 0x7fe7ff, radius: 0.07, life: 0.3 },
};

// Reused scene objects: an effect takes the next one each frame; the unused rest are hidden.
const object3d = (o) => (o.isObject3D ? o : o.sprite);
class Pool {
  constructor(parent, make) { this.parent = parent; this.make = make; this.items = []; this.used = 0; }
  begin() { this.used = 0; }
  next() {
    if (this.used === this.items.length) { const o = this.make(); this.items.push(o); this.parent.add(object3d(o)); }
    const o = this.items[this.used++];
    object3d(o).visible = true;
    return o;
  }
  end() { for (let k = this.used; k < this.items.length; k++) object3d(this.items[k]).visible = false; }
}

const UP = new THREE.Vector3(0, 1, 0);

export class EffectsView {
  constructor(scene, model) {
    this.model = model;
    this.group = new THREE.Group();
    scene.add(this.group);
    const sphere = new THREE.SphereGeometry(1, 14, 10);
    const cylinder = new THREE.CylinderGeometry(1, 1, 1, 8, 1, true);
    this.projectiles = new Pool(this.group, () => new THREE.Mesh(sphere, new THREE.MeshBasicMaterial({ color: 0xffffff })));
    this.trails = new Pool(this.group, () => new THREE.Mesh(cylinder, new THREE.MeshBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.6 })));
    this.beams = new Pool(this.group, () => new THREE.Mesh(cylinder, new THREE.MeshBasicMaterial({ color: 0xffffff, transparent: true, depthWrite: false })));
    this.blasts = new Pool(this.group, () => new THREE.Mesh(sphere, new THREE.MeshBasicMaterial({ color: 0xffb347, transparent: true, depthWrite: false })));
    this.smokes = new Pool(this.group, () => new THREE.Mesh(sphere, new THREE.MeshLambertMaterial({ color: 0xb8bec6, transparent: true, opacity: 0.42, depthWrite: false })));
    this.labels = new Pool(this.group, () => canvasSprite(128, 32, 0.11, 0.0275));
  }

  beam(a, b, style, age) {
    const m = this.beams.next();
    const va = new THREE.Vector3(...a), vb = new THREE.Vector3(...b);
    const d = vb.clone().sub(va);
    const len = Math.max(0.01, d.length());
    m.position.copy(va).addScaledVector(d, 0.5);
    m.quaternion.setFromUnitVectors(UP, d.normalize());
    m.scale.set(style.radius, len, style.radius);
    m.material.color.set(style.colour);
    m.material.opacity = Math.max(0, 1 - age / style.life);
  }

  label(pos, text, colour, age, life) {
    const l = this.labels.next();
    if (l.text !== text || l.colour !== colour) {
      l.ctx.clearRect(0, 0, 128, 32);
      l.ctx.font = 'bold 20px sans-serif';
      l.ctx.textAlign = 'center';
      l.ctx.lineWidth = 4;
      l.ctx.strokeStyle = 'rgba(0,0,0,0.85)';
      l.ctx.strokeText(text, 64, 24);
      l.ctx.fillStyle = colour;
      l.ctx.fillText(text, 64, 24);
      l.tex.needsUpdate = true;
      l.text = text; l.colour = colour;
    }
    l.sprite.position.set(pos[0], pos[1], pos[2] + 3 + 2 * (age / life));
    l.sprite.material.opacity = Math.max(0, 1 - age / life);
  }

  // time in seconds; f the fractional frame; mechs the MechView (for shooter positions).
  update(time, f, mechs) {
    const model = this.model;
    for (const pool of [this.projectiles, this.trails, this.beams, this.blasts, this.smokes, this.labels]) pool.begin();
    const t = Math.floor(f);
    const frac = (f - t) * model.decisionSeconds;
    if (t < model.T - 1) {
      for (const p of model.projectiles(t)) {
        const st = PROJECTILE_STYLE[p.weapon] || PROJECTILE_STYLE.autocannon;
        const pos = [p.pos[0] + p.vel[0] * frac, p.pos[1] + p.vel[1] * frac, p.pos[2] + p.vel[2] * frac];
        const m = this.projectiles.next();
        m.position.set(...pos);
        m.scale.setScalar(st.r);
        m.material.color.set(st.colour);
        const tail = [pos[0] - p.vel[0] * st.trail, pos[1] - p.vel[1] * st.trail, pos[2] - p.vel[2] * st.trail];
        const tr = this.trails.next();
        const d = new THREE.Vector3(pos[0] - tail[0], pos[1] - tail[1], pos[2] - tail[2]);
        const len = d.length();
        if (len > 0.01) {
          tr.position.set((pos[0] + tail[0]) / 2, (pos[1] + tail[1]) / 2, (pos[2] + tail[2]) / 2);
          tr.quaternion.setFromUnitVectors(UP, d.normalize());
          tr.scale.set(st.r * 0.6, len, st.r * 0.6);
          tr.material.color.set(st.colour);
        } else tr.visible = false;
      }
    }
    const tNow = Math.min(model.T - 1, Math.round(f));
    for (const s of model.smoke(tNow)) {
      const m = this.smokes.next();
      m.position.set(s[0], s[1], s[2]);
      m.scale.setScalar(s[3]);
    }
    const mechPos = (i) => (i >= 0 && mechs.items[i].state ? mechs.items[i].state.pos : null);
    for (const e of model.eventsBetween(time - 1.2, time)) {
      const age = time - e.time;
      const shooter = mechPos(e.shooter);
      if (e.type === 'weapon_hit' && (e.weapon === 'laser' || e.weapon === 'flamer') && shooter && age < BEAM_STYLE[e.weapon].life) {
        this.beam(shooter, e.pos, BEAM_STYLE[e.weapon], age);
      } else if (e.type === 'paint' && shooter && age < BEAM_STYLE.paint.life) {
        this.beam(shooter, e.pos, BEAM_STYLE.paint, age);
      } else if (e.type === 'ams_intercept' && shooter && age < BEAM_STYLE.ams.life) {
        this.beam(shooter, e.pos, BEAM_STYLE.ams, age);
        this.blast(e.pos, 0.8, age, 0.3, 0x9ff3ff);
      } else if (e.type === 'explosion' && age < 0.6) {
        this.blast(e.pos, Math.max(0.8, e.value), age, 0.6, 0xffa43a);
      } else if ((e.type === 'kinetic_fire' || e.type === 'missile_launch' || e.type === 'smoke_launch') && age < 0.1) {
        this.blast(e.pos, 0.5, age, 0.1, 0xfff2b0);
      }
      if (e.type === 'weapon_hit' && e.value > 0 && age < 0.9) {
        this.label(e.pos, `-${Math.round(e.value)}`, (e.flags & 1) ? '#ffdd55' : '#ff6b6b', age, 0.9);
      } else if (e.type === 'kill' && age < 1.2) {
        this.blast(e.pos, 3.5, age, 1.2, 0xff5533);
        this.label(e.pos, 'DESTROYED', '#ffffff', age, 1.2);
      } else if ((e.type === 'knockdown' || e.type === 'shutdown' || e.type === 'legged') && age < 1.0) {
        this.label(e.pos, e.type.toUpperCase(), '#ffd166', age, 1.0);
      }
    }
    for (const pool of [this.projectiles, this.trails, this.beams, this.blasts, this.smokes, this.labels]) pool.end();
  }

  blast(pos, radius, age, life, colour) {
    const m = this.blasts.next();
    m.position.set(pos[0], pos[1], pos[2]);
    m.scale.setScalar(radius * (0.35 + 0.65 * Math.min(1, age / life)));
    m.material.color.set(colour);
    m.material.opacity = 0.85 * Math.max(0, 1 - age / life);
  }
}

export class ZoneView {
  constructor(scene, model) {
    const [cx, cy, r] = model.header.map.zone;
    this.model = model;
    this.group = new THREE.Group();
    this.group.position.set(cx, cy, 0);
    this.ring = new THREE.Mesh(new THREE.RingGeometry(r - 0.35, r + 0.35, 96),
      new THREE.MeshBasicMaterial({ color: 0x3ee0d0, transparent: true, opacity: 0.95, depthTest: false, side: THREE.DoubleSide }));
    this.ring.position.z = 1.05;
    this.ring.renderOrder = 4;
    this.column = new THREE.Mesh(new THREE.CylinderGeometry(r, r, model.size.z, 64, 1, true),
      new THREE.MeshBasicMaterial({ color: 0x3ee0d0, transparent: true, opacity: 0.08, depthWrite: false, side: THREE.DoubleSide }));
    this.column.rotation.x = Math.PI / 2;
    this.column.position.z = model.size.z / 2;
    this.group.add(this.ring, this.column);
    scene.add(this.group);
  }

  // Colour by who holds the zone: blue or red alone, white when contested, teal when empty.
  update(mechs) {
    const [cx, cy, r] = this.model.header.map.zone;
    const inside = [0, 0];
    for (const it of mechs.items) {
      const s = it.state;
      if (s && s.alive && Math.hypot(s.pos[0] - cx, s.pos[1] - cy) < r) inside[it.team]++;
    }
    const c = inside[0] && inside[1] ? 0xffffff : inside[0] ? TEAM_COLOURS[0] : inside[1] ? TEAM_COLOURS[1] : 0x3ee0d0;
    this.ring.material.color.set(c);
    this.column.material.color.set(c);
    return inside;
  }
}
