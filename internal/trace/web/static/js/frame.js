// The chosen frame's panels together: the layer tree, the bytes, the header
// diagram, and the notes on the frame.

import { arr, num, obj, str } from './coerce.js';
import { renderDiagram, renderDiagramTabs } from './diagram.js';
import { $, clear, h } from './dom.js';
import { applyFieldSelection } from './fields.js';
import { renderHex } from './hex.js';
import { T } from './i18n.js';
import { renderTree } from './layers.js';
import { S } from './state.js';

// renderFrame draws the chosen frame's tree, bytes and diagram, its notes (and
// whether the capture cut it short), and marks the chosen field.
export function renderFrame() {
  renderTree();
  renderHex();
  renderDiagramTabs();
  renderDiagram();
  const notes = $('frame-notes');
  clear(notes);
  const fr = obj(S.model && S.model.step && S.model.step.frame);
  const wire = num(fr.wire_length, 0);
  if (wire > num(fr.length, 0)) notes.appendChild(h('span', { class: 'cut', text: T('captured', num(fr.length), wire) + ' ' }));
  arr(S.doc && S.doc.notes).forEach(function (n) { notes.appendChild(h('span', { text: str(n) + ' ' })); });
  applyFieldSelection(false);
}
