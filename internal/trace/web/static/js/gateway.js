// In gateway: the same packet on both links side by side: the MACs change,
// the IPs stay, the TTL is one less (and so the IP checksum changes).

import { arr, obj, str } from './coerce.js';
import { linkName } from './doc.js';
import { $, clear, h } from './dom.js';
import { T, roleName } from './i18n.js';
import { fieldValue, frameModel } from './model.js';
import { S } from './state.js';
import { stepLabels } from './steplabel.js';

// renderCompare shows, in gateway, the chosen packet (or else the first SYN) on
// both links, field by field, marking what the router changed.
export function renderCompare() {
  const box = $('compare');
  clear(box);
  const links = arr(S.doc && S.doc.links);
  box.hidden = true;
  if (links.length < 2 || S.cur < 0 || !S.rows[S.cur]) return;
  const l1 = arr(links[1] && links[1].steps);
  if (!l1.length) return;
  let a = null;
  let b = null;
  const row = S.rows[S.cur];
  const match = (x, y) => {
    const A = frameModel(x);
    const B = frameModel(y);
    const id = fieldValue(A, 'ip.id');
    return id && id === fieldValue(B, 'ip.id') && fieldValue(A, 'ip.src') === fieldValue(B, 'ip.src');
  };
  let note = '';
  if (str(row.step.kind) !== 'arp') {
    if (row.link === 0) { a = row.step; b = l1.find((y) => match(a, y)) || null; }
    else { b = row.step; a = arr(S.doc.steps).find((x) => match(x, b)) || null; }
  }
  if (!a || !b) {
    note = str(row.step.kind) === 'arp' ? T('arpStays') : '';
    a = arr(S.doc.steps).find((x) => arr(x.flags).indexOf('SYN') >= 0 && arr(x.flags).indexOf('ACK') < 0) || null;
    b = a ? l1.find((y) => match(a, y)) || null : null;
  }
  if (!a || !b) return;
  const A = frameModel(a);
  const B = frameModel(b);
  const owners = [obj(links[0].owners), obj(links[1].owners)];
  const who = (k, mac) => {
    const o = owners[k][mac] || owners[k][str(mac).toLowerCase()];
    return o ? roleName(str(o.role)) + (o.interface ? ' ' + str(o.interface) : '') : '';
  };
  box.hidden = false;
  const lab = stepLabels(a);
  box.appendChild(h('h3', { class: 'sub' }, [T('bothLinks') + ': ', h('span', { class: 'cmp-what', text: lab.main })]));
  if (note) box.appendChild(h('p', { class: 'muted small', text: note }));
  const table = h('table', { class: 'cmp' });
  table.appendChild(h('thead', {}, [h('tr', {}, [
    h('th', { text: T('field') }),
    h('th', { text: linkName(links[0]) }),
    h('th', { text: linkName(links[1]) }),
  ])]));
  const tb = h('tbody');
  ['eth.src', 'eth.dst', 'ip.src', 'ip.dst', 'ip.ttl', 'ip.checksum', 'ip.id'].forEach(function (name) {
    const va = fieldValue(A, name);
    const vb = fieldValue(B, name);
    if (!va && !vb) return;
    const diff = va !== vb;
    const isMac = name.indexOf('eth.') === 0;
    const cell = (k, v) => h('td', { class: 'mono' }, [v, isMac && who(k, v) ? h('span', { class: 'owner', text: who(k, v) }) : null]);
    tb.appendChild(h('tr', { class: diff ? 'diff' : 'same', 'data-cmp': name, title: diff ? T('changed') : T('same') }, [
      h('th', {}, [h('span', { class: 'mono', text: name }), diff ? h('span', { class: 'cmp-tag', text: T('changed') }) : null]),
      cell(0, va), cell(1, vb),
    ]));
  });
  table.appendChild(tb);
  box.appendChild(table);
  box.appendChild(h('p', { class: 'muted small', text: T('bothLinksNote') }));
}
