// The viewer page: replay list (live), loading, playback, camera, HUD, timeline and inspector.
import * as THREE from 'three';
import { OrbitControls } from 'three/addons/OrbitControls.js';
import { parseReplay, checkReplay, ReplayError } from './replay_file.js';
import { ReplayModel } from './model.js';
import { WorldView, MechView, EffectsView, ZoneView, MATERIALS, TEAM_COLOURS } from './scene.js';

const $ = (id) => document.getElementById(id);
const fmtTime = (s) => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const teamName = ['blue', 'red'];

const state = {
  list: null, current: null, model: null, views: null,
  time: 0, playing: false, speed: 1, selected: -1, camera: 'orbit',
  error: null, loading: false, seen: new Set(), frames: 0, loadedAt: 0,
};

// --- three.js setup -----------------------------------------------------------------------
const canvas = $('view');
// A software rasteriser (SwiftShader, llvmpipe: a machine or VM without a GPU) draws every pixel
// on the CPU: no multisampling and one pixel per CSS pixel keep it interactive there.
function softwareRenderer() {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : '';
    gl && gl.getExtension('WEBGL_lose_context') && gl.getExtension('WEBGL_lose_context').loseContext();
    return /swiftshader|llvmpipe|software/i.test(name);
  } catch (e) {
    return false;
  }
}
const software = softwareRenderer();
const renderer = new THREE.WebGLRenderer({ canvas, antialias: !software, preserveDrawingBuffer: true });
renderer.setPixelRatio(software ? 1 : Math.min(2, window.devicePixelRatio || 1));
// Frames are drawn on demand: while playing, while the camera moves, or after any change.
let dirty = true;
const invalidate = () => { dirty = true; };
const scene = new THREE.Scene();
scene.background = new THREE.Color(0x151c2a);
scene.add(new THREE.HemisphereLight(0xdfe8ff, 0x3a3326, 1.6));
const sun = new THREE.DirectionalLight(0xffffff, 1.8);
sun.position.set(-0.6, -0.9, 1.4);
scene.add(sun);
const camera = new THREE.PerspectiveCamera(50, 1, 0.1, 3000);
camera.up.set(0, 0, 1);
const controls = new OrbitControls(camera, canvas);
controls.enableDamping = true;
controls.dampingFactor = 0.12;
controls.maxPolarAngle = Math.PI * 0.495;
controls.addEventListener('change', invalidate);

function resize() {
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.floor(w * renderer.getPixelRatio()) || canvas.height !== Math.floor(h * renderer.getPixelRatio())) {
    renderer.setSize(w, h, false);
    camera.aspect = w / Math.max(1, h);
    camera.updateProjectionMatrix();
    invalidate();
  }
  const tl = $('timeline');
  if (tl.width !== tl.clientWidth) { tl.width = tl.clientWidth; drawTimeline(); }
}

function showMessage(text, kind = 'error') {
  invalidate();
  const m = $('message');
  m.textContent = text;
  m.className = kind;
  m.hidden = !text;
}

// --- the replay list ----------------------------------------------------------------------
function renderList() {
  invalidate();
  const ul = $('replays');
  ul.textContent = '';
  const list = state.list;
  if (!list) return;
  $('source').textContent = list.root;
  if (!list.replays.length) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = list.kind === 'directory' ? 'no replays yet: waiting for some to be written…' : 'the file is gone';
    ul.appendChild(li);
  }
  for (const r of [...list.replays].reverse()) {
    const li = document.createElement('li');
    li.dataset.id = r.id;
    if (r.id === state.current) li.classList.add('current');
    const name = document.createElement('span');
    name.textContent = r.id;
    const tag = document.createElement('span');
    if (r.error) { li.classList.add('bad'); tag.textContent = 'bad file'; li.title = r.error; } else {
      const s = r.summary;
      const w = s.winner;
      tag.className = w === 0 ? 'w0' : w === 1 ? 'w1' : 'muted';
      tag.textContent = !s.complete ? 'incomplete' : w === 0 ? 'blue won' : w === 1 ? 'red won' : 'draw';
      li.title = `${s.seconds ?? '?'} s, ${s.end_reason ?? ''}`;
    }
    li.append(name, tag);
    li.addEventListener('click', () => loadReplay(r.id));
    ul.appendChild(li);
  }
}

function onList(list) {
  const first = state.list === null;
  state.list = list;
  const live = $('follow-live').checked;
  const fresh = list.replays.filter((r) => !state.seen.has(r.id) && !r.error);
  for (const r of list.replays) state.seen.add(r.id);
  renderList();
  if (first) {
    const wanted = new URLSearchParams(location.search).get('replay');
    const pick = wanted || (list.replays.length ? list.replays[list.replays.length - 1].id : null);
    if (pick) loadReplay(pick);
    else showMessage(list.kind === 'directory' ? `No replays under ${list.root} yet.\nThis page opens new ones as they are written.` : 'No replay.', 'info');
  } else if (live && fresh.length) {
    loadReplay(fresh[fresh.length - 1].id);
  }
}

async function fetchList() {
  const res = await fetch('/api/list');
  if (!res.ok) throw new Error(`the server answered ${res.status} to /api/list`);
  onList(await res.json());
}

function connectEvents() {
  const es = new EventSource('/api/events');
  es.addEventListener('list', (ev) => {
    $('live-badge').classList.add('on');
    onList(JSON.parse(ev.data));
  });
  es.onerror = () => $('live-badge').classList.remove('on');  // EventSource reconnects by itself
}

// --- loading ------------------------------------------------------------------------------
async function loadReplay(id) {
  state.loading = true;
  state.error = null;
  showMessage(`Loading ${id}…`, 'info');
  try {
    const res = await fetch(`/api/replay?id=${encodeURIComponent(id)}`);
    if (!res.ok) {
      let why = `HTTP ${res.status}`;
      try { why = (await res.json()).error || why; } catch (e) { /* not JSON */ }
      throw new ReplayError(why);
    }
    const parsed = await parseReplay(await res.arrayBuffer());
    checkReplay(parsed);
    const model = new ReplayModel(parsed);
    setModel(id, model);
    showMessage('');
  } catch (e) {
    state.error = `Cannot open ${id}: ${e.message}`;
    showMessage(state.error);
    if (!(e instanceof ReplayError)) console.warn(e);
  } finally {
    state.loading = false;
    renderList();
  }
}

function disposeViews() {
  if (!state.views) return;
  for (const obj of [...scene.children]) {
    if (obj.isLight) continue;
    scene.remove(obj);
    obj.traverse((o) => {
      if (o.geometry) o.geometry.dispose();
      if (o.material) {
        if (o.material.map) o.material.map.dispose();
        o.material.dispose();
      }
    });
  }
  state.views = null;
}

function setModel(id, model) {
  disposeViews();
  state.current = id;
  state.model = model;
  state.time = 0;
  state.selected = -1;
  state.loadedAt = performance.now();
  const world = new WorldView(scene, model);
  const mechs = new MechView(scene, model);
  const effects = new EffectsView(scene, model);
  const zone = new ZoneView(scene, model);
  world.rebuild();
  state.views = { world, mechs, effects, zone };
  const { x, y, z } = model.size;
  controls.target.set(x / 2, y / 2, 0);
  camera.position.set(x / 2 - 0.15 * x, -0.55 * y, 0.75 * Math.max(x, y) + z);
  controls.update();
  $('scrub').max = String(model.duration);
  $('scrub').step = String(model.decisionSeconds / 10);
  renderInfo();
  renderLegend(world);
  drawTimeline();
  $('inspect').hidden = true;
  state.playing = true;
  updatePlayButton();
}

function renderInfo() {
  const m = state.model, h = m.header;
  const o = h.outcome;
  const rows = [
    ['map', `${h.map.size.join('×')} ${h.map.type}`],
    ['map seed', h.map.seed ?? '—'],
    ['hash', h.map.content_hash],
    ['world', `${h.world}, episode ${h.episode}`],
    ['length', `${fmtTime(m.duration)} (${m.T - 1} decisions)`],
    ['result', o.complete ? (o.winner === 0 ? 'blue won' : o.winner === 1 ? 'red won' : 'draw') + ` (${o.end_reason})` : 'incomplete'],
    ['blue / red', `${h.config?.blue ?? '?'} / ${h.config?.red ?? '?'}`],
  ];
  if (h.map.recipe && h.map.recipe.layout) {
    const b = h.map.recipe.layout.biomes || h.map.recipe.layout;
    rows.push(['biomes', typeof b === 'object' ? Object.values(b).join(', ') : String(b)]);
  }
  for (const [k, v] of Object.entries(h.meta || {})) rows.push([k, typeof v === 'object' ? JSON.stringify(v) : v]);
  $('info').innerHTML = `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

function renderLegend(world) {
  const present = MATERIALS.map((s, id) => (s && world.meshes[id] ? s : null)).filter(Boolean);
  $('legend').innerHTML = present.map((s) => `<span style="--c:#${s.colour.toString(16).padStart(6, '0')}">${esc(s.name)}</span>`).join('');
}

// --- timeline -----------------------------------------------------------------------------
function drawTimeline() {
  const tl = $('timeline'), ctx = tl.getContext('2d');
  const w = tl.width, h = tl.height;
  ctx.clearRect(0, 0, w, h);
  const m = state.model;
  if (!m || m.duration <= 0) return;
  const x = (t) => (t / m.duration) * (w - 2) + 1;
  // Damage per second of each team, as a faint area.
  const bins = Math.max(1, Math.floor(w / 3));
  const dmg = [new Float32Array(bins), new Float32Array(bins)];
  const a = m.a, hit = m.eventType.weapon_hit;
  for (let k = 0; k < a.event_type.data.length; k++) {
    if (a.event_type.data[k] !== hit || a.event_shooter.data[k] < 0) continue;
    const b = Math.min(bins - 1, Math.floor((a.event_tick.data[k] * m.dt / m.duration) * bins));
    dmg[m.team[a.event_shooter.data[k]]][b] += a.event_value.data[k];
  }
  const peak = Math.max(1, ...dmg[0], ...dmg[1]);
  for (let t = 0; t < 2; t++) {
    ctx.fillStyle = t ? 'rgba(240,72,62,0.35)' : 'rgba(61,139,253,0.35)';
    for (let b = 0; b < bins; b++) {
      const hh = (dmg[t][b] / peak) * (h / 2 - 2);
      ctx.fillRect((b / bins) * w, t ? h / 2 : h / 2 - hh, w / bins, hh);
    }
  }
  for (const k of m.kills) {
    const team = k.shooter >= 0 ? m.team[k.shooter] : 1 - m.team[k.target];
    ctx.fillStyle = `#${TEAM_COLOURS[team].toString(16).padStart(6, '0')}`;
    ctx.fillRect(x(k.time) - 1.5, 2, 3, h - 4);
  }
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(x(state.time) - 1, 0, 2, h);
}

$('timeline').addEventListener('click', (ev) => {
  const m = state.model;
  if (!m) return;
  const r = ev.currentTarget.getBoundingClientRect();
  seek(((ev.clientX - r.left) / r.width) * m.duration);
});

// --- HUD ----------------------------------------------------------------------------------
function mechName(i) {
  const m = state.model;
  if (i < 0) return 'hazard';
  const it = state.views.mechs.items[i];
  return `<span class="t${m.team[i]}">${teamName[m.team[i]]} ${it.label}</span>`;
}

let lastHud = '';
function updateHud(f, inside) {
  const m = state.model;
  const t = Math.min(m.T - 1, Math.floor(f));
  const [sb, sr] = m.zoneScore(t);
  const win = m.header.zone_score_to_win;
  const alive = [0, 0];
  for (const it of state.views.mechs.items) if (it.state && it.state.alive) alive[it.team]++;
  const key = `${t}|${state.time.toFixed(1)}|${inside}`;
  if (key === lastHud) return;
  lastHud = key;
  $('score-blue').textContent = sb.toFixed(1);
  $('score-red').textContent = sr.toFixed(1);
  $('bar-blue').style.width = `${Math.min(100, (100 * sb) / win)}%`;
  $('bar-red').style.width = `${Math.min(100, (100 * sr) / win)}%`;
  const per = m.A / 2;
  $('alive-blue').textContent = `${alive[0]}/${per} up`;
  $('alive-red').textContent = `${alive[1]}/${per} up`;
  $('clock').textContent = fmtTime(state.time);
  const o = m.header.outcome;
  $('result').textContent = t === m.T - 1 ? (o.complete ? (o.winner === 0 ? 'BLUE WINS' : o.winner === 1 ? 'RED WINS' : 'DRAW') + ` · ${o.end_reason}` : 'incomplete') : inside[0] && inside[1] ? 'zone contested' : inside[0] ? 'blue holds the zone' : inside[1] ? 'red holds the zone' : '';
  $('scrub').value = String(state.time);
  $('frame-label').textContent = `frame ${t}/${m.T - 1} · ${fmtTime(state.time)}`;
  const kills = m.kills.filter((k) => k.time <= state.time + 1e-9);
  $('kills').innerHTML = kills.slice(-12).reverse().map((k) =>
    `<li class="${state.time - k.time > 10 ? 'old' : ''}">${fmtTime(k.time)} ${mechName(k.shooter)} ✖ ${mechName(k.target)} <span class="muted">${esc(k.weapon)}</span></li>`).join('') || '<li class="muted">no kills yet</li>';
  const notable = new Set(['kill', 'assist', 'knockdown', 'shutdown', 'legged', 'ams_intercept', 'smoke_cloud', 'missile_launch']);
  const recent = m.eventsBetween(Math.max(-1, state.time - 6), state.time).filter((e) => notable.has(e.type)).slice(-10).reverse();
  $('events').innerHTML = recent.map((e) => `<li>${fmtTime(e.time)} ${esc(e.type.replace('_', ' '))} ${e.shooter >= 0 ? mechName(e.shooter) : ''}${e.target >= 0 ? ' → ' + mechName(e.target) : ''}</li>`).join('') || '<li class="muted">—</li>';
  drawTimeline();
  renderInspector();
}

function renderInspector() {
  const box = $('inspect');
  const i = state.selected;
  if (i < 0 || !state.views) { box.hidden = true; return; }
  const it = state.views.mechs.items[i];
  const s = it.state;
  const c = it.cls;
  const meter = (frac, colour) => `<div class="meter"><div style="width:${(100 * Math.max(0, Math.min(1, frac))).toFixed(1)}%;background:${colour}"></div></div>`;
  const flags = ['fallen', 'legged', 'shutdown', 'ecm', 'eccm', 'painted', 'suppressed'].filter((f) => s[f]);
  flags.unshift(s.alive ? 'alive' : 'destroyed');
  const focus = s.focus >= 0 ? mechName(s.focus) : 'none';
  box.hidden = false;
  box.innerHTML = `<h3>${mechName(i)} <span class="muted">${esc(c.name)} · agent ${i}</span></h3>
    HP ${Math.max(0, s.hp).toFixed(0)} / ${c.hp} ${meter(s.hp / c.hp, '#4cd964')}
    leg HP ${s.legHp.toFixed(0)} / ${c.leg_hp} ${meter(s.legHp / c.leg_hp, '#a3e635')}
    heat ${s.heat.toFixed(0)} / ${c.heat_cap} ${meter(s.heat / c.heat_cap, s.shutdown ? '#ff2d55' : '#ff7a45')}
    stability ${s.stability.toFixed(0)} / ${state.model.header.stability_max} ${meter(s.stability / state.model.header.stability_max, '#5ac8fa')}
    <div>speed ${Math.hypot(s.vel[0], s.vel[1]).toFixed(1)} vox/s · focus ${focus}</div>
    <div>reward so far ${s.reward.toFixed(2)}</div>
    <div class="flags">${flags.map((f) => `<span>${f}</span>`).join('')}</div>
    <div class="muted">camera → follow selected to ride along; Esc to deselect</div>`;
}

// --- playback -----------------------------------------------------------------------------
const ICON_PLAY = '<svg viewBox="0 0 16 16" width="14" height="14"><path d="M3 2v12l11-6z" fill="currentColor"/></svg>';
const ICON_PAUSE = '<svg viewBox="0 0 16 16" width="14" height="14"><path d="M3 2h4v12H3zM9 2h4v12H9z" fill="currentColor"/></svg>';
function updatePlayButton() { $('btn-play').innerHTML = state.playing ? ICON_PAUSE : ICON_PLAY; invalidate(); }
function seek(t) {
  const m = state.model;
  if (!m) return;
  state.time = Math.max(0, Math.min(m.duration, t));
  lastHud = '';
  invalidate();
}
function step(dir) {
  const m = state.model;
  if (!m) return;
  state.playing = false;
  updatePlayButton();
  const f = Math.round(state.time / m.decisionSeconds) + dir;
  seek(f * m.decisionSeconds);
}

$('btn-play').addEventListener('click', () => {
  const m = state.model;
  if (!m) return;
  if (!state.playing && state.time >= m.duration) state.time = 0;
  state.playing = !state.playing;
  updatePlayButton();
});
$('btn-back').addEventListener('click', () => step(-1));
$('btn-fwd').addEventListener('click', () => step(1));
$('scrub').addEventListener('input', (ev) => { seek(parseFloat(ev.target.value)); });
$('speed').addEventListener('change', (ev) => { state.speed = parseFloat(ev.target.value); invalidate(); });
$('camera').addEventListener('change', (ev) => setCamera(ev.target.value));
$('follow-live').addEventListener('change', () => renderList());

function setCamera(mode) {
  state.camera = mode;
  $('camera').value = mode;
  const m = state.model;
  if (!m) return;
  const { x, y, z } = m.size;
  if (mode === 'top') {
    controls.target.set(x / 2, y / 2, 0);
    camera.position.set(x / 2, y / 2 - 0.001, 1.25 * Math.max(x, y) + z);
  } else if (mode === 'follow' && state.selected >= 0) {
    // Ride along close behind and above the selected mech; the loop keeps this offset.
    const s = state.model.mech(state.selected, state.model.frameAt(state.time));
    controls.target.set(...s.pos);
    camera.position.set(s.pos[0] - 16 * Math.cos(s.yaw), s.pos[1] - 16 * Math.sin(s.yaw), s.pos[2] + 13);
  } else if (mode === 'follow') {
    showMessage('Click a mech first, then "follow selected".', 'info');
    setTimeout(() => { if (!state.error) showMessage(''); }, 2000);
  }
  controls.update();
  invalidate();
}

window.addEventListener('keydown', (ev) => {
  if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement) return;
  if (ev.key === ' ') { ev.preventDefault(); $('btn-play').click(); }
  else if (ev.key === 'ArrowLeft') step(-1);
  else if (ev.key === 'ArrowRight') step(1);
  else if (ev.key === 'Escape') { state.selected = -1; renderInspector(); invalidate(); }
  else if (ev.key === 'f') setCamera('follow');
  else if (ev.key === 't') setCamera('top');
  else if (ev.key === 'o') setCamera('orbit');
});

// Click a mech to inspect it (a click, not the end of a drag).
const ray = new THREE.Raycaster();
let downAt = null;
canvas.addEventListener('pointerdown', (ev) => { downAt = [ev.clientX, ev.clientY]; });
canvas.addEventListener('pointerup', (ev) => {
  if (!downAt || !state.views || Math.hypot(ev.clientX - downAt[0], ev.clientY - downAt[1]) > 5) return;
  const r = canvas.getBoundingClientRect();
  ray.setFromCamera(new THREE.Vector2(((ev.clientX - r.left) / r.width) * 2 - 1, -((ev.clientY - r.top) / r.height) * 2 + 1), camera);
  const hits = ray.intersectObjects(state.views.mechs.pickables().filter((g) => g.parent.visible), true);
  state.selected = hits.length ? hits[0].object.userData.agent : -1;
  lastHud = '';
  invalidate();
});

// --- the loop -----------------------------------------------------------------------------
let lastFrame = performance.now();
const followOffset = new THREE.Vector3();
function frame(now) {
  requestAnimationFrame(frame);
  const dtReal = Math.min(0.1, (now - lastFrame) / 1000);
  lastFrame = now;
  resize();
  const moving = controls.update();
  if (!(dirty || state.playing || moving)) return;
  dirty = false;
  const m = state.model, v = state.views;
  if (m && v) {
    if (state.playing) {
      state.time += dtReal * state.speed;
      if (state.time >= m.duration) { state.time = m.duration; state.playing = false; updatePlayButton(); }
    }
    const f = m.frameAt(state.time);
    m.seekGrid(Math.floor(f + 1e-9));
    v.world.update();
    v.mechs.update(f, state.selected, now / 1000, camera);
    v.effects.update(state.time, f, v.mechs);
    const inside = v.zone.update(v.mechs);
    if (state.camera === 'follow' && state.selected >= 0) {
      const s = v.mechs.items[state.selected].state;
      if (s && s.alive) {
        followOffset.copy(camera.position).sub(controls.target);
        controls.target.lerp(new THREE.Vector3(...s.pos), 0.15);
        camera.position.copy(controls.target).add(followOffset);
      }
    }
    updateHud(f, inside);
  }
  renderer.render(scene, camera);
  state.frames++;
}

// Test and automation hook (read-only state, plus the same actions as the buttons).
window.__echelonViewer = {
  state: () => ({
    loaded: !!state.model && !state.loading, error: state.error, replay: state.current,
    time: state.time, duration: state.model ? state.model.duration : 0, playing: state.playing,
    frame: state.model ? Math.floor(state.model.frameAt(state.time)) : -1, renderedFrames: state.frames,
    software,
    selected: state.selected, camera: state.camera,
    voxels: state.views ? Array.from(state.views.world.counts).reduce((a, b) => a + b, 0) : 0,
    replays: state.list ? state.list.replays.map((r) => r.id) : [],
  }),
  play: () => { state.playing = true; updatePlayButton(); },
  pause: () => { state.playing = false; updatePlayButton(); },
  seek,
  select: (i) => { state.selected = i; lastHud = ''; invalidate(); },
  setCamera,
  load: loadReplay,
  redraw: invalidate,
  // Orbit camera around (x, y, z) at a distance, azimuth and elevation in degrees (scripts,
  // screenshots).
  view: (x, y, z, dist, azimuth, elevation) => {
    const a = (azimuth * Math.PI) / 180, e = (elevation * Math.PI) / 180;
    controls.target.set(x, y, z);
    camera.position.set(x + dist * Math.cos(e) * Math.cos(a), y + dist * Math.cos(e) * Math.sin(a), z + dist * Math.sin(e));
    state.camera = 'orbit';
    $('camera').value = 'orbit';
    controls.update();
    invalidate();
  },
  // Page coordinates (CSS pixels) of mech i's centre, or null when it is not on screen.
  screenOf: (i) => {
    if (!state.views) return null;
    const s = state.views.mechs.items[i].state;
    if (!s || !s.alive) return null;
    const v = new THREE.Vector3(...s.pos).project(camera);
    if (v.z > 1 || Math.abs(v.x) > 1 || Math.abs(v.y) > 1) return null;
    const r = canvas.getBoundingClientRect();
    return [r.left + ((v.x + 1) / 2) * r.width, r.top + ((1 - v.y) / 2) * r.height];
  },
};

$('follow-live').checked = true;
updatePlayButton();
requestAnimationFrame(frame);
fetchList().then(connectEvents).catch((e) => { state.error = String(e.message || e); showMessage(state.error); });
