// Choosing a field: its bytes get the class hl (and nothing else has it), it
// is marked in the tree and in the diagram; choosing a byte chooses the
// innermost field over it, and the next one out on each further click.

import { renderDiagram, renderDiagramTabs } from './diagram.js';
import { $ } from './dom.js';
import { fieldsAt } from './model.js';
import { S } from './state.js';

// chooseField gives the field's bytes the class hl (and nothing else has
// it), marks it in the tree and in the diagram.
export function chooseField(id, opts) {
  opts = opts || {};
  const M = S.model;
  if (!M || !M.byId.has(id)) return;
  const it = M.byId.get(id);
  S.fid = id;
  S.fkey = it.key;
  if (it.li !== S.diagLayer) {
    S.diagLayer = it.li;
    renderDiagramTabs();
    renderDiagram();
  }
  applyFieldSelection(opts.scrollTree);
  if (opts.focusTree) {
    const el = $('tree').querySelector('.field[data-fid="' + id + '"]');
    if (el) el.focus({ preventScroll: true });
  }
}

// applyFieldSelection marks the chosen field everywhere: class hl on its bytes
// (hla in ASCII), sel in the tree and on its diagram box.
export function applyFieldSelection(scrollTree) {
  const M = S.model;
  const it = M && S.fid !== null ? M.byId.get(S.fid) : null;
  const hex = $('hex');
  hex.querySelectorAll('.hl').forEach((e) => e.classList.remove('hl'));
  hex.querySelectorAll('.hla').forEach((e) => e.classList.remove('hla'));
  $('tree').querySelectorAll('.field.sel').forEach(function (e) { e.classList.remove('sel'); e.setAttribute('aria-pressed', 'false'); });
  $('diagram').querySelectorAll('.box.sel').forEach((e) => e.classList.remove('sel'));
  if (!it) return;
  for (let o = it.off; o < it.off + it.len; o++) {
    const b = hex.querySelector('[data-off="' + o + '"]');
    if (b) b.classList.add('hl');
    const a = hex.querySelector('[data-aoff="' + o + '"]');
    if (a) a.classList.add('hla');
  }
  const el = $('tree').querySelector('.field[data-fid="' + it.id + '"]');
  if (el) {
    el.classList.add('sel');
    el.setAttribute('aria-pressed', 'true');
    const det = el.closest('details');
    if (det && !det.open) det.open = true;
    if (scrollTree) {
      const box = $('tree-col');
      const r = el.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      if (r.top < b.top || r.bottom > b.bottom) el.scrollIntoView({ block: 'center' });
    }
  }
  // In the diagram: the field's own box, or the box that holds it.
  let cur = it;
  while (cur) {
    const box = $('diagram').querySelector('.box[data-fid="' + cur.id + '"]');
    if (box) { box.classList.add('sel'); break; }
    cur = cur.parent;
  }
  if (!cur) {
    M.list.filter((x) => x.parent === it).forEach(function (k) {
      const box = $('diagram').querySelector('.box[data-fid="' + k.id + '"]');
      if (box) box.classList.add('sel');
    });
  }
}

// chooseByte chooses the innermost field over the byte; clicking the same byte
// again chooses the next one out.
export function chooseByte(off) {
  const M = S.model;
  if (!M) return;
  const c = fieldsAt(M, off);
  if (!c.length) return;
  if (S.byteCycle.off === off) S.byteCycle.n = (S.byteCycle.n + 1) % c.length;
  else S.byteCycle = { off: off, n: 0 };
  chooseField(c[S.byteCycle.n].id, { scrollTree: true });
}
