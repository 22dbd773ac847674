// The ladder as SVG: a lifeline per host, each side's TCP state along it, an
// arrow per row (each carrying data-step, or data-link and data-link-step on
// the second link) with its labels and time, and the gaps between rows, in
// equal spacing or real time.

import { arr, num, obj, str } from './coerce.js';
import { ends, isTCP, linkName } from './doc.js';
import { $, clear, rootPx, sv } from './dom.js';
import { fmtGap, fmtTime } from './format.js';
import { T, roleName } from './i18n.js';
import { S } from './state.js';
import { stepLabels } from './steplabel.js';

// renderLadder draws the whole ladder for the shown document in the chosen
// spacing, as wide as its box.
export function renderLadder() {
  const wrap = $('ladder');
  clear(wrap);
  if (!S.doc) return;
  const rows = S.rows;
  const fs = rootPx();
  const W = Math.max(460, Math.floor(($('ladder-scroll').clientWidth || 600) - 2));
  const timeW = fs * 3.9;
  const stateW = fs * 7.7;
  // The time sits at each row, a state pill between rows: in equal
  // spacing they share one column.
  const left = S.spacing === 'time' ? timeW + stateW : Math.max(timeW, stateW);
  const right = W - stateW;
  const hosts = S.hosts;
  const X = {};
  hosts.forEach(function (hh, i) { X[hh.role] = hosts.length > 1 ? left + (right - left) * i / (hosts.length - 1) : (left + right) / 2; });
  const xOf = (r) => (r in X ? X[r] : (left + right) / 2);
  const tcp = isTCP();

  // Where each row sits.
  const top = fs * 5.2;
  const first = top + fs * 2.6;
  const ys = [];
  const equalH = fs * 4.6;
  rows.forEach(function (r, i) {
    if (i === 0) { ys.push(first); return; }
    if (S.spacing === 'time') {
      const dt = Math.max(0, num(r.step.time) - num(rows[i - 1].step.time));
      ys.push(ys[i - 1] + fs * (2.2 + 1.45 * Math.log10(1 + dt * 1e6 / 10)));
    } else {
      ys.push(ys[i - 1] + equalH);
    }
  });
  const bottom = (ys.length ? ys[ys.length - 1] : first) + fs * 3.4;
  const H = Math.ceil(bottom + fs);

  const svg = sv('svg', {
    class: 'ladder-svg', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H,
    role: 'group', 'aria-label': T('ladder'),
  });
  svg.style.setProperty('--fs', fs + 'px');
  const defs = sv('defs');
  ['client', 'server', 'router', 'other'].forEach(function (r) {
    defs.appendChild(sv('marker', {
      id: 'ah-' + r, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9,
      markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse', class: 'ah ah-' + r,
    }, [sv('path', { d: 'M0,0 L10,5 L0,10 z' })]));
  });
  svg.appendChild(defs);

  // Hosts and lifelines.
  const gHosts = sv('g', { class: 'hosts' });
  hosts.forEach(function (hh) {
    const x = X[hh.role];
    gHosts.appendChild(sv('line', { class: 'lifeline', x1: x, y1: top, x2: x, y2: bottom }));
    const bw = Math.min(fs * 10, hosts.length > 1 ? (right - left) / (hosts.length - 1) - fs * 0.5 : fs * 10);
    gHosts.appendChild(sv('rect', { class: 'host-box host-' + hh.role, x: x - bw / 2, y: fs * 0.4, width: bw, height: fs * 3.6, rx: fs * 0.5 }));
    gHosts.appendChild(sv('text', { class: 'host-name host-' + hh.role, x: x, y: fs * 1.9, text: roleName(hh.role) }));
    if (hh.addr) gHosts.appendChild(sv('text', { class: 'host-addr', x: x, y: fs * 3.3, text: hh.addr }));
  });
  const links = arr(S.doc.links);
  if (links.length > 1) {
    links.forEach(function (l) {
      const e = arr(l && l.ends);
      if (e.length !== 2 || !(e[0] in X) || !(e[1] in X)) return;
      const x = (X[e[0]] + X[e[1]]) / 2;
      const t = sv('text', { class: 'link-name', x: x, y: top + fs * 0.2, text: linkName(l) });
      t.appendChild(sv('title', { text: str(l.name) + (l.interface ? ' (' + str(l.host) + ' ' + str(l.interface) + ')' : '') }));
      gHosts.appendChild(t);
    });
  }
  svg.appendChild(gHosts);

  // Each side's state along its lifeline: the phases under the rows, the
  // pills above them.
  const gStates = sv('g', { class: 'states-on-ladder' });
  const gPills = sv('g', { class: 'pills' });
  if (tcp) {
    const init = obj(S.doc.initial);
    const cur = { client: str(init.client) || 'CLOSED', server: str(init.server) || 'LISTEN' };
    const segs = { client: [{ y: top, st: cur.client }], server: [{ y: top, st: cur.server }] };
    const pills = [];
    ['client', 'server'].forEach((side) => pills.push({ side: side, y: top + fs * 1.3, st: cur[side], kernel: '' }));
    rows.forEach(function (r, i) {
      const st = obj(r.step.states);
      const kst = obj(r.step.kernel);
      const yNext = i + 1 < rows.length ? ys[i + 1] : ys[i] + fs * 2.6;
      const ym = ys[i] + Math.max(fs * 0.95, (yNext - ys[i]) / 2);
      ['client', 'server'].forEach(function (side) {
        const s = str(st[side]);
        if (s && s !== cur[side]) {
          cur[side] = s;
          segs[side].push({ y: ym, st: s });
          pills.push({ side: side, y: ym, st: s, kernel: kst[side] && kst[side] !== s ? str(kst[side]) : '' });
        }
      });
    });
    ['client', 'server'].forEach(function (side) {
      if (!(side in X)) return;
      const list = segs[side];
      list.forEach(function (seg, k) {
        const y2 = k + 1 < list.length ? list[k + 1].y : bottom;
        gStates.appendChild(sv('line', { class: 'phase phase-' + phaseOf(seg.st), x1: X[side], y1: seg.y, x2: X[side], y2: y2 }));
      });
    });
    pills.forEach(function (p) {
      if (!(p.side in X)) return;
      const w = Math.max(fs * 4, p.st.length * fs * 0.48 + fs * 1.1);
      const ph = fs * 1.45;
      const x = p.side === 'client' ? X.client - fs * 0.7 - w : X[p.side] + fs * 0.7;
      const g = sv('g', { class: 'state-pill phase-' + phaseOf(p.st) + (p.kernel ? ' has-kernel' : ''), 'data-side': p.side, 'data-state': p.st });
      g.appendChild(sv('title', { text: roleName(p.side) + ': ' + p.st + (p.kernel ? ' — ' + T('linuxSays', roleName(p.side), p.kernel) : '') }));
      g.appendChild(sv('rect', { x: x, y: p.y - ph / 2, width: w, height: ph, rx: ph / 2 }));
      g.appendChild(sv('text', { x: x + w / 2, y: p.y + fs * 0.3, text: p.st + (p.kernel ? '*' : '') }));
      gPills.appendChild(g);
    });
  }

  // Rows: time, gaps, arrows.
  const gRows = sv('g', { class: 'rows' });
  const gGaps = sv('g', { class: 'gaps' });
  rows.forEach(function (r, i) {
    const y = ys[i];
    const st = r.step;
    const pair = ends(r);
    const x1 = xOf(pair[0]);
    const x2 = xOf(pair[1]);
    const from = ['client', 'server', 'router'].indexOf(str(st.from)) >= 0 ? str(st.from) : 'other';
    const lab = stepLabels(st);
    const yTop = i === 0 ? y - fs * 1.9 : (ys[i - 1] + y) / 2;
    const yBot = i + 1 < rows.length ? (y + ys[i + 1]) / 2 : y + fs * 2.6;
    const attrs = {
      class: 'seg from-' + from + (r.link > 0 ? ' on-link' : '') + (i === S.cur ? ' sel' : ''),
      'data-row': i, tabindex: 0, role: 'button', 'aria-label': lab.main + ', ' + lab.sub,
      'aria-current': i === S.cur ? 'step' : null,
    };
    if (r.link === 0) attrs['data-step'] = num(st.index, i);
    else { attrs['data-link'] = r.link; attrs['data-link-step'] = num(st.index, i); }
    const g = sv('g', attrs);
    const title = [roleName(str(st.from)) + ' → ' + roleName(str(st.to)), lab.main, lab.sub, lab.opts, fmtTime(st.time), str(st.explanation)].filter(Boolean).join('\n');
    g.appendChild(sv('title', { text: title }));
    g.appendChild(sv('rect', { class: 'band', x: timeW * 0.15, y: yTop, width: W - timeW * 0.3, height: Math.max(4, yBot - yTop), rx: fs * 0.4 }));
    g.appendChild(sv('text', { class: 'time', x: timeW * 0.25, y: y + fs * 0.35, text: fmtTime(st.time) }));
    const dy = Math.min(fs * 0.45, Math.abs(x2 - x1) / 30);
    const xa = x1 + (x2 > x1 ? 2 : -2);
    const xb = x2 + (x2 > x1 ? -3 : 3);
    g.appendChild(sv('line', { class: 'hit', x1: xa, y1: y - dy, x2: xb, y2: y + dy }));
    g.appendChild(sv('line', { class: 'arrow', x1: xa, y1: y - dy, x2: xb, y2: y + dy, 'marker-end': 'url(#ah-' + from + ')' }));
    const mx = (x1 + x2) / 2;
    const flagsCls = 'lab-main' + (arr(st.flags).indexOf('RST') >= 0 ? ' rst' : '') + (arr(st.flags).indexOf('SYN') >= 0 ? ' syn' : '') + (arr(st.flags).indexOf('FIN') >= 0 ? ' fin' : '');
    g.appendChild(sv('text', { class: flagsCls, x: mx, y: y - fs * 0.6, text: lab.main }));
    const roomy = S.spacing !== 'time' || (yBot - y) > fs * 1.5;
    if (roomy) g.appendChild(sv('text', { class: 'lab-sub', x: mx, y: y + fs * 1.35, text: lab.sub }));
    if (lab.opts && (S.spacing !== 'time' || (yBot - y) > fs * 2.6)) g.appendChild(sv('text', { class: 'lab-opts', x: mx, y: y + fs * 2.45, text: lab.opts }));
    gRows.appendChild(g);
    if (i > 0) {
      const dt = num(st.time) - num(rows[i - 1].step.time);
      if (dt >= 0.005) {
        const xl = Math.min.apply(null, hosts.map((hh) => X[hh.role]));
        const xr = Math.max.apply(null, hosts.map((hh) => X[hh.role]));
        const gx = (xl + xr) / 2;
        const gy = S.spacing === 'time' ? yTop : yTop + fs * 0.05;
        const gg = sv('g', { class: 'gap' });
        gg.appendChild(sv('line', { x1: xl + fs * 0.6, y1: gy, x2: xr - fs * 0.6, y2: gy }));
        gg.appendChild(sv('text', { x: gx, y: gy + fs * 0.3, text: fmtGap(dt) }));
        gGaps.appendChild(gg);
      }
    }
  });
  svg.appendChild(gStates);
  svg.appendChild(gGaps);
  svg.appendChild(gRows);
  svg.appendChild(gPills);
  wrap.appendChild(svg);
}

function phaseOf(st) {
  switch (st) {
    case 'ESTABLISHED': return 'est';
    case 'SYN-SENT': case 'SYN-RECEIVED': return 'open';
    case 'FIN-WAIT-1': case 'FIN-WAIT-2': case 'CLOSE-WAIT': case 'CLOSING': case 'LAST-ACK': return 'close';
    case 'TIME-WAIT': return 'wait';
    case 'LISTEN': return 'listen';
    default: return 'closed';
  }
}

// markLadderSelection marks the chosen row (class sel, aria-current) and
// answers its element.
export function markLadderSelection() {
  const wrap = $('ladder');
  wrap.querySelectorAll('.seg.sel').forEach(function (g) { g.classList.remove('sel'); g.removeAttribute('aria-current'); });
  const g = wrap.querySelector('.seg[data-row="' + S.cur + '"]');
  if (g) {
    g.classList.add('sel');
    g.setAttribute('aria-current', 'step');
  }
  return g;
}

// scrollRowIntoView scrolls the ladder just enough to show the row g.
export function scrollRowIntoView(g) {
  const box = $('ladder-scroll');
  if (!g || !box) return;
  const band = g.querySelector('.band');
  if (!band) return;
  const r = band.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  if (r.top < b.top + 4) box.scrollTop -= (b.top + 4 - r.top) + 40;
  else if (r.bottom > b.bottom - 4) box.scrollTop += (r.bottom - b.bottom + 4) + 40;
}
