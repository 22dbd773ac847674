// The RFC-style header diagram of one layer: 32 bits a row, a box per field
// (or per part, where the parts divide it), and the tabs that choose the
// layer.

import { num, str } from './coerce.js';
import { $, clear, h, rootPx, sv } from './dom.js';
import { bandOf, protoName } from './format.js';
import { T } from './i18n.js';
import { bitRange } from './model.js';
import { S } from './state.js';

// Short labels for one-bit fields in the header diagram.
const BIT_LABELS = {
  'tcp.flags.cwr': 'C', 'tcp.flags.ece': 'E', 'tcp.flags.urg': 'U', 'tcp.flags.ack': 'A',
  'tcp.flags.push': 'P', 'tcp.flags.reset': 'R', 'tcp.flags.syn': 'S', 'tcp.flags.fin': 'F',
  'tcp.flags.ae': 'AE', 'ip.flags.rb': 'R', 'ip.flags.df': 'DF', 'ip.flags.mf': 'MF',
};

// renderDiagramTabs draws a tab per layer of the frame, the diagram's layer pressed.
export function renderDiagramTabs() {
  const tabs = $('diagram-tabs');
  clear(tabs);
  const M = S.model;
  if (!M) return;
  M.layers.forEach(function (L, li) {
    tabs.appendChild(h('button', {
      type: 'button', class: 'ltab ' + bandOf(L, li), 'data-li': li, 'aria-pressed': String(li === S.diagLayer),
      text: protoName(L.name), title: str(L.level),
    }));
  });
}

// tiles chooses the boxes of a layer's diagram: a field, or its parts
// where they divide it without overlapping (the flags, the options).
function tiles(M, li) {
  const L = M.layers[li];
  const lo = num(L.offset);
  const out = [];
  function place(items) {
    items.forEach(function (it) {
      const r = bitRange(it, lo);
      const kids = M.list.filter((x) => x.parent === it);
      if (kids.length >= 2) {
        const rs = kids.map((k) => bitRange(k, lo)).sort((a, b) => a.start - b.start);
        let ok = rs[0].start >= r.start && rs[rs.length - 1].end <= r.end;
        for (let k = 1; k < rs.length && ok; k++) if (rs[k].start < rs[k - 1].end) ok = false;
        if (ok) { place(kids); return; }
      }
      out.push({ it: it, start: r.start, end: r.end });
    });
  }
  place(M.list.filter((it) => it.li === li && it.parent === null));
  out.sort((a, b) => a.start - b.start);
  const kept = [];
  let end = -1;
  out.forEach(function (t) {
    if (t.end <= t.start || t.start < 0) return;
    if (t.start < end) return;
    kept.push(t);
    end = t.end;
  });
  return kept;
}

function shortName(name) {
  if (BIT_LABELS[name]) return BIT_LABELS[name];
  let s = str(name);
  const dot = s.lastIndexOf('.');
  if (dot >= 0) s = s.slice(dot + 1);
  s = s.replace(/^option_/, '');
  return s;
}

// renderDiagram draws the chosen layer's header, 32 bits a row, a box per tile
// (data-fid, data-box) with its name and value where they fit.
export function renderDiagram() {
  const box = $('diagram');
  clear(box);
  const M = S.model;
  if (!M || S.diagLayer < 0 || !M.layers[S.diagLayer]) return;
  const L = M.layers[S.diagLayer];
  const li = S.diagLayer;
  const fs = rootPx();
  const W = Math.max(320, Math.floor(box.clientWidth || 500));
  const offW = fs * 2.6;
  const bw = (W - offW - 2) / 32;
  const rowH = fs * 2.5;
  const headH = fs * 1.3;
  const totalBits = num(L.length) * 8;
  const nRows = Math.max(1, Math.ceil(totalBits / 32));
  const H = Math.ceil(headH + nRows * rowH + 2);
  const svg = sv('svg', { class: 'diagram-svg', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'group', 'aria-label': T('header') + ': ' + protoName(L.name) });
  // Bit ruler.
  for (let b = 0; b < 32; b++) {
    if (bw < fs * 0.9 && b % 4 !== 0 && b !== 31) continue;
    svg.appendChild(sv('text', { class: 'ruler', x: offW + (b + 0.5) * bw, y: headH - fs * 0.35, text: String(b) }));
  }
  for (let r = 0; r < nRows; r++) {
    svg.appendChild(sv('text', { class: 'row-off', x: offW - fs * 0.4, y: headH + r * rowH + rowH / 2 + fs * 0.3, text: '+' + (r * 4) }));
    const rowBits = Math.min(32, totalBits - r * 32);
    svg.appendChild(sv('rect', { class: 'empty', x: offW, y: headH + r * rowH, width: rowBits * bw, height: rowH }));
  }
  const band = bandOf(L, li);
  tiles(M, li).forEach(function (t) {
    const it = t.it;
    const g = sv('g', { class: 'box ' + band, 'data-fid': it.id, 'data-box': it.name });
    g.appendChild(sv('title', { text: it.name + ' = ' + str(it.f.value) + ' (' + T('bitsOf', t.end - t.start) + ')' + (it.f.explanation ? '\n' + str(it.f.explanation) : '') }));
    let s = t.start;
    let firstPiece = true;
    while (s < t.end) {
      const r = Math.floor(s / 32);
      const e = Math.min(t.end, (r + 1) * 32);
      const x = offW + (s - r * 32) * bw;
      const w = (e - s) * bw;
      const y = headH + r * rowH;
      g.appendChild(sv('rect', { x: x, y: y, width: w, height: rowH }));
      const label = shortName(it.name);
      const tiny = label.length * fs * 0.72 * 0.6 > w - 4;
      const maxCh = Math.floor((w - 2) / (fs * (tiny ? 0.58 : 0.72) * 0.6));
      if (firstPiece || w > bw * 8) {
        if (maxCh >= 1) {
          const text = label.length <= maxCh ? label : (maxCh >= 3 ? label.slice(0, maxCh - 1) + '…' : label.slice(0, maxCh));
          const val = str(it.f.value);
          const vmax = Math.floor((w - 4) / (fs * 0.66 * 0.6));
          const showVal = val && vmax >= 2 && rowH > fs * 2.2;
          g.appendChild(sv('text', { class: 'bname' + (tiny ? ' tiny' : ''), x: x + w / 2, y: y + (showVal ? rowH * 0.42 : rowH / 2 + fs * 0.32), text: text }));
          if (showVal) {
            const vt = val.length <= vmax ? val : val.slice(0, Math.max(1, vmax - 1)) + '…';
            g.appendChild(sv('text', { class: 'bval', x: x + w / 2, y: y + rowH * 0.8, text: vt }));
          }
        }
      }
      firstPiece = false;
      s = e;
    }
    svg.appendChild(g);
  });
  box.appendChild(svg);
}
