// Reads an Echelon replay file (format version 1, docs/replay.md) into a header object and typed
// arrays. Every size and checksum is verified before use; problems throw ReplayError with a
// message for the page. Decompression uses the browser's DecompressionStream("deflate") (zlib),
// bounded by the size each section declares.

export class ReplayError extends Error {}

const MAGIC = [0x89, 0x45, 0x43, 0x48, 0x52, 0x45, 0x50, 0x0a]; // "\x89ECHREP\n"
const FORMAT_VERSION = 1;
const PREFIX_BYTES = 20;
const MAX_HEADER_BYTES = 16 << 20;
const MAX_SECTION_BYTES = 1 << 30;
const DTYPES = {
  u1: Uint8Array, i1: Int8Array, u2: Uint16Array, i2: Int16Array,
  u4: Uint32Array, i4: Int32Array, f4: Float32Array,
};

let crcTable = null;
export function crc32(bytes) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function inflate(stored, want, name) {
  const stream = new Blob([stored]).stream().pipeThrough(new DecompressionStream('deflate'));
  const reader = stream.getReader();
  const out = new Uint8Array(want);
  let n = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (n + value.length > want) {
        await reader.cancel();
        throw new ReplayError(`corrupt: section ${name} inflates beyond its declared ${want} bytes`);
      }
      out.set(value, n);
      n += value.length;
    }
  } catch (e) {
    if (e instanceof ReplayError) throw e;
    throw new ReplayError(`corrupt: section ${name} does not decompress (${e.message})`);
  }
  if (n !== want) throw new ReplayError(`corrupt: section ${name} holds ${n} bytes, expected ${want}`);
  return out;
}

function unshuffle(bytes, itemsize) {
  const count = bytes.length / itemsize;
  const out = new Uint8Array(bytes.length);
  for (let b = 0; b < itemsize; b++) {
    const plane = b * count;
    for (let i = 0; i < count; i++) out[i * itemsize + b] = bytes[plane + i];
  }
  return out;
}

// Returns {header, arrays}; arrays[name] = {data: TypedArray (flat), shape: [..]}.
export async function parseReplay(buffer) {
  const u8 = new Uint8Array(buffer);
  const magicOk = MAGIC.every((v, i) => i >= u8.length || u8[i] === v);
  if (!magicOk) throw new ReplayError('not an Echelon replay (the file does not start with its magic)');
  if (u8.length < PREFIX_BYTES) throw new ReplayError(`truncated: ${u8.length} bytes, shorter than the ${PREFIX_BYTES}-byte prefix`);
  const dv = new DataView(buffer);
  const version = dv.getUint32(8, true);
  const headerLen = dv.getUint32(12, true);
  const headerCrc = dv.getUint32(16, true);
  if (version > FORMAT_VERSION) throw new ReplayError(`format version ${version} is newer than this viewer reads (${FORMAT_VERSION}): upgrade echelon`);
  if (version < 1) throw new ReplayError(`invalid format version ${version}`);
  if (headerLen > MAX_HEADER_BYTES) throw new ReplayError(`corrupt: header length ${headerLen} is too large`);
  const bodyStart = PREFIX_BYTES + headerLen;
  if (u8.length < bodyStart) throw new ReplayError(`truncated: the header needs ${bodyStart} bytes, the file has ${u8.length}`);
  const headerBytes = u8.subarray(PREFIX_BYTES, bodyStart);
  if (crc32(headerBytes) !== headerCrc) throw new ReplayError('corrupt: header checksum mismatch');
  let header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new ReplayError(`corrupt: header is not valid JSON (${e.message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new ReplayError('corrupt: header is not an object');
  const bodyLength = header.body_length;
  if (!Number.isInteger(bodyLength) || bodyLength < 0) throw new ReplayError('corrupt: header lacks a valid body_length');
  if (u8.length < bodyStart + bodyLength) throw new ReplayError(`truncated: expected ${bodyStart + bodyLength} bytes, the file has ${u8.length}`);
  if (u8.length > bodyStart + bodyLength) throw new ReplayError(`corrupt: ${u8.length - bodyStart - bodyLength} unexpected bytes after the last section`);
  if (!Array.isArray(header.sections)) throw new ReplayError('corrupt: header lacks its section table');
  const arrays = {};
  for (const sec of header.sections) {
    const name = String(sec && sec.name);
    const Type = DTYPES[sec.dtype];
    if (!Type) throw new ReplayError(`corrupt: section ${name} has unknown dtype ${sec.dtype}`);
    if (sec.codec !== 'zlib' && sec.codec !== 'shuffle-zlib') throw new ReplayError(`corrupt: section ${name} has unknown codec ${sec.codec}`);
    if (!Array.isArray(sec.shape) || !sec.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ReplayError(`corrupt: section ${name} has an invalid shape`);
    if (!Number.isInteger(sec.offset) || !Number.isInteger(sec.length) || sec.offset < 0 || sec.length < 0 || sec.offset + sec.length > bodyLength) {
      throw new ReplayError(`corrupt: section ${name} extends past the end of the body`);
    }
    if (name in arrays) throw new ReplayError(`corrupt: section ${name} appears twice`);
    const count = sec.shape.reduce((a, b) => a * b, 1);
    const want = count * Type.BYTES_PER_ELEMENT;
    if (want > MAX_SECTION_BYTES) throw new ReplayError(`corrupt: section ${name} is too large`);
    const stored = u8.subarray(bodyStart + sec.offset, bodyStart + sec.offset + sec.length);
    if (crc32(stored) !== sec.crc32) throw new ReplayError(`corrupt: checksum mismatch in section ${name}`);
    let raw = await inflate(stored, want, name);
    if (sec.codec === 'shuffle-zlib') raw = unshuffle(raw, Type.BYTES_PER_ELEMENT);
    arrays[name] = { data: new Type(raw.buffer, raw.byteOffset, count), shape: sec.shape };
  }
  return { header, arrays };
}

// Consistency checks the viewer relies on (the Python reader checks the same and more).
export function checkReplay({ header, arrays }) {
  const need = ['initial_voxels', 'team', 'class', 'step', 'mech_pos', 'mech_vel', 'mech_yaw', 'mech_hp',
    'mech_leg_hp', 'mech_heat', 'mech_stability', 'mech_flags', 'mech_focus', 'reward', 'zone_score',
    'proj_offsets', 'proj_weapon', 'proj_shooter', 'proj_target', 'proj_pos', 'proj_vel',
    'smoke_offsets', 'smoke', 'event_offsets', 'event_tick', 'event_type', 'event_weapon', 'event_flags',
    'event_shooter', 'event_target', 'event_pos', 'event_value', 'edit_offsets', 'edit_index', 'edit_material'];
  const missing = need.filter((n) => !(n in arrays));
  if (missing.length) throw new ReplayError(`inconsistent replay: missing arrays ${missing.join(', ')}`);
  for (const k of ['names', 'timing', 'map', 'classes', 'outcome']) {
    if (!(k in header)) throw new ReplayError(`inconsistent replay: header lacks ${k}`);
  }
  const T = arrays.step.shape[0];
  const A = arrays.team.shape[0];
  const vox = arrays.initial_voxels;
  if (vox.shape.length !== 3) throw new ReplayError('inconsistent replay: initial_voxels must be [Z, Y, X]');
  if (T < 1) throw new ReplayError('inconsistent replay: no frames');
  for (const n of ['mech_pos', 'mech_hp', 'mech_flags', 'reward', 'zone_score']) {
    if (arrays[n].shape[0] !== T) throw new ReplayError(`inconsistent replay: ${n} has the wrong frame count`);
  }
  if (arrays.mech_pos.shape[1] !== A) throw new ReplayError('inconsistent replay: mech arrays do not match the roster');
  const ragged = { proj: 'proj_weapon', smoke: 'smoke', event: 'event_tick', edit: 'edit_index' };
  for (const [kind, first] of Object.entries(ragged)) {
    const off = arrays[`${kind}_offsets`].data;
    const count = arrays[first].shape[0];
    let ok = off.length === T + 1 && off[0] === 0 && off[T] === count;
    for (let i = 1; ok && i <= T; i++) ok = off[i] >= off[i - 1];
    if (!ok) throw new ReplayError(`inconsistent replay: ${kind}_offsets do not partition ${kind} entries`);
  }
  const cells = vox.data.length;
  for (const v of arrays.edit_index.data) if (v < 0 || v >= cells) throw new ReplayError('inconsistent replay: a voxel edit lies outside the grid');
  for (const n of ['event_shooter', 'event_target', 'proj_shooter', 'proj_target', 'mech_focus']) {
    for (const v of arrays[n].data) if (v < -1 || v >= A) throw new ReplayError(`inconsistent replay: ${n} names an agent that does not exist`);
  }
  for (const v of arrays.class.data) if (v >= header.classes.length) throw new ReplayError('inconsistent replay: unknown class id');
}
