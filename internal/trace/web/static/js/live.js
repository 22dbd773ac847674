// Live mode: the learner's line is sent to the real server, each captured
// segment arrives as a server-sent event and joins its conversation, and the
// conversation is shown on the ladder as it grows.

import { liveEvents, postLine } from './api.js';
import { applyText, renderDesc, renderPicker, renderTerms, updateURL } from './chrome.js';
import { num, str } from './coerce.js';
import { buildRows, hostsOf } from './doc.js';
import { $, h } from './dom.js';
import { T } from './i18n.js';
import { renderLadder } from './ladder.js';
import { stopPlay } from './play.js';
import { selectRow } from './select.js';
import { LIVE, S } from './state.js';
import { guard, setStatus } from './status.js';

// enterLive switches to live mode: the form, the event stream, and the
// conversation last shown.
export function enterLive() {
  stopPlay();
  S.req++;
  S.scenario = LIVE;
  updateURL();
  renderPicker();
  applyText();
  document.body.classList.remove('busy');
  document.body.classList.add('is-live');
  $('live').hidden = false;
  openLive();
  showLiveConv(S.live.cur, false);
  const inp = $('live-line');
  if (inp) inp.focus();
}

function liveDoc(conv) {
  return {
    version: 1, scenario: LIVE, lang: S.lang, kind: conv.kind || 'tcp',
    client: conv.client, server: conv.server,
    initial: { client: 'CLOSED', server: 'LISTEN' }, steps: conv.steps,
  };
}

function showLiveConv(conv, follow) {
  if (!conv) {
    document.body.setAttribute('data-loaded', LIVE);
    S.doc = liveDoc({ client: '', server: '', steps: [] });
    S.hosts = hostsOf(S.doc);
    S.rows = [];
    S.cur = -1;
    renderDesc();
    renderTerms();
    renderLadder();
    selectRow(-1);
    setStatus(T('liveWaiting'), 'busy');
    return;
  }
  const wasLast = S.cur < 0 || S.cur >= S.rows.length - 1 || S.live.cur !== conv;
  S.live.cur = conv;
  S.doc = liveDoc(conv);
  document.body.setAttribute('data-loaded', LIVE);
  S.hosts = hostsOf(S.doc);
  S.rows = buildRows(S.doc);
  setStatus('', '');
  renderDesc();
  renderTerms();
  renderLadder();
  const i = follow && wasLast ? S.rows.length - 1 : Math.min(Math.max(S.cur, 0), S.rows.length - 1);
  selectRow(i, { scroll: true });
}

// openLive opens the live event stream in the page's language, unless it is
// open in it already.
export function openLive() {
  if (S.live.es && S.live.esLang === S.lang) return;
  closeLive();
  if (typeof EventSource !== 'function') return;
  let es;
  try {
    es = liveEvents(S.lang);
  } catch (e) {
    setStatus(T('liveLost'), 'error');
    return;
  }
  S.live.es = es;
  S.live.esLang = S.lang;
  es.addEventListener('step', guard(function (ev) { onLiveStep(ev); }));
  es.addEventListener('reply', guard(function (ev) { onLiveReply(ev); }));
  es.addEventListener('error', guard(function (ev) {
    if (ev && typeof ev.data === 'string' && ev.data) {
      let d = null;
      try { d = JSON.parse(ev.data); } catch (e) { d = null; }
      liveLog(d && d.error ? str(d.error) : str(ev.data), 'error');
    } else if (S.scenario === LIVE) {
      setStatus(T('liveLost'), 'error');
    }
  }));
  es.addEventListener('open', guard(function () {
    if (S.scenario === LIVE && !S.rows.length) setStatus(T('liveWaiting'), 'busy');
    else if (S.scenario === LIVE) setStatus('', '');
  }));
}

// closeLive closes the live event stream.
export function closeLive() {
  if (S.live.es) {
    try { S.live.es.close(); } catch (e) { /* closed already */ }
  }
  S.live.es = null;
  S.live.esLang = '';
}

function onLiveStep(ev) {
  let rec = null;
  try { rec = JSON.parse(ev.data); } catch (e) { rec = null; }
  if (!rec || typeof rec !== 'object' || !rec.step || typeof rec.step !== 'object') return;
  const key = str(rec.client) + '|' + str(rec.server);
  let conv = S.live.byKey.get(key);
  if (!conv) {
    conv = { key: key, client: str(rec.client), server: str(rec.server), steps: [], kind: str(rec.step.kind) === 'udp' ? 'udp' : 'tcp', n: S.live.convs.length + 1 };
    S.live.byKey.set(key, conv);
    S.live.convs.push(conv);
    if (S.live.convs.length > 50) {
      const old = S.live.convs.shift();
      S.live.byKey.delete(old.key);
    }
  }
  const st = rec.step;
  const idx = num(st.index, conv.steps.length);
  const at = conv.steps.findIndex((x) => num(x.index) === idx);
  if (at >= 0) conv.steps[at] = st; else conv.steps.push(st);
  conv.steps.sort((a, b) => num(a.index) - num(b.index));
  if (S.scenario !== LIVE) return;
  if (conv === S.live.cur || !S.live.cur || S.live.cur.steps.length && conv.steps.length === 1) {
    showLiveConv(conv, true);
  }
}

function onLiveReply(ev) {
  let d = null;
  try { d = JSON.parse(ev.data); } catch (e) { d = null; }
  if (!d || typeof d !== 'object') return;
  const n = num(d.conversation, 0);
  const item = $('live-log').querySelector('[data-conversation="' + n + '"]');
  if (item) {
    const r = item.querySelector('.reply');
    if (r) r.textContent = str(d.reply);
    item.classList.add('done');
  } else {
    liveLog('→ ' + str(d.reply), '');
  }
}

function liveLog(text, kind, n) {
  const log = $('live-log');
  const li = h('li', { class: kind || '', 'data-conversation': n === undefined ? null : n }, [h('span', { class: 'line', text: text })]);
  if (n !== undefined) li.appendChild(h('span', { class: 'reply' }));
  log.insertBefore(li, log.firstChild);
  while (log.children.length > 8) log.removeChild(log.lastChild);
  return li;
}

// sendLine checks the typed line (not empty, at most 256 bytes) and sends it;
// the log shows it and, when it comes, the reply.
export function sendLine(ev) {
  if (ev) ev.preventDefault();
  const inp = $('live-line');
  const line = str(inp && inp.value);
  if (!line.trim()) { liveLog(T('liveEmpty'), 'error'); return; }
  let size = line.length;
  try { size = new TextEncoder().encode(line).length; } catch (e) { size = line.length; }
  if (size > 256) { liveLog(T('liveTooLong'), 'error'); return; }
  openLive();
  const btn = $('live').querySelector('button[type="submit"]');
  if (btn) btn.disabled = true;
  postLine(line).then(guard(function (res) {
    if (btn) btn.disabled = false;
    if (!res.ok) { liveLog(line + ' — ' + str(res.error), 'error'); return; }
    const n = num(res.data && res.data.conversation, 0);
    const li = liveLog(line, 'sent', n);
    li.setAttribute('title', T('liveSent', n));
    if (inp) { inp.value = ''; inp.focus(); }
  }));
}
