// The hex and ASCII view: 16 bytes a row where they fit, else 8; each byte
// cell carries data-off (data-aoff in ASCII) and its layer's colour band.

import { num, str } from './coerce.js';
import { $, clear, h } from './dom.js';
import { bandOf, hex2, printable, protoName } from './format.js';
import { T } from './i18n.js';
import { fieldsAt, layerAt } from './model.js';
import { S } from './state.js';

// renderHex shows 16 bytes a row where they fit, else 8.
export function renderHex() {
  renderHexRows(16);
  const box = $('hex');
  if (box.scrollWidth > box.clientWidth + 1) renderHexRows(8);
}

function renderHexRows(per) {
  const box = $('hex');
  clear(box);
  const M = S.model;
  if (!M) return;
  box.setAttribute('data-per-row', per);
  const n = M.bytes.length;
  for (let r = 0; r < n; r += per) {
    const row = h('div', { class: 'hrow' });
    row.appendChild(h('span', { class: 'hoff', text: String(r).padStart(4, '\u2007') }));
    const hx = h('span', { class: 'hbytes' });
    const as = h('span', { class: 'hascii' });
    for (let i = r; i < Math.min(n, r + per); i++) {
      const li = layerAt(M, i);
      const L = M.layers[li];
      const band = li >= 0 ? bandOf(L, li) : 'band-none';
      const start = li >= 0 && num(L.offset) === i ? ' lstart' : '';
      const inner = fieldsAt(M, i)[0];
      const tip = (inner ? inner.name + ' = ' + str(inner.f.value) + '\n' : '') + (li >= 0 ? str(L.level) + ' · ' + protoName(L.name) + ' · ' : '') + T('byteRange', i, i);
      const gap = (i - r) === 8 ? ' mid' : '';
      hx.appendChild(h('span', { class: 'b ' + band + start + gap, 'data-off': i, title: tip, text: hex2(M.bytes[i]) }));
      as.appendChild(h('span', { class: 'a ' + band, 'data-aoff': i, title: tip, text: printable(M.bytes[i]) }));
    }
    row.appendChild(hx);
    row.appendChild(as);
    box.appendChild(row);
  }
}
