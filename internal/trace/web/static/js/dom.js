// Building elements: HTML and SVG elements from a tag, attributes and
// children. Text is only ever set with textContent, never parsed as HTML.

const NS = 'http://www.w3.org/2000/svg';

function build(doc, tag, props, kids) {
  const e = doc ? document.createElementNS(NS, tag) : document.createElement(tag);
  if (props) {
    for (const k of Object.keys(props)) {
      const v = props[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class' && !doc) e.className = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  if (kids) {
    for (const c of kids) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
  }
  return e;
}

// h builds an HTML element.
export function h(tag, props, kids) { return build(false, tag, props, kids); }

// sv builds an SVG element.
export function sv(tag, props, kids) { return build(true, tag, props, kids); }

// clear removes every child of e.
export function clear(e) { while (e && e.firstChild) e.removeChild(e.firstChild); }

// $ is the element with the id.
export function $(id) { return document.getElementById(id); }

// rootPx is the root font size in pixels, which the SVGs scale with.
export function rootPx() {
  const v = parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Number.isFinite(v) && v > 8 ? v : 16;
}
