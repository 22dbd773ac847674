// The server's API, all of the same origin: a scenario's trace, the list of
// scenarios, a live line sent to the real client, and the live events.
// Each request answers {ok, status, data, error} and never rejects.

import { str } from './coerce.js';

// getJSON never rejects: it answers {ok, status, data, error}.
function getJSON(url, opts) {
  let p;
  try {
    p = fetch(url, opts);
  } catch (e) {
    return Promise.resolve({ ok: false, status: 0, error: str(e && e.message) });
  }
  return p.then(function (r) {
    return r.text().then(function (t) {
      let d = null;
      try { d = t ? JSON.parse(t) : null; } catch (e) { d = null; }
      if (!r.ok) {
        const msg = d && typeof d.error === 'string' ? d.error : r.status + ' ' + r.statusText;
        return { ok: false, status: r.status, error: msg, data: d };
      }
      return { ok: true, status: r.status, data: d };
    });
  }).catch(function (e) {
    return { ok: false, status: 0, error: str(e && e.message ? e.message : e) };
  });
}

// getTrace asks for the document of a scenario, captured for this request.
export function getTrace(name, lang) {
  return getJSON('/api/trace?scenario=' + encodeURIComponent(name) + '&lang=' + encodeURIComponent(lang));
}

// getScenarios asks for the scenarios' names, titles and descriptions.
export function getScenarios(lang) {
  return getJSON('/api/scenarios?lang=' + encodeURIComponent(lang));
}

// postLine asks the server to send one line over a real TCP conversation.
export function postLine(line) {
  return getJSON('/api/live', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ line: line }),
    credentials: 'same-origin',
  });
}

// liveEvents opens the stream of live steps and replies (it may throw).
export function liveEvents(lang) {
  return new EventSource('/api/live/events?lang=' + encodeURIComponent(lang));
}
