// The model of one frame of a tracejson step: its bytes, its layers, and its
// fields flattened with an id (their place in the tree) and a key (their
// path, to find the same field in another frame); which fields cover a byte,
// and which bits of its layer a field covers.

import { arr, num, obj, str } from './coerce.js';

function hexToBytes(hex) {
  const clean = str(hex).replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(Math.floor(clean.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16) || 0;
  return out;
}

// frameModel flattens a step's layers and fields, giving each field an id
// (its place in the tree) and a key (its path of names) to find it again
// in another frame.
export function frameModel(step) {
  const fr = obj(step && step.frame);
  const layers = arr(fr.layers).filter((l) => l && typeof l === 'object');
  const bytes = hexToBytes(fr.bytes);
  const list = [];
  const byId = new Map();
  const seen = new Map();
  function walk(fields, li, depth, prefix, path, parent) {
    arr(fields).forEach(function (f, i) {
      if (!f || typeof f !== 'object') return;
      const id = prefix + '.' + i;
      const p = path.concat(str(f.name));
      const base = p.join('>');
      const k = seen.get(base) || 0;
      seen.set(base, k + 1);
      const item = {
        id: id, f: f, li: li, depth: depth, parent: parent,
        key: base + '#' + k, name: str(f.name),
        off: num(f.offset), len: Math.max(0, num(f.length)),
      };
      list.push(item);
      byId.set(id, item);
      walk(f.fields, li, depth + 1, id, p, item);
    });
  }
  layers.forEach(function (L, li) { walk(L.fields, li, 0, 'f' + li, [str(L.name)], null); });
  return { step: step, bytes: bytes, layers: layers, list: list, byId: byId, notes: arr(fr.notes) };
}

// layerAt is the index of the layer holding byte off, or -1.
export function layerAt(M, off) {
  for (let i = 0; i < M.layers.length; i++) {
    const L = M.layers[i];
    const o = num(L.offset);
    if (off >= o && off < o + num(L.length)) return i;
  }
  return -1;
}

// fieldsAt lists the fields covering a byte, innermost first.
export function fieldsAt(M, off) {
  const c = M.list.filter((it) => off >= it.off && off < it.off + it.len);
  c.sort((a, b) => b.depth - a.depth || a.len - b.len);
  return c;
}

// fieldValue is the value of the first field named name, or ''.
export function fieldValue(M, name) {
  for (const it of M.list) if (it.name === name) return str(it.f.value);
  return '';
}

// bitRange says which bits of its layer a field covers, from the layer's
// first bit: a field of bits by its mask, any other by its bytes.
export function bitRange(it, layerOff) {
  const total = it.len * 8;
  let start = (it.off - layerOff) * 8;
  let width = total;
  const mask = it.f.mask;
  if (mask !== undefined && mask !== null && Number.isFinite(Number(mask)) && Number(mask) > 0 && total > 0 && total <= 48) {
    let m = Number(mask);
    let low = 0;
    while (m > 0 && m % 2 === 0) { m = m / 2; low++; }
    let high = low;
    let mm = Number(mask);
    let bit = 0;
    while (mm >= 1) { if (mm % 2 === 1) high = bit; mm = Math.floor(mm / 2); bit++; }
    start += total - 1 - high;
    width = high - low + 1;
  }
  return { start: start, end: start + width };
}

// bitsPattern writes a masked field's bits as Wireshark does (0100 ....), or ''.
export function bitsPattern(it, bytes) {
  const mask = it.f.mask;
  if (mask === undefined || mask === null || it.len < 1 || it.len > 2) return '';
  let v = 0;
  for (let i = 0; i < it.len; i++) v = v * 256 + (bytes[it.off + i] || 0);
  const n = it.len * 8;
  let out = '';
  for (let i = n - 1; i >= 0; i--) {
    const p = Math.pow(2, i);
    const inMask = Math.floor(Number(mask) / p) % 2 === 1;
    out += inMask ? (Math.floor(v / p) % 2 === 1 ? '1' : '0') : '.';
    if (i % 4 === 0 && i > 0) out += ' ';
  }
  return out;
}

// notesAt lists the frame's notes on a layer or field.
export function notesAt(M, at) {
  return M.notes.filter((n) => n && str(n.at) === at).map((n) => str(n.text)).filter(Boolean);
}

// defaultLayer is the layer the diagram shows first: the transport (or ARP)
// layer, else the last.
export function defaultLayer(M) {
  const want = ['tcp', 'udp', 'arp'];
  for (let i = 0; i < M.layers.length; i++) if (want.indexOf(str(M.layers[i].name)) >= 0) return i;
  return Math.max(0, M.layers.length - 1);
}
