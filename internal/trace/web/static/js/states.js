// RFC 9293's state diagram drawn as SVG, with each side's current state lit,
// the transition it just took, and a line saying so.

import { num, obj, str } from './coerce.js';
import { isTCP } from './doc.js';
import { $, clear, h, sv } from './dom.js';
import { T, roleName } from './i18n.js';
import { EDGES, NODES, edgeLabel, edgeTo } from './rfc9293.js';
import { S } from './state.js';

const SD = { W: 1300, H: 246, bw: 138, bh: 40, col: (c) => 82 + c * 162, row: (r) => 50 + r * 76 };

// renderStateDiagram draws the diagram's states and transitions (once per
// language); lightStates marks it for the chosen row.
export function renderStateDiagram() {
  const box = $('states');
  clear(box);
  const svg = sv('svg', { class: 'sd-svg', viewBox: '0 0 ' + SD.W + ' ' + SD.H, preserveAspectRatio: 'xMidYMid meet', role: 'img', 'aria-label': T('states') });
  const defs = sv('defs');
  [['sd-ah', 'sd-ah'], ['sd-ah-client', 'sd-ah sd-ah-client'], ['sd-ah-server', 'sd-ah sd-ah-server']].forEach(function (m) {
    defs.appendChild(sv('marker', { id: m[0], viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 10, markerHeight: 10, markerUnits: 'userSpaceOnUse', orient: 'auto', class: m[1] }, [sv('path', { d: 'M0,0 L10,5 L0,10 z' })]));
  });
  svg.appendChild(defs);
  const pos = {};
  NODES.forEach((n) => { pos[n[0]] = { x: SD.col(n[1]), y: SD.row(n[2]) }; });
  const gE = sv('g', { class: 'sd-edges' });
  EDGES.forEach(function (e) {
    const p = pos[e[0]];
    const q = pos[e[1]];
    if (!p || !q) return;
    const bend = e[4] || 0;
    const mx = (p.x + q.x) / 2;
    const my = (p.y + q.y) / 2;
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.hypot(dx, dy) || 1;
    const cx = mx - dy / len * bend;
    const cy = my + dx / len * bend;
    const a = boxEdge(p, bend ? { x: cx, y: cy } : q);
    const b = boxEdge(q, bend ? { x: cx, y: cy } : p);
    const d = bend ? 'M' + a.x + ',' + a.y + ' Q' + cx + ',' + cy + ' ' + b.x + ',' + b.y : 'M' + a.x + ',' + a.y + ' L' + b.x + ',' + b.y;
    const label = S.lang === 'zh' ? e[3] : e[2];
    const g = sv('g', { class: 'sd-edge', 'data-from': e[0], 'data-to': e[1].replace('#end', '') });
    g.appendChild(sv('title', { text: e[0] + ' → ' + e[1].replace('#end', '') + ': ' + label }));
    g.appendChild(sv('path', { d: d, 'marker-end': 'url(#sd-ah)' }));
    gE.appendChild(g);
  });
  svg.appendChild(gE);
  const gN = sv('g', { class: 'sd-nodes' });
  NODES.forEach(function (n) {
    const p = pos[n[0]];
    const name = n[0].replace('#end', '');
    const g = sv('g', { class: 'sd-node', 'data-state': name, 'data-node': n[0] });
    g.appendChild(sv('rect', { x: p.x - SD.bw / 2, y: p.y - SD.bh / 2, width: SD.bw, height: SD.bh, rx: 10 }));
    g.appendChild(sv('text', { x: p.x, y: p.y + 6, text: name }));
    g.appendChild(sv('g', { class: 'sd-badges' }));
    gN.appendChild(g);
  });
  svg.appendChild(gN);
  box.appendChild(svg);
}

function boxEdge(c, toward) {
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (!dx && !dy) return { x: c.x, y: c.y };
  const hw = SD.bw / 2 + 3;
  const hh = SD.bh / 2 + 3;
  const t = Math.min(dx ? hw / Math.abs(dx) : Infinity, dy ? hh / Math.abs(dy) : Infinity);
  return { x: c.x + dx * t, y: c.y + dy * t };
}

// statesAt gives each side's state after the row i (the last row that
// said one), and before it; and which copy of CLOSED the diagram lights.
function statesAt(i) {
  const init = obj(S.doc && S.doc.initial);
  let cur = { client: str(init.client) || 'CLOSED', server: str(init.server) || 'LISTEN' };
  let prev = Object.assign({}, cur);
  const copy = { client: 'CLOSED', server: 'CLOSED' };
  for (let k = 0; k <= i && k < S.rows.length; k++) {
    const st = obj(S.rows[k].step.states);
    prev = Object.assign({}, cur);
    ['client', 'server'].forEach(function (side) {
      if (typeof st[side] === 'string' && st[side]) cur[side] = st[side];
      if (cur[side] === 'CLOSED' && prev[side] !== 'CLOSED') {
        copy[side] = edgeTo(prev[side]) === 'CLOSED' ? 'CLOSED' : 'CLOSED#end';
      }
    });
  }
  return { cur: cur, prev: prev, copy: copy };
}

// lightStates lights each side's state after the chosen row, with a badge, and
// the transition it took, and says so above the diagram.
export function lightStates() {
  const panel = $('states-panel');
  const box = $('states');
  const tr = $('transitions');
  clear(tr);
  if (!S.doc) { panel.classList.add('off'); return; }
  if (!isTCP()) {
    panel.classList.add('off');
    tr.appendChild(h('span', { class: 'muted', text: T('noStates') }));
  } else {
    panel.classList.remove('off');
  }
  box.querySelectorAll('.sd-node').forEach(function (n) {
    n.classList.remove('lit', 'lit-client', 'lit-server');
    const b = n.querySelector('.sd-badges');
    clear(b);
  });
  box.querySelectorAll('.sd-edge').forEach(function (e) {
    e.classList.remove('taken', 'taken-client', 'taken-server');
    const p = e.querySelector('path');
    if (p) p.setAttribute('marker-end', 'url(#sd-ah)');
  });
  if (!isTCP()) return;
  const at = statesAt(S.cur);
  ['client', 'server'].forEach(function (side, k) {
    const st = at.cur[side];
    const node = st === 'CLOSED' ? at.copy[side] : st;
    const g = box.querySelector('.sd-node[data-node="' + node + '"]');
    if (g) {
      g.classList.add('lit', 'lit-' + side);
      const rect = g.querySelector('rect');
      const x0 = num(rect && rect.getAttribute('x'));
      const y0 = num(rect && rect.getAttribute('y'));
      const label = roleName(side);
      const w = Math.max(54, label.length * (S.lang === 'zh' ? 15 : 9) + 18);
      const bx = k === 0 ? x0 - 6 : x0 + SD.bw + 6 - w;
      const badge = sv('g', { class: 'sd-badge sd-badge-' + side });
      badge.appendChild(sv('rect', { x: bx, y: y0 - 24, width: w, height: 22, rx: 11 }));
      badge.appendChild(sv('text', { x: bx + w / 2, y: y0 - 8, text: label }));
      g.querySelector('.sd-badges').appendChild(badge);
    }
    const was = at.prev[side];
    const line = h('span', { class: 'tr tr-' + side }, [h('span', { class: 'who who-' + side, text: roleName(side) }), ' ']);
    if (S.cur >= 0 && was !== st) {
      const target = st === 'CLOSED' ? at.copy[side] : st;
      const e = box.querySelector('.sd-edge[data-from="' + was + '"][data-to="' + st + '"]');
      if (e && (st !== 'CLOSED' || edgeTo(was) === target)) {
        e.classList.add('taken', 'taken-' + side);
        const p = e.querySelector('path');
        if (p) p.setAttribute('marker-end', 'url(#sd-ah-' + side + ')');
      }
      const lbl = edgeLabel(was, st);
      line.appendChild(h('span', { class: 'mono', text: was + ' → ' + st }));
      if (lbl) line.appendChild(h('span', { class: 'muted', text: '  (' + lbl + ')' }));
    } else {
      line.appendChild(h('span', { class: 'mono', text: st }));
    }
    tr.appendChild(line);
  });
}
