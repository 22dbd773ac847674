// Reading the server's JSON defensively: each helper turns a value that may be
// missing or of the wrong type into a number, string, array or object, so
// that a malformed document shows less, never throws.

// num is v as a finite number, else d (else 0).
export function num(v, d) {
  const n = Number(v);
  return Number.isFinite(n) ? n : (d === undefined ? 0 : d);
}

// str is v as a string, '' for nothing.
export function str(v) { return v === undefined || v === null ? '' : String(v); }

// arr is v if it is an array, else an empty one.
export function arr(v) { return Array.isArray(v) ? v : []; }

// obj is v if it is a plain object, else an empty one.
export function obj(v) { return v && typeof v === 'object' && !Array.isArray(v) ? v : {}; }
