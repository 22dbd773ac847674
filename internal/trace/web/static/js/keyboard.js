// Keyboard navigation: ←/→ step through the ladder from anywhere but a text
// field; on a segment, Enter or Space chooses it and Home/End go to the
// first and last; in the layer tree, ↑/↓ move between fields and Enter or
// Space chooses one.

import { num } from './coerce.js';
import { $ } from './dom.js';
import { chooseField } from './fields.js';
import { move, selectRow } from './select.js';
import { S } from './state.js';
import { guard } from './status.js';

// wireKeys listens for the keys on the ladder, the tree and the document.
export function wireKeys() {
  $('ladder').addEventListener('keydown', guard(function (ev) {
    const g = ev.target.closest('.seg');
    if (!g) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      selectRow(num(g.getAttribute('data-row')), { scroll: false, focus: true });
    }
  }));

  const tree = $('tree');
  tree.addEventListener('keydown', guard(function (ev) {
    const f = ev.target.closest('.field');
    if (!f) return;
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      chooseField(f.getAttribute('data-fid'));
    } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const all = Array.prototype.slice.call(tree.querySelectorAll('.field'));
      const i = all.indexOf(f) + (ev.key === 'ArrowDown' ? 1 : -1);
      if (i >= 0 && i < all.length) { all[i].focus(); chooseField(all[i].getAttribute('data-fid')); }
    }
  }));

  document.addEventListener('keydown', guard(function (ev) {
    if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const t = ev.target;
    const tag = t && t.tagName ? t.tagName.toLowerCase() : '';
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || (t && t.isContentEditable)) return;
    const onSeg = !!(t && t.closest && t.closest('.seg'));
    if (ev.key === 'ArrowRight') { ev.preventDefault(); move(1, onSeg); }
    else if (ev.key === 'ArrowLeft') { ev.preventDefault(); move(-1, onSeg); }
    else if (ev.key === 'Home' && onSeg) { ev.preventDefault(); selectRow(0, { focus: true }); }
    else if (ev.key === 'End' && onSeg) { ev.preventDefault(); selectRow(S.rows.length - 1, { focus: true }); }
  }));
}
