// Loading what is shown: a scenario's trace and the scenario list from the
// server, the document into the state and panels, and a language switch,
// which reloads both in the new language.

import { getScenarios, getTrace } from './api.js';
import { applyText, renderDesc, renderPicker, renderTerms, updateURL } from './chrome.js';
import { str } from './coerce.js';
import { buildRows, hostsOf } from './doc.js';
import { $ } from './dom.js';
import { BUILTIN, T } from './i18n.js';
import { renderLadder } from './ladder.js';
import { closeLive, openLive } from './live.js';
import { stopPlay } from './play.js';
import { selectRow } from './select.js';
import { LIVE, S, SCENARIOS } from './state.js';
import { renderStateDiagram } from './states.js';
import { guard, setStatus } from './status.js';

function setDoc(doc, keep) {
  S.doc = doc;
  document.body.setAttribute('data-loaded', S.scenario);
  S.hosts = hostsOf(doc);
  S.rows = buildRows(doc);
  const want = keep ? S.cur : 0;
  S.cur = S.rows.length ? Math.max(0, Math.min(S.rows.length - 1, want)) : -1;
  if (!keep) { S.fkey = null; S.fid = null; S.diagLayer = -1; }
  renderDesc();
  renderTerms();
  renderLadder();
  selectRow(S.cur, { scroll: false });
}

// loadScenarios asks for the scenario list in the page's language and redraws
// the picker; without an answer the built-in list stays.
export function loadScenarios() {
  return getScenarios(S.lang).then(guard(function (res) {
    const list = res.ok && res.data && Array.isArray(res.data.scenarios) ? res.data.scenarios : null;
    if (list && list.length) {
      S.info = {};
      S.order = [];
      list.forEach(function (sc) {
        if (!sc || typeof sc.name !== 'string' || !sc.name) return;
        S.order.push(sc.name);
        const b = (BUILTIN[S.lang] || BUILTIN.en)[sc.name] || [sc.name, ''];
        S.info[sc.name] = [str(sc.title) || b[0], str(sc.description) || b[1]];
      });
      if (!S.order.length) { S.order = SCENARIOS.slice(); S.info = null; }
    } else {
      S.info = null;
      S.order = SCENARIOS.slice();
    }
    renderPicker();
    renderDesc();
    applyText();
  }));
}

// loadTrace shows a scenario: it asks for a fresh capture and shows it when it
// arrives, unless another was asked for since; keep keeps the chosen row.
export function loadTrace(name, keep) {
  stopPlay();
  closeLive();
  S.scenario = name;
  updateURL();
  renderPicker();
  applyText();
  $('live').hidden = true;
  document.body.classList.remove('is-live');
  const id = ++S.req;
  document.body.removeAttribute('data-loaded');
  setStatus(T('capturing'), 'busy');
  document.body.classList.add('busy');
  return getTrace(name, S.lang).then(guard(function (res) {
    if (id !== S.req) return;
    document.body.classList.remove('busy');
    if (!res.ok || !res.data || !Array.isArray(res.data.steps)) {
      setStatus(T('loadError') + ': ' + (res.error || T('badDoc')), 'error');
      return;
    }
    setStatus('', '');
    setDoc(res.data, keep);
  }));
}

// setLang switches the language: texts, the state diagram, the scenarios, and
// the trace (or live stream) again in it.
export function setLang(lang) {
  if (lang !== 'en' && lang !== 'zh') return;
  if (lang === S.lang) return;
  S.lang = lang;
  updateURL();
  applyText();
  renderStateDiagram();
  loadScenarios();
  if (S.scenario === LIVE) {
    openLive();
    renderDesc();
    renderLadder();
    selectRow(S.cur, { scroll: false });
  } else {
    loadTrace(S.scenario, true);
  }
}
