// The page's words in English and Chinese, the built-in scenario titles, and
// the choice of language (?lang=, then <html lang>, then the browser's).

import { str } from './coerce.js';
import { LIVE, S } from './state.js';

const TEXT = {
  en: {
    tagline: 'Real packets from the real kernel, layer by layer',
    scenario: 'Scenario',
    language: 'Language',
    live: 'Live',
    ladder: 'Ladder',
    spacing: 'Spacing',
    equal: 'Equal spacing',
    realtime: 'Real time',
    realtimeTitle: 'Gaps between rows grow with the time between segments (logarithmic scale)',
    prev: 'Previous step (←)',
    next: 'Next step (→)',
    play: 'Play: step through the conversation',
    pause: 'Pause',
    capturing: 'Capturing a real conversation…',
    loadError: 'Could not load the trace',
    badDoc: 'the server sent no trace',
    internal: 'Something went wrong on this page',
    step: (n, m) => 'Step ' + n + ' of ' + m,
    frameOn: (link) => 'on ' + link,
    client: 'client',
    server: 'server',
    router: 'router',
    layers: 'Layers',
    bytes: 'Bytes',
    header: 'Header diagram',
    terms: 'What seq, ack, len and win mean',
    byteRange: (a, b) => (a === b ? 'byte ' + a : 'bytes ' + a + '–' + b),
    bitsOf: (n) => n + (n === 1 ? ' bit' : ' bits'),
    states: 'TCP states (RFC 9293)',
    noStates: 'UDP has no connection, so neither side has a TCP state.',
    noStep: 'Choose a segment on the ladder.',
    bothLinks: 'The same packet on both links',
    bothLinksNote: 'The router gives the frame new MAC addresses for the next link and lowers the TTL by one (so the IP checksum changes); the IP addresses stay.',
    arpStays: 'An ARP message never leaves its own link; here is the first SYN on both links instead.',
    changed: 'changed',
    same: 'same',
    field: 'Field',
    linuxSays: (side, st) => 'Linux reports the ' + side + ' ' + st,
    liveLabel: 'Type a line: a real client sends it to the real upper-casing server, and each segment appears here as it is captured.',
    livePlaceholder: 'hello',
    send: 'Send',
    liveWaiting: 'Waiting for segments…',
    liveSent: (n) => 'sent, conversation ' + n,
    liveTooLong: 'At most 256 bytes, please.',
    liveEmpty: 'Type a line first.',
    liveLost: 'The live connection was interrupted; reconnecting…',
    liveTitle: 'Live: your own lines, captured as they happen',
    conversation: (n) => 'conversation ' + n,
    whoHas: (ip) => 'ARP: who has ' + ip + '?',
    tell: (ip) => 'tell ' + ip + ' (broadcast)',
    arpReply: (ip) => 'ARP reply: ' + ip,
    isAt: (mac) => 'is at ' + mac,
    arp: 'ARP',
    kernelNote: 'Linux',
    fieldHint: 'Click a field, a box or a byte: the others follow.',
    gap: 'gap',
    stays: 'stays',
    transitionNone: 'no change',
    stepOf: 'step',
    captured: (n, m) => 'The capture kept ' + n + ' of the frame\'s ' + m + ' bytes.',
  },
  zh: {
    tagline: '真实内核发出的真实报文，一层一层地看',
    scenario: '场景',
    language: '语言',
    live: '实时',
    ladder: '时序图',
    spacing: '间距',
    equal: '等距',
    realtime: '真实时间',
    realtimeTitle: '行距随报文段之间的时间增大（对数刻度）',
    prev: '上一步（←）',
    next: '下一步（→）',
    play: '播放：逐步走完这次通信',
    pause: '暂停',
    capturing: '正在抓取一次真实的通信……',
    loadError: '无法加载抓包',
    badDoc: '服务器没有返回抓包数据',
    internal: '页面出了点问题',
    step: (n, m) => '第 ' + n + ' 步，共 ' + m + ' 步',
    frameOn: (link) => '在链路 ' + link + ' 上',
    client: '客户端',
    server: '服务端',
    router: '路由器',
    layers: '分层',
    bytes: '字节',
    header: '报头结构图',
    terms: 'seq、ack、len 和 win 是什么意思',
    byteRange: (a, b) => (a === b ? '第 ' + a + ' 字节' : '第 ' + a + '–' + b + ' 字节'),
    bitsOf: (n) => n + ' 位',
    states: 'TCP 状态（RFC 9293）',
    noStates: 'UDP 没有连接，所以双方都没有 TCP 状态。',
    noStep: '请在时序图上选一个报文段。',
    bothLinks: '同一个数据包在两条链路上',
    bothLinksNote: '路由器为下一条链路换上新的 MAC 地址，并把 TTL 减 1（所以 IP 校验和也变了）；IP 地址不变。',
    arpStays: 'ARP 报文出不了本链路；下面换成第一个 SYN 在两条链路上的样子。',
    changed: '变了',
    same: '不变',
    field: '字段',
    linuxSays: (side, st) => 'Linux 报告' + side + '为 ' + st,
    liveLabel: '输入一行文字：真实的客户端把它发给真实的转大写服务端，每个报文段一被抓到就出现在这里。',
    livePlaceholder: 'hello',
    send: '发送',
    liveWaiting: '等待报文段……',
    liveSent: (n) => '已发送，第 ' + n + ' 次通信',
    liveTooLong: '最多 256 字节。',
    liveEmpty: '请先输入一行文字。',
    liveLost: '实时连接中断了，正在重连……',
    liveTitle: '实时：你自己输入的文字，抓到即显示',
    conversation: (n) => '第 ' + n + ' 次通信',
    whoHas: (ip) => 'ARP：谁是 ' + ip + '？',
    tell: (ip) => '请告诉 ' + ip + '（广播）',
    arpReply: (ip) => 'ARP 回答：' + ip,
    isAt: (mac) => '在 ' + mac,
    arp: 'ARP',
    kernelNote: 'Linux',
    fieldHint: '点一个字段、方框或字节，其余部分会跟着高亮。',
    gap: '间隔',
    stays: '保持',
    transitionNone: '不变',
    stepOf: '步',
    captured: (n, m) => '这一帧共 ' + m + ' 字节，抓包只保留了前 ' + n + ' 字节。',
  },
};

// Built-in scenario titles, used when /api/scenarios does not answer.
export const BUILTIN = {
  en: {
    normal: ['Normal', 'Connect, "hello" → "HELLO", a second line, then the four-way close.'],
    halfclose: ['Half-close', 'The client sends a line and shuts down its sending side; the server still answers.'],
    reset: ['Reset', 'The client aborts: RST instead of FIN.'],
    refused: ['Refused', 'Nobody listens: the SYN is answered by RST.'],
    udp: ['UDP', 'Two datagrams and their replies: no handshake, no teardown.'],
    lan: ['LAN', 'Two hosts on one Ethernet link: MAC addresses and ARP before the SYN.'],
    gateway: ['Gateway', 'Through a router: MACs change at the hop, IPs stay, the TTL drops by one.'],
  },
  zh: {
    normal: ['正常', '建立连接，"hello" → "HELLO"，再发一行，然后四次挥手。'],
    halfclose: ['半关闭', '客户端发一行后关闭自己的发送方向；服务端照样回答。'],
    reset: ['重置', '客户端中止连接：发 RST 而不是 FIN。'],
    refused: ['被拒绝', '没有程序监听：SYN 得到的回答是 RST。'],
    udp: ['UDP', '两个数据报和它们的回答：没有握手，也没有挥手。'],
    lan: ['局域网', '同一条以太网链路上的两台主机：MAC 地址，以及 SYN 之前的 ARP。'],
    gateway: ['经过网关', '经过一个路由器：每一跳 MAC 地址都变，IP 地址不变，TTL 减 1。'],
  },
};

// T is the label for key in the page's language (English where it has none);
// a label that takes arguments is called with the rest.
export function T(key) {
  const table = TEXT[S.lang] || TEXT.en;
  const v = key in table ? table[key] : TEXT.en[key];
  if (typeof v === 'function') {
    const args = Array.prototype.slice.call(arguments, 1);
    return v.apply(null, args);
  }
  return v === undefined ? key : v;
}

// roleName is client, server or router in the page's language.
export function roleName(role) {
  if (role === 'client' || role === 'server' || role === 'router') return T(role);
  return String(role || '');
}

// scenarioTitle is a scenario's title: the server's, else the built-in one.
export function scenarioTitle(name) {
  if (name === LIVE) return T('live');
  if (S.info && S.info[name]) return S.info[name][0];
  const b = (BUILTIN[S.lang] || BUILTIN.en)[name];
  return b ? b[0] : name;
}

// scenarioDesc is a scenario's description: the server's, else the built-in one.
export function scenarioDesc(name) {
  if (name === LIVE) return T('liveTitle');
  if (S.info && S.info[name]) return S.info[name][1];
  const b = (BUILTIN[S.lang] || BUILTIN.en)[name];
  return b ? b[1] : '';
}

// initialLang chooses the language: ?lang=, then <html lang> (which the server
// sets from Accept-Language), then the browser's.
export function initialLang() {
  let q = '';
  try { q = new URLSearchParams(location.search).get('lang') || ''; } catch (e) { q = ''; }
  if (q === 'zh' || q === 'en') return q;
  const html = str(document.documentElement.getAttribute('lang')).toLowerCase();
  if (html.indexOf('zh') === 0) return 'zh';
  if (html.indexOf('en') === 0) return 'en';
  return str(navigator.language).toLowerCase().indexOf('zh') === 0 ? 'zh' : 'en';
}
