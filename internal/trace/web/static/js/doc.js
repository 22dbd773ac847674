// The tracejson document as the ladder reads it: the lifelines (a host per
// role; the router too in gateway), the rows (both links' steps in time
// order), and between which lifelines each row's arrow runs.

import { arr, num, obj, str } from './coerce.js';
import { roleName } from './i18n.js';
import { S } from './state.js';

// hostsOf lists the ladder's lifelines: client and server, and each link's
// other ends (the router) when there are two links.
export function hostsOf(doc) {
  const links = arr(doc.links);
  let roles = ['client', 'server'];
  if (links.length > 1) {
    roles = [];
    links.forEach(function (l) { arr(l && l.ends).forEach(function (r) { if (roles.indexOf(r) < 0) roles.push(str(r)); }); });
    if (roles.length < 2) roles = ['client', 'server'];
  }
  return roles.map(function (r) {
    let addr = '';
    if (r === 'client') addr = str(doc.client);
    else if (r === 'server') addr = str(doc.server);
    else {
      const l = links.find((x) => x && x.router);
      addr = l ? str(l.router) : '';
    }
    return { role: r, addr: addr };
  });
}

// buildRows lists the ladder's rows: the steps of the first link, and in
// gateway those of the second too, all in time order.
export function buildRows(doc) {
  const rows = arr(doc.steps).map((s) => ({ link: 0, step: obj(s) }));
  const links = arr(doc.links);
  if (links.length > 1) {
    links.forEach(function (l, k) {
      if (k === 0) return;
      arr(l && l.steps).forEach(function (s) { rows.push({ link: k, step: obj(s) }); });
    });
    rows.forEach(function (r, i) { r.ord = i; });
    rows.sort((a, b) => num(a.step.time) - num(b.step.time) || a.link - b.link || a.ord - b.ord);
  }
  return rows;
}

// ends says between which lifelines a row's arrow runs: on a link, the
// frame goes between that link's two machines.
export function ends(row) {
  const st = row.step;
  const from = str(st.from);
  const to = str(st.to) || (from === 'client' ? 'server' : 'client');
  const links = arr(S.doc && S.doc.links);
  if (links.length > 1 && links[row.link]) {
    const e = arr(links[row.link].ends).map(str);
    if (e.length === 2) {
      const a = e.indexOf(from) >= 0 ? from : (e[0] !== to ? e[0] : e[1]);
      const b = e.indexOf(to) >= 0 && to !== a ? to : (e[0] === a ? e[1] : e[0]);
      return [a, b];
    }
  }
  return [from, to];
}

// isTCP says whether the shown document is a TCP conversation (with states).
export function isTCP() { return !S.doc || str(S.doc.kind) !== 'udp'; }

// linkName says a link by its ends in the page's language.
export function linkName(l) {
  const e = arr(l && l.ends).map(str);
  return e.length === 2 ? roleName(e[0]) + ' ↔ ' + roleName(e[1]) : str(l && l.name);
}
