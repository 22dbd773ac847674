// The page around the panels: its texts in the chosen language, the scenario
// picker, the scenario's description and addresses, the terms box, and the
// URL that names what is shown.

import { obj, str } from './coerce.js';
import { $, clear, h } from './dom.js';
import { T, scenarioDesc, scenarioTitle } from './i18n.js';
import { setPlayButton } from './play.js';
import { LIVE, S } from './state.js';

// applyText writes the page's fixed texts, titles and pressed states in the chosen language.
export function applyText() {
  document.documentElement.setAttribute('lang', S.lang);
  document.querySelectorAll('[data-i18n]').forEach(function (e) { e.textContent = T(e.getAttribute('data-i18n')); });
  document.querySelectorAll('[data-i18n-title]').forEach(function (e) { e.setAttribute('title', T(e.getAttribute('data-i18n-title'))); });
  document.querySelectorAll('[data-i18n-aria]').forEach(function (e) { e.setAttribute('aria-label', T(e.getAttribute('data-i18n-aria'))); });
  document.querySelectorAll('[data-lang]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === S.lang)); });
  document.querySelectorAll('[data-spacing]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-spacing') === S.spacing)); });
  const inp = $('live-line');
  if (inp) inp.setAttribute('placeholder', T('livePlaceholder'));
  document.title = 'upcase trace · ' + scenarioTitle(S.scenario);
  setPlayButton();
}

// renderPicker draws a button per scenario (data-scenario), live last.
export function renderPicker() {
  const nav = $('picker');
  clear(nav);
  const names = S.order.concat([LIVE]);
  names.forEach(function (n) {
    const b = h('button', {
      type: 'button', class: 'tab' + (n === LIVE ? ' tab-live' : ''), 'data-scenario': n,
      'aria-pressed': String(n === S.scenario), title: scenarioDesc(n), text: scenarioTitle(n),
    });
    nav.appendChild(b);
  });
}

// renderDesc says what the scenario shows and between which addresses.
export function renderDesc() {
  const p = $('desc');
  clear(p);
  p.appendChild(h('span', { class: 'desc-text', text: scenarioDesc(S.scenario) }));
  if (S.doc) {
    const c = str(S.doc.client);
    const s = str(S.doc.server);
    if (c || s) {
      p.appendChild(h('span', { class: 'addr' }, [
        h('span', { class: 'who who-client', text: T('client') }), ' ' + c + '  →  ',
        h('span', { class: 'who who-server', text: T('server') }), ' ' + s,
      ]));
    }
  }
}

// renderTerms fills the box explaining seq, ack, len and win, hidden when the
// document has no terms.
export function renderTerms() {
  const dl = $('terms');
  clear(dl);
  const t = obj(S.doc && S.doc.terms);
  const keys = ['seq', 'ack', 'len', 'window'];
  let any = false;
  keys.forEach(function (k) {
    if (!t[k]) return;
    any = true;
    dl.appendChild(h('dt', { text: k === 'window' ? 'win' : k }));
    dl.appendChild(h('dd', { text: str(t[k]) }));
  });
  $('terms-box').hidden = !any;
}

// updateURL names the language and scenario in the address, so a reload or a
// shared link shows the same.
export function updateURL() {
  try {
    const u = new URL(location.href);
    u.searchParams.set('lang', S.lang);
    u.searchParams.set('scenario', S.scenario);
    history.replaceState(null, '', u.pathname + '?' + u.searchParams.toString());
  } catch (e) { /* an opaque origin: the URL stays */ }
}
