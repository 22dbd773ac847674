// Choosing a step: the chosen row, its frame model, and every panel that
// follows it (ladder mark, card, comparison, frame, states); keeping the
// chosen field when the next frame has it too.

import { renderStepCard } from './card.js';
import { $ } from './dom.js';
import { renderFrame } from './frame.js';
import { renderCompare } from './gateway.js';
import { markLadderSelection, scrollRowIntoView } from './ladder.js';
import { defaultLayer, frameModel } from './model.js';
import { S } from './state.js';
import { lightStates } from './states.js';

// selectRow chooses row i (clamped) and redraws every panel that follows it;
// opts.scroll (default true) scrolls the ladder to it, opts.focus focuses it.
export function selectRow(i, opts) {
  opts = opts || {};
  if (!S.rows.length) {
    S.cur = -1;
    S.model = null;
    renderStepCard(null);
    renderFrame();
    renderCompare();
    lightStates();
    return;
  }
  S.cur = Math.max(0, Math.min(S.rows.length - 1, i));
  const row = S.rows[S.cur];
  S.model = frameModel(row.step);
  S.byteCycle = { off: -1, n: 0 };
  // Keep the chosen field if this frame has it too.
  S.fid = null;
  if (S.fkey) {
    const it = S.model.list.find((x) => x.key === S.fkey);
    if (it) S.fid = it.id;
  }
  if (S.fid === null || S.diagLayer >= S.model.layers.length) S.diagLayer = defaultLayer(S.model);
  if (S.fid !== null) S.diagLayer = S.model.byId.get(S.fid).li;
  const active = document.activeElement;
  const fieldHadFocus = !!(active && active.classList && active.classList.contains('field'));
  const g = markLadderSelection();
  if (opts.scroll !== false) scrollRowIntoView(g);
  if (opts.focus && g && typeof g.focus === 'function') g.focus({ preventScroll: true });
  renderStepCard(row);
  renderCompare();
  renderFrame();
  lightStates();
  if (fieldHadFocus && S.fid !== null) {
    const f = $('tree').querySelector('.field[data-fid="' + S.fid + '"]');
    if (f) f.focus({ preventScroll: true });
  }
}

// move chooses the row d away from the chosen one (the first when none is),
// if there is one.
export function move(d, focus) {
  if (!S.rows.length) return;
  const i = S.cur < 0 ? 0 : S.cur + d;
  if (i < 0 || i >= S.rows.length) return;
  selectRow(i, { focus: focus });
}
