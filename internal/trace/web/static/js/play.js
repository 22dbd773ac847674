// Play: step through the conversation, one row every 1.6 s, and the button
// that says whether it plays.

import { $ } from './dom.js';
import { T } from './i18n.js';
import { move, selectRow } from './select.js';
import { S } from './state.js';
import { guard } from './status.js';

// setPlayButton shows play or pause on the button.
export function setPlayButton() {
  const b = $('play');
  if (!b) return;
  b.textContent = S.playing ? '❚❚' : '▶';
  b.setAttribute('title', S.playing ? T('pause') : T('play'));
  b.setAttribute('aria-label', S.playing ? T('pause') : T('play'));
  b.setAttribute('aria-pressed', String(!!S.playing));
}

// stopPlay stops playing.
export function stopPlay() {
  if (S.playing) clearInterval(S.playing);
  S.playing = 0;
  setPlayButton();
}

// togglePlay starts playing (from the start when at the end), or stops.
export function togglePlay() {
  if (S.playing) { stopPlay(); return; }
  if (!S.rows.length) return;
  if (S.cur >= S.rows.length - 1) selectRow(0);
  S.playing = setInterval(guard(function () {
    if (S.cur >= S.rows.length - 1) { stopPlay(); return; }
    move(1, false);
  }), 1600);
  setPlayButton();
}
