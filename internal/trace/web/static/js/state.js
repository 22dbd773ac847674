// The page's one shared state: which scenario and language are shown, the
// document and its ladder rows, the chosen row, field and layer, and live
// mode's conversations. Every module reads and writes this one object, so
// that a choice made in one panel is seen by all.

// SCENARIOS are the built-in scenarios, in the picker's order.
export const SCENARIOS = ['normal', 'halfclose', 'reset', 'refused', 'udp', 'lan', 'gateway'];

// LIVE is the picker's name for live mode.
export const LIVE = 'live';

// S is the page's state.
export const S = {
  lang: 'en',
  scenario: 'normal',
  info: null, // scenario name -> [title, description]
  order: SCENARIOS.slice(),
  doc: null, // the document shown (a trace, or the live conversation)
  rows: [], // the ladder's rows: {link, step}
  hosts: [], // the ladder's lifelines: {role, addr}
  cur: -1, // the chosen row
  model: null, // the chosen row's frame
  fid: null, // the chosen field's id in model
  fkey: null, // its path, to choose it again in the next frame
  diagLayer: -1,
  spacing: 'equal',
  playing: 0,
  req: 0,
  byteCycle: { off: -1, n: 0 },
  live: { convs: [], byKey: new Map(), cur: null, es: null, lines: new Map(), esLang: '' },
  resizeTimer: 0,
};
