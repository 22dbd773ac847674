// How values are shown: times and gaps, bytes in hex and ASCII, protocol
// names, and each layer's colour band (one colour, one layer, everywhere).

import { num, str } from './coerce.js';

// fmtTime writes a time since the first segment in s, ms or µs.
export function fmtTime(sec) {
  const t = num(sec);
  if (t === 0) return '0';
  if (t < 0.001) return Math.round(t * 1e6) + ' µs';
  if (t < 0.01) return (t * 1000).toFixed(3) + ' ms';
  if (t < 0.1) return (t * 1000).toFixed(2) + ' ms';
  if (t < 1) return (t * 1000).toFixed(1) + ' ms';
  return t.toFixed(3) + ' s';
}

// fmtGap writes the time between two rows, with a plus.
export function fmtGap(sec) {
  const t = num(sec);
  if (t < 0.001) return '+' + Math.round(t * 1e6) + ' µs';
  if (t < 1) return '+' + (t * 1000 < 10 ? (t * 1000).toFixed(1) : Math.round(t * 1000)) + ' ms';
  return '+' + t.toFixed(2) + ' s';
}

// hex2 writes a byte as two hex digits.
export function hex2(b) { return (b < 16 ? '0' : '') + b.toString(16); }

// printable is the byte as an ASCII character, or a dot when it has none.
export function printable(b) { return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·'; }

// protoName is a layer's protocol as people write it (IPv4, not ip).
export function protoName(name) {
  const n = str(name);
  const known = { eth: 'Ethernet', ip: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP', arp: 'ARP', data: 'Data', 'eth.padding': 'Padding' };
  return known[n] || n.toUpperCase();
}

// band names a layer's colour: by the lesson's layer, so that one colour
// means one layer everywhere on the page.
export function bandOf(layer, index) {
  const n = str(layer && layer.name);
  if (n === 'eth.padding') return 'band-pad';
  if (n === 'eth' || n.indexOf('eth') === 0) return 'band-link';
  if (n === 'ip' || n === 'ipv6' || n === 'arp' || n === 'icmp' || n === 'icmpv6') return 'band-net';
  if (n === 'tcp' || n === 'udp') return 'band-trans';
  if (n === 'data') return 'band-app';
  return ['band-link', 'band-net', 'band-trans', 'band-app'][Math.min(3, index || 0)];
}
