// The page of `upcase trace --web` (issue 16): the ladder of a real capture,
// each segment's layers, fields and bytes, each side's place on RFC 9293's
// state diagram, and live mode. ES modules, no framework, no build step;
// everything it shows comes from /api/* of the same origin. Data is only
// ever written with textContent, never parsed as HTML. This module wires
// the clicks to the panels and starts the page.

import { applyText, renderPicker } from './chrome.js';
import { num } from './coerce.js';
import { renderDiagram, renderDiagramTabs } from './diagram.js';
import { $ } from './dom.js';
import { applyFieldSelection, chooseByte, chooseField } from './fields.js';
import { renderHex } from './hex.js';
import { initialLang } from './i18n.js';
import { wireKeys } from './keyboard.js';
import { markLadderSelection, renderLadder } from './ladder.js';
import { enterLive, sendLine } from './live.js';
import { loadScenarios, loadTrace, setLang } from './load.js';
import { togglePlay } from './play.js';
import { move, selectRow } from './select.js';
import { LIVE, S, SCENARIOS } from './state.js';
import { renderStateDiagram } from './states.js';
import { guard } from './status.js';

// wire listens for clicks on the page's controls and panels, and for resize.
function wire() {
  $('picker').addEventListener('click', guard(function (ev) {
    const b = ev.target.closest('[data-scenario]');
    if (!b) return;
    const n = b.getAttribute('data-scenario');
    if (n === LIVE) enterLive();
    else loadTrace(n, false);
  }));
  $('langs').addEventListener('click', guard(function (ev) {
    const b = ev.target.closest('[data-lang]');
    if (b) setLang(b.getAttribute('data-lang'));
  }));
  $('spacing').addEventListener('click', guard(function (ev) {
    const b = ev.target.closest('[data-spacing]');
    if (!b) return;
    S.spacing = b.getAttribute('data-spacing') === 'time' ? 'time' : 'equal';
    applyText();
    renderLadder();
    markLadderSelection();
  }));
  $('prev').addEventListener('click', guard(function () { move(-1, false); }));
  $('next').addEventListener('click', guard(function () { move(1, false); }));
  $('play').addEventListener('click', guard(togglePlay));

  $('ladder').addEventListener('click', guard(function (ev) {
    const g = ev.target.closest('.seg');
    if (!g) return;
    selectRow(num(g.getAttribute('data-row')), { scroll: false });
  }));

  $('tree').addEventListener('click', guard(function (ev) {
    const x = ev.target.closest('.lexp');
    if (x) { x.classList.toggle('full'); return; }
    const f = ev.target.closest('.field');
    if (f) { chooseField(f.getAttribute('data-fid')); return; }
    const sum = ev.target.closest('summary');
    if (sum) {
      const det = sum.closest('details');
      const li = num(det && det.getAttribute('data-li'), -1);
      if (li >= 0 && li !== S.diagLayer) { S.diagLayer = li; renderDiagramTabs(); renderDiagram(); applyFieldSelection(false); }
    }
  }));

  $('hex').addEventListener('click', guard(function (ev) {
    const c = ev.target.closest('[data-off],[data-aoff]');
    if (!c) return;
    const off = num(c.hasAttribute('data-off') ? c.getAttribute('data-off') : c.getAttribute('data-aoff'), -1);
    if (off >= 0) chooseByte(off);
  }));
  $('diagram').addEventListener('click', guard(function (ev) {
    const b = ev.target.closest('.box');
    if (b) chooseField(b.getAttribute('data-fid'), { scrollTree: true });
  }));
  $('diagram-tabs').addEventListener('click', guard(function (ev) {
    const b = ev.target.closest('[data-li]');
    if (!b) return;
    S.diagLayer = num(b.getAttribute('data-li'));
    renderDiagramTabs();
    renderDiagram();
    applyFieldSelection(false);
  }));

  $('live').addEventListener('submit', guard(sendLine));

  wireKeys();

  window.addEventListener('resize', function () {
    clearTimeout(S.resizeTimer);
    S.resizeTimer = setTimeout(guard(function () {
      renderLadder();
      markLadderSelection();
      renderHex();
      renderDiagram();
      applyFieldSelection(false);
    }), 150);
  });
}

const start = guard(function () {
  S.lang = initialLang();
  let sc = '';
  try { sc = new URLSearchParams(location.search).get('scenario') || ''; } catch (e) { sc = ''; }
  S.scenario = sc && (SCENARIOS.indexOf(sc) >= 0 || sc === LIVE || /^[a-z0-9-]{1,32}$/.test(sc)) ? sc : 'normal';
  wire();
  applyText();
  renderPicker();
  renderStateDiagram();
  loadScenarios();
  if (S.scenario === LIVE) enterLive();
  else loadTrace(S.scenario, false);
});

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
