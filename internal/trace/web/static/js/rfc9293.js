// RFC 9293's state diagram as data, which states.js draws and the ladder's
// rows walk, and the look-ups over it.

import { S } from './state.js';

// RFC 9293's state diagram: where each state sits (column, row) and its
// transitions, with the event and action the RFC writes on each.
export const NODES = [
  ['CLOSED', 0, 1], ['LISTEN', 1, 0], ['SYN-SENT', 1, 2], ['SYN-RECEIVED', 2, 0],
  ['ESTABLISHED', 3, 1], ['CLOSE-WAIT', 4, 0], ['FIN-WAIT-1', 4, 2], ['LAST-ACK', 5, 0],
  ['CLOSING', 5, 1], ['FIN-WAIT-2', 5, 2], ['TIME-WAIT', 6, 2], ['CLOSED#end', 7, 1],
];

// EDGES: from, to, the RFC's label in English and in Chinese, and how much
// the arrow bends.
export const EDGES = [
  ['CLOSED', 'LISTEN', 'passive OPEN', '被动打开', -18],
  ['LISTEN', 'CLOSED', 'CLOSE', '关闭', -18],
  ['CLOSED', 'SYN-SENT', 'active OPEN / snd SYN', '主动打开 / 发 SYN', 18],
  ['SYN-SENT', 'CLOSED', 'CLOSE, or rcv RST', '关闭，或收到 RST', 18],
  ['LISTEN', 'SYN-SENT', 'SEND / snd SYN', '发送 / 发 SYN', 0],
  ['LISTEN', 'SYN-RECEIVED', 'rcv SYN / snd SYN,ACK', '收到 SYN / 发 SYN,ACK', 0],
  ['SYN-RECEIVED', 'LISTEN', 'rcv RST', '收到 RST', 40],
  ['SYN-SENT', 'SYN-RECEIVED', 'rcv SYN / snd SYN,ACK', '收到 SYN / 发 SYN,ACK', 0],
  ['SYN-RECEIVED', 'ESTABLISHED', 'rcv ACK of SYN', '收到对 SYN 的 ACK', 0],
  ['SYN-SENT', 'ESTABLISHED', 'rcv SYN,ACK / snd ACK', '收到 SYN,ACK / 发 ACK', 0],
  ['SYN-RECEIVED', 'FIN-WAIT-1', 'CLOSE / snd FIN', '关闭 / 发 FIN', -110],
  ['ESTABLISHED', 'FIN-WAIT-1', 'CLOSE / snd FIN', '关闭 / 发 FIN', 0],
  ['ESTABLISHED', 'CLOSE-WAIT', 'rcv FIN / snd ACK', '收到 FIN / 发 ACK', 0],
  ['FIN-WAIT-1', 'FIN-WAIT-2', 'rcv ACK of FIN', '收到对 FIN 的 ACK', 0],
  ['FIN-WAIT-1', 'CLOSING', 'rcv FIN / snd ACK', '收到 FIN / 发 ACK', 0],
  ['CLOSE-WAIT', 'LAST-ACK', 'CLOSE / snd FIN', '关闭 / 发 FIN', 0],
  ['FIN-WAIT-2', 'TIME-WAIT', 'rcv FIN / snd ACK', '收到 FIN / 发 ACK', 0],
  ['CLOSING', 'TIME-WAIT', 'rcv ACK of FIN', '收到对 FIN 的 ACK', 0],
  ['LAST-ACK', 'CLOSED#end', 'rcv ACK of FIN', '收到对 FIN 的 ACK', 0],
  ['TIME-WAIT', 'CLOSED#end', 'timeout = 2 MSL', '等待 2MSL 超时', 0],
];

// edgeTo is the copy of CLOSED that a transition from the state leads to ('' if none).
export function edgeTo(from) {
  for (const e of EDGES) if (e[0] === from && e[1].indexOf('CLOSED') === 0) return e[1];
  return '';
}

// edgeLabel is the label on the transition from a to b in the page's language.
export function edgeLabel(a, b) {
  for (const e of EDGES) {
    if (e[0] === a && (e[1] === b || e[1] === b + '#end')) return S.lang === 'zh' ? e[3] : e[2];
  }
  return '';
}
