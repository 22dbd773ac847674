// The chosen step's card: its place, route, flags and time, its numbers, the
// explanation, and what Linux reported where it differs.

import { arr, num, obj, str } from './coerce.js';
import { ends, linkName } from './doc.js';
import { $, clear, h } from './dom.js';
import { fmtTime } from './format.js';
import { T, roleName } from './i18n.js';
import { S } from './state.js';
import { stepLabels } from './steplabel.js';

// renderStepCard shows the chosen row's card, or a hint when none is chosen.
export function renderStepCard(row) {
  const card = $('step-card');
  clear(card);
  if (!row) {
    card.appendChild(h('p', { class: 'muted', text: S.doc ? T('noStep') : '' }));
    return;
  }
  const st = row.step;
  const links = arr(S.doc && S.doc.links);
  const head = h('div', { class: 'card-head' });
  if (row.link === 0) {
    const n = arr(S.doc.steps).length || S.rows.length;
    head.appendChild(h('span', { class: 'badge', text: T('step', num(st.index, S.cur) + 1, n) }));
  } else {
    head.appendChild(h('span', { class: 'badge badge-link', text: '#' + (num(st.index) + 1) + ' ' + T('frameOn', linkName(links[row.link])) }));
  }
  const pair = ends(row);
  head.appendChild(h('span', { class: 'route' }, [
    h('span', { class: 'who who-' + pair[0], text: roleName(pair[0]) }), ' → ',
    h('span', { class: 'who who-' + pair[1], text: roleName(pair[1]) }),
  ]));
  const flags = arr(st.flags);
  if (flags.length) {
    const fl = h('span', { class: 'flags' });
    flags.forEach(function (f) { fl.appendChild(h('span', { class: 'flag flag-' + str(f).toLowerCase(), text: str(f) })); });
    head.appendChild(fl);
  } else {
    head.appendChild(h('span', { class: 'flags' }, [h('span', { class: 'flag', text: str(st.kind).toUpperCase() })]));
  }
  head.appendChild(h('span', { class: 'card-time', text: 't = ' + fmtTime(st.time) }));
  card.appendChild(head);
  const lab = stepLabels(st);
  card.appendChild(h('p', { class: 'card-nums', text: [lab.sub, lab.opts].filter(Boolean).join('   ·   ') }));
  card.appendChild(h('p', { class: 'explanation', text: str(st.explanation) }));
  const kst = obj(st.kernel);
  const rst = obj(st.states);
  const notes = arr(st.kernel_notes).map(str).filter(Boolean);
  ['client', 'server'].forEach(function (side) {
    if (kst[side] && rst[side] && kst[side] !== rst[side] && !notes.length) notes.push(T('linuxSays', roleName(side), str(kst[side])));
  });
  notes.forEach(function (n) {
    card.appendChild(h('p', { class: 'kernel-note' }, [h('span', { class: 'tag', text: T('kernelNote') }), ' ', n]));
  });
}
