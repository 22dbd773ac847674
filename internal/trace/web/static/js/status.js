// The status line under the ladder, and guard, which turns an exception in
// any handler into a line there: the page must never throw.

import { str } from './coerce.js';
import { $ } from './dom.js';
import { T } from './i18n.js';

// guard runs fn and turns any exception into a line on the page: the page
// must never throw.
export function guard(fn) {
  return function () {
    try {
      return fn.apply(this, arguments);
    } catch (e) {
      setStatus(T('internal') + ': ' + str(e && e.message ? e.message : e), 'error');
      return undefined;
    }
  };
}

// setStatus shows text in the status line (kind busy or error), or hides it.
export function setStatus(text, kind) {
  const el = $('status');
  if (!el) return;
  el.textContent = text || '';
  el.className = 'status' + (kind ? ' ' + kind : '');
  el.hidden = !text;
}
