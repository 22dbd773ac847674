// The layer tree: each layer named as the lesson names it, each field an
// element with data-field (and data-fid, its place in the model), with its
// value, bits and explanation.

import { num, str } from './coerce.js';
import { $, clear, h } from './dom.js';
import { bandOf, protoName } from './format.js';
import { T } from './i18n.js';
import { bitsPattern, notesAt } from './model.js';
import { S } from './state.js';

// renderTree draws the frame's layers, each with its fields.
export function renderTree() {
  const root = $('tree');
  clear(root);
  const M = S.model;
  if (!M) return;
  M.layers.forEach(function (L, li) {
    const det = h('details', { class: 'layer ' + bandOf(L, li), open: true, 'data-layer': str(L.name), 'data-li': li });
    const a = num(L.offset);
    const b = a + num(L.length) - 1;
    det.appendChild(h('summary', { class: 'layer-head' }, [
      h('span', { class: 'level', text: str(L.level) }),
      h('span', { class: 'lname', text: protoName(L.name) }),
      h('span', { class: 'lrange', text: T('byteRange', a, b) }),
    ]));
    if (L.explanation) det.appendChild(h('p', { class: 'lexp', text: str(L.explanation) }));
    notesAt(M, str(L.name)).forEach((t) => det.appendChild(h('p', { class: 'note', text: t })));
    const ul = h('ul', { class: 'fields' });
    M.list.filter((it) => it.li === li && it.parent === null).forEach((it) => ul.appendChild(fieldItem(M, it)));
    det.appendChild(ul);
    root.appendChild(det);
  });
}

function fieldItem(M, it) {
  const f = it.f;
  const bits = bitsPattern(it, M.bytes);
  const range = it.len ? T('byteRange', it.off, it.off + it.len - 1) : '';
  const div = h('div', {
    class: 'field', 'data-field': it.name, 'data-fid': it.id, tabindex: 0, role: 'button',
    'aria-pressed': 'false', title: it.name + (range ? ' · ' + range : ''),
  }, [
    h('span', { class: 'fname', text: it.name }),
    h('span', { class: 'fval', text: str(f.value) }),
    bits ? h('span', { class: 'fbits', text: bits }) : null,
    f.explanation ? h('span', { class: 'fexp', text: str(f.explanation) }) : null,
  ]);
  const li = h('li', {}, [div]);
  notesAt(M, it.name).forEach((t) => li.appendChild(h('p', { class: 'note', text: t })));
  const kids = M.list.filter((x) => x.parent === it);
  if (kids.length) {
    const ul = h('ul', { class: 'fields' });
    kids.forEach((k) => ul.appendChild(fieldItem(M, k)));
    li.appendChild(ul);
  }
  return li;
}
