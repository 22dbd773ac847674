// The words on a step's arrow: flags, length and payload, seq/ack/win/len,
// the SYN's options; for ARP, who asks and who answers.

import { arr, num, str } from './coerce.js';
import { printable } from './format.js';
import { T } from './i18n.js';
import { fieldValue, frameModel } from './model.js';

function payloadText(step) {
  const M = frameModel(step);
  const L = M.layers.find((l) => str(l.name) === 'data');
  if (!L) return '';
  let s = '';
  const o = num(L.offset);
  const n = Math.min(num(L.length), 24);
  for (let i = 0; i < n; i++) {
    const b = M.bytes[o + i];
    if (b === undefined) break;
    s += b === 10 ? '↵' : printable(b);
  }
  if (num(L.length) > n) s += '…';
  return s;
}

function synOptions(step) {
  const flags = arr(step.flags);
  if (flags.indexOf('SYN') < 0) return '';
  const M = frameModel(step);
  const parts = [];
  const v = (n) => fieldValue(M, n);
  if (v('tcp.options.mss_val')) parts.push('MSS=' + v('tcp.options.mss_val'));
  if (M.list.some((it) => it.name === 'tcp.options.sack_perm')) parts.push('SACK_PERM');
  if (v('tcp.options.timestamp.tsval')) parts.push('TS');
  if (v('tcp.options.wscale.multiplier')) parts.push('WS=' + v('tcp.options.wscale.multiplier'));
  else if (v('tcp.options.wscale.shift')) parts.push('WS=2^' + v('tcp.options.wscale.shift'));
  return parts.join(' ');
}

// stepLabels answers a step's arrow labels: main (flags, length, payload), sub
// (the numbers) and opts (the SYN's options).
export function stepLabels(step) {
  const kind = str(step.kind);
  const len = num(step.len);
  if (kind === 'arp') {
    const M = frameModel(step);
    const op = fieldValue(M, 'arp.opcode');
    const reply = /reply|\(2\)/.test(op);
    if (reply) return { main: T('arpReply', fieldValue(M, 'arp.src.proto_ipv4')), sub: T('isAt', fieldValue(M, 'arp.src.hw_mac')), opts: '' };
    return { main: T('whoHas', fieldValue(M, 'arp.dst.proto_ipv4')), sub: T('tell', fieldValue(M, 'arp.src.proto_ipv4')), opts: '' };
  }
  const flags = arr(step.flags).map(str);
  let main = kind === 'udp' ? 'UDP' : flags.join(', ');
  if (len > 0) {
    const p = payloadText(step);
    main += '  ' + len + ' B' + (p ? ' “' + p + '”' : '');
  }
  let sub = '';
  if (kind === 'udp') sub = 'len=' + len;
  else {
    sub = 'seq=' + num(step.seq);
    if (step.ack !== undefined && step.ack !== null) sub += ' ack=' + num(step.ack);
    if (step.window !== undefined && step.window !== null) sub += ' win=' + num(step.window);
    sub += ' len=' + len;
  }
  return { main: main, sub: sub, opts: kind === 'tcp' ? synOptions(step) : '' };
}
