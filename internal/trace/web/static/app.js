// The page of `upcase trace --web` (issue 16): the ladder of a real capture,
// each segment's layers, fields and bytes, each side's place on RFC 9293's
// state diagram, and live mode. Plain script, no framework, no build step;
// everything it shows comes from /api/* of the same origin. Data is only
// ever written with textContent, never parsed as HTML.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const SCENARIOS = ['normal', 'halfclose', 'reset', 'refused', 'udp', 'lan', 'gateway'];
  const LIVE = 'live';

  // ---------------------------------------------------------------- labels

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
  const BUILTIN = {
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

  // RFC 9293's state diagram: where each state sits (column, row) and its
  // transitions, with the event and action the RFC writes on each.
  const NODES = [
    ['CLOSED', 0, 1], ['LISTEN', 1, 0], ['SYN-SENT', 1, 2], ['SYN-RECEIVED', 2, 0],
    ['ESTABLISHED', 3, 1], ['CLOSE-WAIT', 4, 0], ['FIN-WAIT-1', 4, 2], ['LAST-ACK', 5, 0],
    ['CLOSING', 5, 1], ['FIN-WAIT-2', 5, 2], ['TIME-WAIT', 6, 2], ['CLOSED#end', 7, 1],
  ];
  const EDGES = [
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

  // Short labels for one-bit fields in the header diagram.
  const BIT_LABELS = {
    'tcp.flags.cwr': 'C', 'tcp.flags.ece': 'E', 'tcp.flags.urg': 'U', 'tcp.flags.ack': 'A',
    'tcp.flags.push': 'P', 'tcp.flags.reset': 'R', 'tcp.flags.syn': 'S', 'tcp.flags.fin': 'F',
    'tcp.flags.ae': 'AE', 'ip.flags.rb': 'R', 'ip.flags.df': 'DF', 'ip.flags.mf': 'MF',
  };

  // ---------------------------------------------------------------- state

  const S = {
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

  function T(key) {
    const table = TEXT[S.lang] || TEXT.en;
    const v = key in table ? table[key] : TEXT.en[key];
    if (typeof v === 'function') {
      const args = Array.prototype.slice.call(arguments, 1);
      return v.apply(null, args);
    }
    return v === undefined ? key : v;
  }

  function roleName(role) {
    if (role === 'client' || role === 'server' || role === 'router') return T(role);
    return String(role || '');
  }

  // ---------------------------------------------------------------- DOM helpers

  function $(id) { return document.getElementById(id); }

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
  function h(tag, props, kids) { return build(false, tag, props, kids); }
  function sv(tag, props, kids) { return build(true, tag, props, kids); }
  function clear(e) { while (e && e.firstChild) e.removeChild(e.firstChild); }

  function num(v, d) {
    const n = Number(v);
    return Number.isFinite(n) ? n : (d === undefined ? 0 : d);
  }
  function str(v) { return v === undefined || v === null ? '' : String(v); }
  function arr(v) { return Array.isArray(v) ? v : []; }
  function obj(v) { return v && typeof v === 'object' && !Array.isArray(v) ? v : {}; }

  function rootPx() {
    const v = parseFloat(getComputedStyle(document.documentElement).fontSize);
    return Number.isFinite(v) && v > 8 ? v : 16;
  }

  // guard runs fn and turns any exception into a line on the page: the page
  // must never throw.
  function guard(fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        setStatus(T('internal') + ': ' + str(e && e.message ? e.message : e), 'error');
        return undefined;
      }
    };
  }

  function setStatus(text, kind) {
    const el = $('status');
    if (!el) return;
    el.textContent = text || '';
    el.className = 'status' + (kind ? ' ' + kind : '');
    el.hidden = !text;
  }

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

  // ---------------------------------------------------------------- formatting

  function fmtTime(sec) {
    const t = num(sec);
    if (t === 0) return '0';
    if (t < 0.001) return Math.round(t * 1e6) + ' µs';
    if (t < 0.01) return (t * 1000).toFixed(3) + ' ms';
    if (t < 0.1) return (t * 1000).toFixed(2) + ' ms';
    if (t < 1) return (t * 1000).toFixed(1) + ' ms';
    return t.toFixed(3) + ' s';
  }
  function fmtGap(sec) {
    const t = num(sec);
    if (t < 0.001) return '+' + Math.round(t * 1e6) + ' µs';
    if (t < 1) return '+' + (t * 1000 < 10 ? (t * 1000).toFixed(1) : Math.round(t * 1000)) + ' ms';
    return '+' + t.toFixed(2) + ' s';
  }

  function hexToBytes(hex) {
    const clean = str(hex).replace(/[^0-9a-fA-F]/g, '');
    const out = new Uint8Array(Math.floor(clean.length / 2));
    for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16) || 0;
    return out;
  }
  function hex2(b) { return (b < 16 ? '0' : '') + b.toString(16); }
  function printable(b) { return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·'; }

  function protoName(name) {
    const n = str(name);
    const known = { eth: 'Ethernet', ip: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP', arp: 'ARP', data: 'Data', 'eth.padding': 'Padding' };
    return known[n] || n.toUpperCase();
  }

  // band names a layer's colour: by the lesson's layer, so that one colour
  // means one layer everywhere on the page.
  function bandOf(layer, index) {
    const n = str(layer && layer.name);
    if (n === 'eth.padding') return 'band-pad';
    if (n === 'eth' || n.indexOf('eth') === 0) return 'band-link';
    if (n === 'ip' || n === 'ipv6' || n === 'arp' || n === 'icmp' || n === 'icmpv6') return 'band-net';
    if (n === 'tcp' || n === 'udp') return 'band-trans';
    if (n === 'data') return 'band-app';
    return ['band-link', 'band-net', 'band-trans', 'band-app'][Math.min(3, index || 0)];
  }

  // ---------------------------------------------------------------- the frame

  // frameModel flattens a step's layers and fields, giving each field an id
  // (its place in the tree) and a key (its path of names) to find it again
  // in another frame.
  function frameModel(step) {
    const fr = obj(step && step.frame);
    const layers = arr(fr.layers).filter((l) => l && typeof l === 'object');
    const bytes = hexToBytes(fr.bytes);
    const list = [];
    const byId = new Map();
    const seen = new Map();
    function walk(fields, li, depth, prefix, path, parent) {
      arr(fields).forEach(function (f, i) {
        if (!f || typeof f !== 'object') return;
        const id = prefix + '.' + i;
        const p = path.concat(str(f.name));
        const base = p.join('>');
        const k = seen.get(base) || 0;
        seen.set(base, k + 1);
        const item = {
          id: id, f: f, li: li, depth: depth, parent: parent,
          key: base + '#' + k, name: str(f.name),
          off: num(f.offset), len: Math.max(0, num(f.length)),
        };
        list.push(item);
        byId.set(id, item);
        walk(f.fields, li, depth + 1, id, p, item);
      });
    }
    layers.forEach(function (L, li) { walk(L.fields, li, 0, 'f' + li, [str(L.name)], null); });
    return { step: step, bytes: bytes, layers: layers, list: list, byId: byId, notes: arr(fr.notes) };
  }

  function layerAt(M, off) {
    for (let i = 0; i < M.layers.length; i++) {
      const L = M.layers[i];
      const o = num(L.offset);
      if (off >= o && off < o + num(L.length)) return i;
    }
    return -1;
  }

  // fieldsAt lists the fields covering a byte, innermost first.
  function fieldsAt(M, off) {
    const c = M.list.filter((it) => off >= it.off && off < it.off + it.len);
    c.sort((a, b) => b.depth - a.depth || a.len - b.len);
    return c;
  }

  function fieldValue(M, name) {
    for (const it of M.list) if (it.name === name) return str(it.f.value);
    return '';
  }

  // bitRange says which bits of its layer a field covers, from the layer's
  // first bit: a field of bits by its mask, any other by its bytes.
  function bitRange(it, layerOff) {
    const total = it.len * 8;
    let start = (it.off - layerOff) * 8;
    let width = total;
    const mask = it.f.mask;
    if (mask !== undefined && mask !== null && Number.isFinite(Number(mask)) && Number(mask) > 0 && total > 0 && total <= 48) {
      let m = Number(mask);
      let low = 0;
      while (m > 0 && m % 2 === 0) { m = m / 2; low++; }
      let high = low;
      let mm = Number(mask);
      let bit = 0;
      while (mm >= 1) { if (mm % 2 === 1) high = bit; mm = Math.floor(mm / 2); bit++; }
      start += total - 1 - high;
      width = high - low + 1;
    }
    return { start: start, end: start + width };
  }

  function bitsPattern(it, bytes) {
    const mask = it.f.mask;
    if (mask === undefined || mask === null || it.len < 1 || it.len > 2) return '';
    let v = 0;
    for (let i = 0; i < it.len; i++) v = v * 256 + (bytes[it.off + i] || 0);
    const n = it.len * 8;
    let out = '';
    for (let i = n - 1; i >= 0; i--) {
      const p = Math.pow(2, i);
      const inMask = Math.floor(Number(mask) / p) % 2 === 1;
      out += inMask ? (Math.floor(v / p) % 2 === 1 ? '1' : '0') : '.';
      if (i % 4 === 0 && i > 0) out += ' ';
    }
    return out;
  }

  // ---------------------------------------------------------------- the document

  function hostsOf(doc) {
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

  function buildRows(doc) {
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
  function ends(row) {
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

  function isTCP() { return !S.doc || str(S.doc.kind) !== 'udp'; }

  // statesAfter gives each side's state after the row i (the last row that
  // said one), and before it; and which copy of CLOSED the diagram lights.
  function statesAt(i) {
    const init = obj(S.doc && S.doc.initial);
    let cur = { client: str(init.client) || 'CLOSED', server: str(init.server) || 'LISTEN' };
    let prev = Object.assign({}, cur);
    const copy = { client: 'CLOSED', server: 'CLOSED' };
    for (let k = 0; k <= i && k < S.rows.length; k++) {
      const st = obj(S.rows[k].step.states);
      prev = Object.assign({}, cur);
      ['client', 'server'].forEach(function (side) {
        if (typeof st[side] === 'string' && st[side]) cur[side] = st[side];
        if (cur[side] === 'CLOSED' && prev[side] !== 'CLOSED') {
          copy[side] = edgeTo(prev[side]) === 'CLOSED' ? 'CLOSED' : 'CLOSED#end';
        }
      });
    }
    return { cur: cur, prev: prev, copy: copy };
  }

  function edgeLabel(a, b) {
    for (const e of EDGES) {
      if (e[0] === a && (e[1] === b || e[1] === b + '#end')) return S.lang === 'zh' ? e[3] : e[2];
    }
    return '';
  }

  // ---------------------------------------------------------------- labels of a step

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

  function stepLabels(step) {
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

  // ---------------------------------------------------------------- chrome

  function applyText() {
    document.documentElement.setAttribute('lang', S.lang);
    document.querySelectorAll('[data-i18n]').forEach(function (e) { e.textContent = T(e.getAttribute('data-i18n')); });
    document.querySelectorAll('[data-i18n-title]').forEach(function (e) { e.setAttribute('title', T(e.getAttribute('data-i18n-title'))); });
    document.querySelectorAll('[data-i18n-aria]').forEach(function (e) { e.setAttribute('aria-label', T(e.getAttribute('data-i18n-aria'))); });
    document.querySelectorAll('[data-lang]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === S.lang)); });
    document.querySelectorAll('[data-spacing]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-spacing') === S.spacing)); });
    const inp = $('live-line');
    if (inp) inp.setAttribute('placeholder', T('livePlaceholder'));
    document.title = 'upcase trace · ' + scenarioTitle(S.scenario);
    setPlayButton();
  }

  function scenarioTitle(name) {
    if (name === LIVE) return T('live');
    if (S.info && S.info[name]) return S.info[name][0];
    const b = (BUILTIN[S.lang] || BUILTIN.en)[name];
    return b ? b[0] : name;
  }
  function scenarioDesc(name) {
    if (name === LIVE) return T('liveTitle');
    if (S.info && S.info[name]) return S.info[name][1];
    const b = (BUILTIN[S.lang] || BUILTIN.en)[name];
    return b ? b[1] : '';
  }

  function renderPicker() {
    const nav = $('picker');
    clear(nav);
    const names = S.order.concat([LIVE]);
    names.forEach(function (n) {
      const b = h('button', {
        type: 'button', class: 'tab' + (n === LIVE ? ' tab-live' : ''), 'data-scenario': n,
        'aria-pressed': String(n === S.scenario), title: scenarioDesc(n), text: scenarioTitle(n),
      });
      nav.appendChild(b);
    });
  }

  function renderDesc() {
    const p = $('desc');
    clear(p);
    p.appendChild(h('span', { class: 'desc-text', text: scenarioDesc(S.scenario) }));
    if (S.doc) {
      const c = str(S.doc.client);
      const s = str(S.doc.server);
      if (c || s) {
        p.appendChild(h('span', { class: 'addr' }, [
          h('span', { class: 'who who-client', text: T('client') }), ' ' + c + '  →  ',
          h('span', { class: 'who who-server', text: T('server') }), ' ' + s,
        ]));
      }
    }
  }

  function renderTerms() {
    const dl = $('terms');
    clear(dl);
    const t = obj(S.doc && S.doc.terms);
    const keys = ['seq', 'ack', 'len', 'window'];
    let any = false;
    keys.forEach(function (k) {
      if (!t[k]) return;
      any = true;
      dl.appendChild(h('dt', { text: k === 'window' ? 'win' : k }));
      dl.appendChild(h('dd', { text: str(t[k]) }));
    });
    $('terms-box').hidden = !any;
  }

  function updateURL() {
    try {
      const u = new URL(location.href);
      u.searchParams.set('lang', S.lang);
      u.searchParams.set('scenario', S.scenario);
      history.replaceState(null, '', u.pathname + '?' + u.searchParams.toString());
    } catch (e) { /* an opaque origin: the URL stays */ }
  }

  // ---------------------------------------------------------------- the ladder

  function renderLadder() {
    const wrap = $('ladder');
    clear(wrap);
    if (!S.doc) return;
    const rows = S.rows;
    const fs = rootPx();
    const W = Math.max(460, Math.floor(($('ladder-scroll').clientWidth || 600) - 2));
    const timeW = fs * 3.9;
    const stateW = fs * 7.7;
    // The time sits at each row, a state pill between rows: in equal
    // spacing they share one column.
    const left = S.spacing === 'time' ? timeW + stateW : Math.max(timeW, stateW);
    const right = W - stateW;
    const hosts = S.hosts;
    const X = {};
    hosts.forEach(function (hh, i) { X[hh.role] = hosts.length > 1 ? left + (right - left) * i / (hosts.length - 1) : (left + right) / 2; });
    const xOf = (r) => (r in X ? X[r] : (left + right) / 2);
    const tcp = isTCP();

    // Where each row sits.
    const top = fs * 5.2;
    const first = top + fs * 2.6;
    const ys = [];
    const equalH = fs * 4.6;
    rows.forEach(function (r, i) {
      if (i === 0) { ys.push(first); return; }
      if (S.spacing === 'time') {
        const dt = Math.max(0, num(r.step.time) - num(rows[i - 1].step.time));
        ys.push(ys[i - 1] + fs * (2.2 + 1.45 * Math.log10(1 + dt * 1e6 / 10)));
      } else {
        ys.push(ys[i - 1] + equalH);
      }
    });
    const bottom = (ys.length ? ys[ys.length - 1] : first) + fs * 3.4;
    const H = Math.ceil(bottom + fs);

    const svg = sv('svg', {
      class: 'ladder-svg', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H,
      role: 'group', 'aria-label': T('ladder'),
    });
    svg.style.setProperty('--fs', fs + 'px');
    const defs = sv('defs');
    ['client', 'server', 'router', 'other'].forEach(function (r) {
      defs.appendChild(sv('marker', {
        id: 'ah-' + r, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 9, markerHeight: 9,
        markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse', class: 'ah ah-' + r,
      }, [sv('path', { d: 'M0,0 L10,5 L0,10 z' })]));
    });
    svg.appendChild(defs);

    // Hosts and lifelines.
    const gHosts = sv('g', { class: 'hosts' });
    hosts.forEach(function (hh) {
      const x = X[hh.role];
      gHosts.appendChild(sv('line', { class: 'lifeline', x1: x, y1: top, x2: x, y2: bottom }));
      const bw = Math.min(fs * 10, hosts.length > 1 ? (right - left) / (hosts.length - 1) - fs * 0.5 : fs * 10);
      gHosts.appendChild(sv('rect', { class: 'host-box host-' + hh.role, x: x - bw / 2, y: fs * 0.4, width: bw, height: fs * 3.6, rx: fs * 0.5 }));
      gHosts.appendChild(sv('text', { class: 'host-name host-' + hh.role, x: x, y: fs * 1.9, text: roleName(hh.role) }));
      if (hh.addr) gHosts.appendChild(sv('text', { class: 'host-addr', x: x, y: fs * 3.3, text: hh.addr }));
    });
    const links = arr(S.doc.links);
    if (links.length > 1) {
      links.forEach(function (l) {
        const e = arr(l && l.ends);
        if (e.length !== 2 || !(e[0] in X) || !(e[1] in X)) return;
        const x = (X[e[0]] + X[e[1]]) / 2;
        const t = sv('text', { class: 'link-name', x: x, y: top + fs * 0.2, text: linkName(l) });
        t.appendChild(sv('title', { text: str(l.name) + (l.interface ? ' (' + str(l.host) + ' ' + str(l.interface) + ')' : '') }));
        gHosts.appendChild(t);
      });
    }
    svg.appendChild(gHosts);

    // Each side's state along its lifeline: the phases under the rows, the
    // pills above them.
    const gStates = sv('g', { class: 'states-on-ladder' });
    const gPills = sv('g', { class: 'pills' });
    if (tcp) {
      const init = obj(S.doc.initial);
      const cur = { client: str(init.client) || 'CLOSED', server: str(init.server) || 'LISTEN' };
      const segs = { client: [{ y: top, st: cur.client }], server: [{ y: top, st: cur.server }] };
      const pills = [];
      ['client', 'server'].forEach((side) => pills.push({ side: side, y: top + fs * 1.3, st: cur[side], kernel: '' }));
      rows.forEach(function (r, i) {
        const st = obj(r.step.states);
        const kst = obj(r.step.kernel);
        const yNext = i + 1 < rows.length ? ys[i + 1] : ys[i] + fs * 2.6;
        const ym = ys[i] + Math.max(fs * 0.95, (yNext - ys[i]) / 2);
        ['client', 'server'].forEach(function (side) {
          const s = str(st[side]);
          if (s && s !== cur[side]) {
            cur[side] = s;
            segs[side].push({ y: ym, st: s });
            pills.push({ side: side, y: ym, st: s, kernel: kst[side] && kst[side] !== s ? str(kst[side]) : '' });
          }
        });
      });
      ['client', 'server'].forEach(function (side) {
        if (!(side in X)) return;
        const list = segs[side];
        list.forEach(function (seg, k) {
          const y2 = k + 1 < list.length ? list[k + 1].y : bottom;
          gStates.appendChild(sv('line', { class: 'phase phase-' + phaseOf(seg.st), x1: X[side], y1: seg.y, x2: X[side], y2: y2 }));
        });
      });
      pills.forEach(function (p) {
        if (!(p.side in X)) return;
        const w = Math.max(fs * 4, p.st.length * fs * 0.48 + fs * 1.1);
        const ph = fs * 1.45;
        const x = p.side === 'client' ? X.client - fs * 0.7 - w : X[p.side] + fs * 0.7;
        const g = sv('g', { class: 'state-pill phase-' + phaseOf(p.st) + (p.kernel ? ' has-kernel' : ''), 'data-side': p.side, 'data-state': p.st });
        g.appendChild(sv('title', { text: roleName(p.side) + ': ' + p.st + (p.kernel ? ' — ' + T('linuxSays', roleName(p.side), p.kernel) : '') }));
        g.appendChild(sv('rect', { x: x, y: p.y - ph / 2, width: w, height: ph, rx: ph / 2 }));
        g.appendChild(sv('text', { x: x + w / 2, y: p.y + fs * 0.3, text: p.st + (p.kernel ? '*' : '') }));
        gPills.appendChild(g);
      });
    }

    // Rows: time, gaps, arrows.
    const gRows = sv('g', { class: 'rows' });
    const gGaps = sv('g', { class: 'gaps' });
    rows.forEach(function (r, i) {
      const y = ys[i];
      const st = r.step;
      const pair = ends(r);
      const x1 = xOf(pair[0]);
      const x2 = xOf(pair[1]);
      const from = ['client', 'server', 'router'].indexOf(str(st.from)) >= 0 ? str(st.from) : 'other';
      const lab = stepLabels(st);
      const yTop = i === 0 ? y - fs * 1.9 : (ys[i - 1] + y) / 2;
      const yBot = i + 1 < rows.length ? (y + ys[i + 1]) / 2 : y + fs * 2.6;
      const attrs = {
        class: 'seg from-' + from + (r.link > 0 ? ' on-link' : '') + (i === S.cur ? ' sel' : ''),
        'data-row': i, tabindex: 0, role: 'button', 'aria-label': lab.main + ', ' + lab.sub,
        'aria-current': i === S.cur ? 'step' : null,
      };
      if (r.link === 0) attrs['data-step'] = num(st.index, i);
      else { attrs['data-link'] = r.link; attrs['data-link-step'] = num(st.index, i); }
      const g = sv('g', attrs);
      const title = [roleName(str(st.from)) + ' → ' + roleName(str(st.to)), lab.main, lab.sub, lab.opts, fmtTime(st.time), str(st.explanation)].filter(Boolean).join('\n');
      g.appendChild(sv('title', { text: title }));
      g.appendChild(sv('rect', { class: 'band', x: timeW * 0.15, y: yTop, width: W - timeW * 0.3, height: Math.max(4, yBot - yTop), rx: fs * 0.4 }));
      g.appendChild(sv('text', { class: 'time', x: timeW * 0.25, y: y + fs * 0.35, text: fmtTime(st.time) }));
      const dy = Math.min(fs * 0.45, Math.abs(x2 - x1) / 30);
      const xa = x1 + (x2 > x1 ? 2 : -2);
      const xb = x2 + (x2 > x1 ? -3 : 3);
      g.appendChild(sv('line', { class: 'hit', x1: xa, y1: y - dy, x2: xb, y2: y + dy }));
      g.appendChild(sv('line', { class: 'arrow', x1: xa, y1: y - dy, x2: xb, y2: y + dy, 'marker-end': 'url(#ah-' + from + ')' }));
      const mx = (x1 + x2) / 2;
      const flagsCls = 'lab-main' + (arr(st.flags).indexOf('RST') >= 0 ? ' rst' : '') + (arr(st.flags).indexOf('SYN') >= 0 ? ' syn' : '') + (arr(st.flags).indexOf('FIN') >= 0 ? ' fin' : '');
      g.appendChild(sv('text', { class: flagsCls, x: mx, y: y - fs * 0.6, text: lab.main }));
      const roomy = S.spacing !== 'time' || (yBot - y) > fs * 1.5;
      if (roomy) g.appendChild(sv('text', { class: 'lab-sub', x: mx, y: y + fs * 1.35, text: lab.sub }));
      if (lab.opts && (S.spacing !== 'time' || (yBot - y) > fs * 2.6)) g.appendChild(sv('text', { class: 'lab-opts', x: mx, y: y + fs * 2.45, text: lab.opts }));
      gRows.appendChild(g);
      if (i > 0) {
        const dt = num(st.time) - num(rows[i - 1].step.time);
        if (dt >= 0.005) {
          const xl = Math.min.apply(null, hosts.map((hh) => X[hh.role]));
          const xr = Math.max.apply(null, hosts.map((hh) => X[hh.role]));
          const gx = (xl + xr) / 2;
          const gy = S.spacing === 'time' ? yTop : yTop + fs * 0.05;
          const gg = sv('g', { class: 'gap' });
          gg.appendChild(sv('line', { x1: xl + fs * 0.6, y1: gy, x2: xr - fs * 0.6, y2: gy }));
          gg.appendChild(sv('text', { x: gx, y: gy + fs * 0.3, text: fmtGap(dt) }));
          gGaps.appendChild(gg);
        }
      }
    });
    svg.appendChild(gStates);
    svg.appendChild(gGaps);
    svg.appendChild(gRows);
    svg.appendChild(gPills);
    wrap.appendChild(svg);
  }

  // linkName says a link by its ends in the page's language.
  function linkName(l) {
    const e = arr(l && l.ends).map(str);
    return e.length === 2 ? roleName(e[0]) + ' ↔ ' + roleName(e[1]) : str(l && l.name);
  }

  function phaseOf(st) {
    switch (st) {
      case 'ESTABLISHED': return 'est';
      case 'SYN-SENT': case 'SYN-RECEIVED': return 'open';
      case 'FIN-WAIT-1': case 'FIN-WAIT-2': case 'CLOSE-WAIT': case 'CLOSING': case 'LAST-ACK': return 'close';
      case 'TIME-WAIT': return 'wait';
      case 'LISTEN': return 'listen';
      default: return 'closed';
    }
  }

  function markLadderSelection() {
    const wrap = $('ladder');
    wrap.querySelectorAll('.seg.sel').forEach(function (g) { g.classList.remove('sel'); g.removeAttribute('aria-current'); });
    const g = wrap.querySelector('.seg[data-row="' + S.cur + '"]');
    if (g) {
      g.classList.add('sel');
      g.setAttribute('aria-current', 'step');
    }
    return g;
  }

  function scrollRowIntoView(g) {
    const box = $('ladder-scroll');
    if (!g || !box) return;
    const band = g.querySelector('.band');
    if (!band) return;
    const r = band.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    if (r.top < b.top + 4) box.scrollTop -= (b.top + 4 - r.top) + 40;
    else if (r.bottom > b.bottom - 4) box.scrollTop += (r.bottom - b.bottom + 4) + 40;
  }

  // ---------------------------------------------------------------- choosing a step

  function selectRow(i, opts) {
    opts = opts || {};
    if (!S.rows.length) {
      S.cur = -1;
      S.model = null;
      renderStepCard(null);
      renderFrame();
      renderCompare();
      lightStates();
      return;
    }
    S.cur = Math.max(0, Math.min(S.rows.length - 1, i));
    const row = S.rows[S.cur];
    S.model = frameModel(row.step);
    S.byteCycle = { off: -1, n: 0 };
    // Keep the chosen field if this frame has it too.
    S.fid = null;
    if (S.fkey) {
      const it = S.model.list.find((x) => x.key === S.fkey);
      if (it) S.fid = it.id;
    }
    if (S.fid === null || S.diagLayer >= S.model.layers.length) S.diagLayer = defaultLayer(S.model);
    if (S.fid !== null) S.diagLayer = S.model.byId.get(S.fid).li;
    const active = document.activeElement;
    const fieldHadFocus = !!(active && active.classList && active.classList.contains('field'));
    const g = markLadderSelection();
    if (opts.scroll !== false) scrollRowIntoView(g);
    if (opts.focus && g && typeof g.focus === 'function') g.focus({ preventScroll: true });
    renderStepCard(row);
    renderCompare();
    renderFrame();
    lightStates();
    if (fieldHadFocus && S.fid !== null) {
      const f = $('tree').querySelector('.field[data-fid="' + S.fid + '"]');
      if (f) f.focus({ preventScroll: true });
    }
  }

  function defaultLayer(M) {
    const want = ['tcp', 'udp', 'arp'];
    for (let i = 0; i < M.layers.length; i++) if (want.indexOf(str(M.layers[i].name)) >= 0) return i;
    return Math.max(0, M.layers.length - 1);
  }

  function move(d, focus) {
    if (!S.rows.length) return;
    const i = S.cur < 0 ? 0 : S.cur + d;
    if (i < 0 || i >= S.rows.length) return;
    selectRow(i, { focus: focus });
  }

  // ---------------------------------------------------------------- the step card

  function renderStepCard(row) {
    const card = $('step-card');
    clear(card);
    if (!row) {
      card.appendChild(h('p', { class: 'muted', text: S.doc ? T('noStep') : '' }));
      return;
    }
    const st = row.step;
    const links = arr(S.doc && S.doc.links);
    const head = h('div', { class: 'card-head' });
    if (row.link === 0) {
      const n = arr(S.doc.steps).length || S.rows.length;
      head.appendChild(h('span', { class: 'badge', text: T('step', num(st.index, S.cur) + 1, n) }));
    } else {
      head.appendChild(h('span', { class: 'badge badge-link', text: '#' + (num(st.index) + 1) + ' ' + T('frameOn', linkName(links[row.link])) }));
    }
    const pair = ends(row);
    head.appendChild(h('span', { class: 'route' }, [
      h('span', { class: 'who who-' + pair[0], text: roleName(pair[0]) }), ' → ',
      h('span', { class: 'who who-' + pair[1], text: roleName(pair[1]) }),
    ]));
    const flags = arr(st.flags);
    if (flags.length) {
      const fl = h('span', { class: 'flags' });
      flags.forEach(function (f) { fl.appendChild(h('span', { class: 'flag flag-' + str(f).toLowerCase(), text: str(f) })); });
      head.appendChild(fl);
    } else {
      head.appendChild(h('span', { class: 'flags' }, [h('span', { class: 'flag', text: str(st.kind).toUpperCase() })]));
    }
    head.appendChild(h('span', { class: 'card-time', text: 't = ' + fmtTime(st.time) }));
    card.appendChild(head);
    const lab = stepLabels(st);
    card.appendChild(h('p', { class: 'card-nums', text: [lab.sub, lab.opts].filter(Boolean).join('   ·   ') }));
    card.appendChild(h('p', { class: 'explanation', text: str(st.explanation) }));
    const kst = obj(st.kernel);
    const rst = obj(st.states);
    const notes = arr(st.kernel_notes).map(str).filter(Boolean);
    ['client', 'server'].forEach(function (side) {
      if (kst[side] && rst[side] && kst[side] !== rst[side] && !notes.length) notes.push(T('linuxSays', roleName(side), str(kst[side])));
    });
    notes.forEach(function (n) {
      card.appendChild(h('p', { class: 'kernel-note' }, [h('span', { class: 'tag', text: T('kernelNote') }), ' ', n]));
    });
  }

  // ---------------------------------------------------------------- layers, bytes, diagram

  function renderFrame() {
    renderTree();
    renderHex();
    renderDiagramTabs();
    renderDiagram();
    const notes = $('frame-notes');
    clear(notes);
    const fr = obj(S.model && S.model.step && S.model.step.frame);
    const wire = num(fr.wire_length, 0);
    if (wire > num(fr.length, 0)) notes.appendChild(h('span', { class: 'cut', text: T('captured', num(fr.length), wire) + ' ' }));
    arr(S.doc && S.doc.notes).forEach(function (n) { notes.appendChild(h('span', { text: str(n) + ' ' })); });
    applyFieldSelection(false);
  }

  function notesAt(M, at) {
    return M.notes.filter((n) => n && str(n.at) === at).map((n) => str(n.text)).filter(Boolean);
  }

  function renderTree() {
    const root = $('tree');
    clear(root);
    const M = S.model;
    if (!M) return;
    M.layers.forEach(function (L, li) {
      const det = h('details', { class: 'layer ' + bandOf(L, li), open: true, 'data-layer': str(L.name), 'data-li': li });
      const a = num(L.offset);
      const b = a + num(L.length) - 1;
      det.appendChild(h('summary', { class: 'layer-head' }, [
        h('span', { class: 'level', text: str(L.level) }),
        h('span', { class: 'lname', text: protoName(L.name) }),
        h('span', { class: 'lrange', text: T('byteRange', a, b) }),
      ]));
      if (L.explanation) det.appendChild(h('p', { class: 'lexp', text: str(L.explanation) }));
      notesAt(M, str(L.name)).forEach((t) => det.appendChild(h('p', { class: 'note', text: t })));
      const ul = h('ul', { class: 'fields' });
      M.list.filter((it) => it.li === li && it.parent === null).forEach((it) => ul.appendChild(fieldItem(M, it)));
      det.appendChild(ul);
      root.appendChild(det);
    });
  }

  function fieldItem(M, it) {
    const f = it.f;
    const bits = bitsPattern(it, M.bytes);
    const range = it.len ? T('byteRange', it.off, it.off + it.len - 1) : '';
    const div = h('div', {
      class: 'field', 'data-field': it.name, 'data-fid': it.id, tabindex: 0, role: 'button',
      'aria-pressed': 'false', title: it.name + (range ? ' · ' + range : ''),
    }, [
      h('span', { class: 'fname', text: it.name }),
      h('span', { class: 'fval', text: str(f.value) }),
      bits ? h('span', { class: 'fbits', text: bits }) : null,
      f.explanation ? h('span', { class: 'fexp', text: str(f.explanation) }) : null,
    ]);
    const li = h('li', {}, [div]);
    notesAt(M, it.name).forEach((t) => li.appendChild(h('p', { class: 'note', text: t })));
    const kids = M.list.filter((x) => x.parent === it);
    if (kids.length) {
      const ul = h('ul', { class: 'fields' });
      kids.forEach((k) => ul.appendChild(fieldItem(M, k)));
      li.appendChild(ul);
    }
    return li;
  }

  // renderHex shows 16 bytes a row where they fit, else 8.
  function renderHex() {
    renderHexRows(16);
    const box = $('hex');
    if (box.scrollWidth > box.clientWidth + 1) renderHexRows(8);
  }

  function renderHexRows(per) {
    const box = $('hex');
    clear(box);
    const M = S.model;
    if (!M) return;
    box.setAttribute('data-per-row', per);
    const n = M.bytes.length;
    for (let r = 0; r < n; r += per) {
      const row = h('div', { class: 'hrow' });
      row.appendChild(h('span', { class: 'hoff', text: String(r).padStart(4, '\u2007') }));
      const hx = h('span', { class: 'hbytes' });
      const as = h('span', { class: 'hascii' });
      for (let i = r; i < Math.min(n, r + per); i++) {
        const li = layerAt(M, i);
        const L = M.layers[li];
        const band = li >= 0 ? bandOf(L, li) : 'band-none';
        const start = li >= 0 && num(L.offset) === i ? ' lstart' : '';
        const inner = fieldsAt(M, i)[0];
        const tip = (inner ? inner.name + ' = ' + str(inner.f.value) + '\n' : '') + (li >= 0 ? str(L.level) + ' · ' + protoName(L.name) + ' · ' : '') + T('byteRange', i, i);
        const gap = (i - r) === 8 ? ' mid' : '';
        hx.appendChild(h('span', { class: 'b ' + band + start + gap, 'data-off': i, title: tip, text: hex2(M.bytes[i]) }));
        as.appendChild(h('span', { class: 'a ' + band, 'data-aoff': i, title: tip, text: printable(M.bytes[i]) }));
      }
      row.appendChild(hx);
      row.appendChild(as);
      box.appendChild(row);
    }
  }

  function renderDiagramTabs() {
    const tabs = $('diagram-tabs');
    clear(tabs);
    const M = S.model;
    if (!M) return;
    M.layers.forEach(function (L, li) {
      tabs.appendChild(h('button', {
        type: 'button', class: 'ltab ' + bandOf(L, li), 'data-li': li, 'aria-pressed': String(li === S.diagLayer),
        text: protoName(L.name), title: str(L.level),
      }));
    });
  }

  // tiles chooses the boxes of a layer's diagram: a field, or its parts
  // where they divide it without overlapping (the flags, the options).
  function tiles(M, li) {
    const L = M.layers[li];
    const lo = num(L.offset);
    const out = [];
    function place(items) {
      items.forEach(function (it) {
        const r = bitRange(it, lo);
        const kids = M.list.filter((x) => x.parent === it);
        if (kids.length >= 2) {
          const rs = kids.map((k) => bitRange(k, lo)).sort((a, b) => a.start - b.start);
          let ok = rs[0].start >= r.start && rs[rs.length - 1].end <= r.end;
          for (let k = 1; k < rs.length && ok; k++) if (rs[k].start < rs[k - 1].end) ok = false;
          if (ok) { place(kids); return; }
        }
        out.push({ it: it, start: r.start, end: r.end });
      });
    }
    place(M.list.filter((it) => it.li === li && it.parent === null));
    out.sort((a, b) => a.start - b.start);
    const kept = [];
    let end = -1;
    out.forEach(function (t) {
      if (t.end <= t.start || t.start < 0) return;
      if (t.start < end) return;
      kept.push(t);
      end = t.end;
    });
    return kept;
  }

  function shortName(name) {
    if (BIT_LABELS[name]) return BIT_LABELS[name];
    let s = str(name);
    const dot = s.lastIndexOf('.');
    if (dot >= 0) s = s.slice(dot + 1);
    s = s.replace(/^option_/, '');
    return s;
  }

  function renderDiagram() {
    const box = $('diagram');
    clear(box);
    const M = S.model;
    if (!M || S.diagLayer < 0 || !M.layers[S.diagLayer]) return;
    const L = M.layers[S.diagLayer];
    const li = S.diagLayer;
    const fs = rootPx();
    const W = Math.max(320, Math.floor(box.clientWidth || 500));
    const offW = fs * 2.6;
    const bw = (W - offW - 2) / 32;
    const rowH = fs * 2.5;
    const headH = fs * 1.3;
    const totalBits = num(L.length) * 8;
    const nRows = Math.max(1, Math.ceil(totalBits / 32));
    const H = Math.ceil(headH + nRows * rowH + 2);
    const svg = sv('svg', { class: 'diagram-svg', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'group', 'aria-label': T('header') + ': ' + protoName(L.name) });
    // Bit ruler.
    for (let b = 0; b < 32; b++) {
      if (bw < fs * 0.9 && b % 4 !== 0 && b !== 31) continue;
      svg.appendChild(sv('text', { class: 'ruler', x: offW + (b + 0.5) * bw, y: headH - fs * 0.35, text: String(b) }));
    }
    for (let r = 0; r < nRows; r++) {
      svg.appendChild(sv('text', { class: 'row-off', x: offW - fs * 0.4, y: headH + r * rowH + rowH / 2 + fs * 0.3, text: '+' + (r * 4) }));
      const rowBits = Math.min(32, totalBits - r * 32);
      svg.appendChild(sv('rect', { class: 'empty', x: offW, y: headH + r * rowH, width: rowBits * bw, height: rowH }));
    }
    const band = bandOf(L, li);
    tiles(M, li).forEach(function (t) {
      const it = t.it;
      const g = sv('g', { class: 'box ' + band, 'data-fid': it.id, 'data-box': it.name });
      g.appendChild(sv('title', { text: it.name + ' = ' + str(it.f.value) + ' (' + T('bitsOf', t.end - t.start) + ')' + (it.f.explanation ? '\n' + str(it.f.explanation) : '') }));
      let s = t.start;
      let firstPiece = true;
      while (s < t.end) {
        const r = Math.floor(s / 32);
        const e = Math.min(t.end, (r + 1) * 32);
        const x = offW + (s - r * 32) * bw;
        const w = (e - s) * bw;
        const y = headH + r * rowH;
        g.appendChild(sv('rect', { x: x, y: y, width: w, height: rowH }));
        const label = shortName(it.name);
        const tiny = label.length * fs * 0.72 * 0.6 > w - 4;
        const maxCh = Math.floor((w - 2) / (fs * (tiny ? 0.58 : 0.72) * 0.6));
        if (firstPiece || w > bw * 8) {
          if (maxCh >= 1) {
            const text = label.length <= maxCh ? label : (maxCh >= 3 ? label.slice(0, maxCh - 1) + '…' : label.slice(0, maxCh));
            const val = str(it.f.value);
            const vmax = Math.floor((w - 4) / (fs * 0.66 * 0.6));
            const showVal = val && vmax >= 2 && rowH > fs * 2.2;
            g.appendChild(sv('text', { class: 'bname' + (tiny ? ' tiny' : ''), x: x + w / 2, y: y + (showVal ? rowH * 0.42 : rowH / 2 + fs * 0.32), text: text }));
            if (showVal) {
              const vt = val.length <= vmax ? val : val.slice(0, Math.max(1, vmax - 1)) + '…';
              g.appendChild(sv('text', { class: 'bval', x: x + w / 2, y: y + rowH * 0.8, text: vt }));
            }
          }
        }
        firstPiece = false;
        s = e;
      }
      svg.appendChild(g);
    });
    box.appendChild(svg);
  }

  // chooseField gives the field's bytes the class hl (and nothing else has
  // it), marks it in the tree and in the diagram.
  function chooseField(id, opts) {
    opts = opts || {};
    const M = S.model;
    if (!M || !M.byId.has(id)) return;
    const it = M.byId.get(id);
    S.fid = id;
    S.fkey = it.key;
    if (it.li !== S.diagLayer) {
      S.diagLayer = it.li;
      renderDiagramTabs();
      renderDiagram();
    }
    applyFieldSelection(opts.scrollTree);
    if (opts.focusTree) {
      const el = $('tree').querySelector('.field[data-fid="' + id + '"]');
      if (el) el.focus({ preventScroll: true });
    }
  }

  function applyFieldSelection(scrollTree) {
    const M = S.model;
    const it = M && S.fid !== null ? M.byId.get(S.fid) : null;
    const hex = $('hex');
    hex.querySelectorAll('.hl').forEach((e) => e.classList.remove('hl'));
    hex.querySelectorAll('.hla').forEach((e) => e.classList.remove('hla'));
    $('tree').querySelectorAll('.field.sel').forEach(function (e) { e.classList.remove('sel'); e.setAttribute('aria-pressed', 'false'); });
    $('diagram').querySelectorAll('.box.sel').forEach((e) => e.classList.remove('sel'));
    if (!it) return;
    for (let o = it.off; o < it.off + it.len; o++) {
      const b = hex.querySelector('[data-off="' + o + '"]');
      if (b) b.classList.add('hl');
      const a = hex.querySelector('[data-aoff="' + o + '"]');
      if (a) a.classList.add('hla');
    }
    const el = $('tree').querySelector('.field[data-fid="' + it.id + '"]');
    if (el) {
      el.classList.add('sel');
      el.setAttribute('aria-pressed', 'true');
      const det = el.closest('details');
      if (det && !det.open) det.open = true;
      if (scrollTree) {
        const box = $('tree-col');
        const r = el.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        if (r.top < b.top || r.bottom > b.bottom) el.scrollIntoView({ block: 'center' });
      }
    }
    // In the diagram: the field's own box, or the box that holds it.
    let cur = it;
    while (cur) {
      const box = $('diagram').querySelector('.box[data-fid="' + cur.id + '"]');
      if (box) { box.classList.add('sel'); break; }
      cur = cur.parent;
    }
    if (!cur) {
      M.list.filter((x) => x.parent === it).forEach(function (k) {
        const box = $('diagram').querySelector('.box[data-fid="' + k.id + '"]');
        if (box) box.classList.add('sel');
      });
    }
  }

  function chooseByte(off) {
    const M = S.model;
    if (!M) return;
    const c = fieldsAt(M, off);
    if (!c.length) return;
    if (S.byteCycle.off === off) S.byteCycle.n = (S.byteCycle.n + 1) % c.length;
    else S.byteCycle = { off: off, n: 0 };
    chooseField(c[S.byteCycle.n].id, { scrollTree: true });
  }

  // ---------------------------------------------------------------- gateway: both links

  function renderCompare() {
    const box = $('compare');
    clear(box);
    const links = arr(S.doc && S.doc.links);
    box.hidden = true;
    if (links.length < 2 || S.cur < 0 || !S.rows[S.cur]) return;
    const l1 = arr(links[1] && links[1].steps);
    if (!l1.length) return;
    let a = null;
    let b = null;
    const row = S.rows[S.cur];
    const match = (x, y) => {
      const A = frameModel(x);
      const B = frameModel(y);
      const id = fieldValue(A, 'ip.id');
      return id && id === fieldValue(B, 'ip.id') && fieldValue(A, 'ip.src') === fieldValue(B, 'ip.src');
    };
    let note = '';
    if (str(row.step.kind) !== 'arp') {
      if (row.link === 0) { a = row.step; b = l1.find((y) => match(a, y)) || null; }
      else { b = row.step; a = arr(S.doc.steps).find((x) => match(x, b)) || null; }
    }
    if (!a || !b) {
      note = str(row.step.kind) === 'arp' ? T('arpStays') : '';
      a = arr(S.doc.steps).find((x) => arr(x.flags).indexOf('SYN') >= 0 && arr(x.flags).indexOf('ACK') < 0) || null;
      b = a ? l1.find((y) => match(a, y)) || null : null;
    }
    if (!a || !b) return;
    const A = frameModel(a);
    const B = frameModel(b);
    const owners = [obj(links[0].owners), obj(links[1].owners)];
    const who = (k, mac) => {
      const o = owners[k][mac] || owners[k][str(mac).toLowerCase()];
      return o ? roleName(str(o.role)) + (o.interface ? ' ' + str(o.interface) : '') : '';
    };
    box.hidden = false;
    const lab = stepLabels(a);
    box.appendChild(h('h3', { class: 'sub' }, [T('bothLinks') + ': ', h('span', { class: 'cmp-what', text: lab.main })]));
    if (note) box.appendChild(h('p', { class: 'muted small', text: note }));
    const table = h('table', { class: 'cmp' });
    table.appendChild(h('thead', {}, [h('tr', {}, [
      h('th', { text: T('field') }),
      h('th', { text: linkName(links[0]) }),
      h('th', { text: linkName(links[1]) }),
    ])]));
    const tb = h('tbody');
    ['eth.src', 'eth.dst', 'ip.src', 'ip.dst', 'ip.ttl', 'ip.checksum', 'ip.id'].forEach(function (name) {
      const va = fieldValue(A, name);
      const vb = fieldValue(B, name);
      if (!va && !vb) return;
      const diff = va !== vb;
      const isMac = name.indexOf('eth.') === 0;
      const cell = (k, v) => h('td', { class: 'mono' }, [v, isMac && who(k, v) ? h('span', { class: 'owner', text: who(k, v) }) : null]);
      tb.appendChild(h('tr', { class: diff ? 'diff' : 'same', 'data-cmp': name, title: diff ? T('changed') : T('same') }, [
        h('th', {}, [h('span', { class: 'mono', text: name }), diff ? h('span', { class: 'cmp-tag', text: T('changed') }) : null]),
        cell(0, va), cell(1, vb),
      ]));
    });
    table.appendChild(tb);
    box.appendChild(table);
    box.appendChild(h('p', { class: 'muted small', text: T('bothLinksNote') }));
  }

  // ---------------------------------------------------------------- RFC 9293 state diagram

  const SD = { W: 1300, H: 246, bw: 138, bh: 40, col: (c) => 82 + c * 162, row: (r) => 50 + r * 76 };

  function renderStateDiagram() {
    const box = $('states');
    clear(box);
    const svg = sv('svg', { class: 'sd-svg', viewBox: '0 0 ' + SD.W + ' ' + SD.H, preserveAspectRatio: 'xMidYMid meet', role: 'img', 'aria-label': T('states') });
    const defs = sv('defs');
    [['sd-ah', 'sd-ah'], ['sd-ah-client', 'sd-ah sd-ah-client'], ['sd-ah-server', 'sd-ah sd-ah-server']].forEach(function (m) {
      defs.appendChild(sv('marker', { id: m[0], viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 10, markerHeight: 10, markerUnits: 'userSpaceOnUse', orient: 'auto', class: m[1] }, [sv('path', { d: 'M0,0 L10,5 L0,10 z' })]));
    });
    svg.appendChild(defs);
    const pos = {};
    NODES.forEach((n) => { pos[n[0]] = { x: SD.col(n[1]), y: SD.row(n[2]) }; });
    const gE = sv('g', { class: 'sd-edges' });
    EDGES.forEach(function (e) {
      const p = pos[e[0]];
      const q = pos[e[1]];
      if (!p || !q) return;
      const bend = e[4] || 0;
      const mx = (p.x + q.x) / 2;
      const my = (p.y + q.y) / 2;
      const dx = q.x - p.x;
      const dy = q.y - p.y;
      const len = Math.hypot(dx, dy) || 1;
      const cx = mx - dy / len * bend;
      const cy = my + dx / len * bend;
      const a = boxEdge(p, bend ? { x: cx, y: cy } : q);
      const b = boxEdge(q, bend ? { x: cx, y: cy } : p);
      const d = bend ? 'M' + a.x + ',' + a.y + ' Q' + cx + ',' + cy + ' ' + b.x + ',' + b.y : 'M' + a.x + ',' + a.y + ' L' + b.x + ',' + b.y;
      const label = S.lang === 'zh' ? e[3] : e[2];
      const g = sv('g', { class: 'sd-edge', 'data-from': e[0], 'data-to': e[1].replace('#end', '') });
      g.appendChild(sv('title', { text: e[0] + ' → ' + e[1].replace('#end', '') + ': ' + label }));
      g.appendChild(sv('path', { d: d, 'marker-end': 'url(#sd-ah)' }));
      gE.appendChild(g);
    });
    svg.appendChild(gE);
    const gN = sv('g', { class: 'sd-nodes' });
    NODES.forEach(function (n) {
      const p = pos[n[0]];
      const name = n[0].replace('#end', '');
      const g = sv('g', { class: 'sd-node', 'data-state': name, 'data-node': n[0] });
      g.appendChild(sv('rect', { x: p.x - SD.bw / 2, y: p.y - SD.bh / 2, width: SD.bw, height: SD.bh, rx: 10 }));
      g.appendChild(sv('text', { x: p.x, y: p.y + 6, text: name }));
      g.appendChild(sv('g', { class: 'sd-badges' }));
      gN.appendChild(g);
    });
    svg.appendChild(gN);
    box.appendChild(svg);
  }

  function boxEdge(c, toward) {
    const dx = toward.x - c.x;
    const dy = toward.y - c.y;
    if (!dx && !dy) return { x: c.x, y: c.y };
    const hw = SD.bw / 2 + 3;
    const hh = SD.bh / 2 + 3;
    const t = Math.min(dx ? hw / Math.abs(dx) : Infinity, dy ? hh / Math.abs(dy) : Infinity);
    return { x: c.x + dx * t, y: c.y + dy * t };
  }

  function lightStates() {
    const panel = $('states-panel');
    const box = $('states');
    const tr = $('transitions');
    clear(tr);
    if (!S.doc) { panel.classList.add('off'); return; }
    if (!isTCP()) {
      panel.classList.add('off');
      tr.appendChild(h('span', { class: 'muted', text: T('noStates') }));
    } else {
      panel.classList.remove('off');
    }
    box.querySelectorAll('.sd-node').forEach(function (n) {
      n.classList.remove('lit', 'lit-client', 'lit-server');
      const b = n.querySelector('.sd-badges');
      clear(b);
    });
    box.querySelectorAll('.sd-edge').forEach(function (e) {
      e.classList.remove('taken', 'taken-client', 'taken-server');
      const p = e.querySelector('path');
      if (p) p.setAttribute('marker-end', 'url(#sd-ah)');
    });
    if (!isTCP()) return;
    const at = statesAt(S.cur);
    ['client', 'server'].forEach(function (side, k) {
      const st = at.cur[side];
      const node = st === 'CLOSED' ? at.copy[side] : st;
      const g = box.querySelector('.sd-node[data-node="' + node + '"]');
      if (g) {
        g.classList.add('lit', 'lit-' + side);
        const rect = g.querySelector('rect');
        const x0 = num(rect && rect.getAttribute('x'));
        const y0 = num(rect && rect.getAttribute('y'));
        const label = roleName(side);
        const w = Math.max(54, label.length * (S.lang === 'zh' ? 15 : 9) + 18);
        const bx = k === 0 ? x0 - 6 : x0 + SD.bw + 6 - w;
        const badge = sv('g', { class: 'sd-badge sd-badge-' + side });
        badge.appendChild(sv('rect', { x: bx, y: y0 - 24, width: w, height: 22, rx: 11 }));
        badge.appendChild(sv('text', { x: bx + w / 2, y: y0 - 8, text: label }));
        g.querySelector('.sd-badges').appendChild(badge);
      }
      const was = at.prev[side];
      const line = h('span', { class: 'tr tr-' + side }, [h('span', { class: 'who who-' + side, text: roleName(side) }), ' ']);
      if (S.cur >= 0 && was !== st) {
        const target = st === 'CLOSED' ? at.copy[side] : st;
        const e = box.querySelector('.sd-edge[data-from="' + was + '"][data-to="' + st + '"]');
        if (e && (st !== 'CLOSED' || edgeTo(was) === target)) {
          e.classList.add('taken', 'taken-' + side);
          const p = e.querySelector('path');
          if (p) p.setAttribute('marker-end', 'url(#sd-ah-' + side + ')');
        }
        const lbl = edgeLabel(was, st);
        line.appendChild(h('span', { class: 'mono', text: was + ' → ' + st }));
        if (lbl) line.appendChild(h('span', { class: 'muted', text: '  (' + lbl + ')' }));
      } else {
        line.appendChild(h('span', { class: 'mono', text: st }));
      }
      tr.appendChild(line);
    });
  }

  function edgeTo(from) {
    for (const e of EDGES) if (e[0] === from && e[1].indexOf('CLOSED') === 0) return e[1];
    return '';
  }

  // ---------------------------------------------------------------- play

  function setPlayButton() {
    const b = $('play');
    if (!b) return;
    b.textContent = S.playing ? '❚❚' : '▶';
    b.setAttribute('title', S.playing ? T('pause') : T('play'));
    b.setAttribute('aria-label', S.playing ? T('pause') : T('play'));
    b.setAttribute('aria-pressed', String(!!S.playing));
  }
  function stopPlay() {
    if (S.playing) clearInterval(S.playing);
    S.playing = 0;
    setPlayButton();
  }
  function togglePlay() {
    if (S.playing) { stopPlay(); return; }
    if (!S.rows.length) return;
    if (S.cur >= S.rows.length - 1) selectRow(0);
    S.playing = setInterval(guard(function () {
      if (S.cur >= S.rows.length - 1) { stopPlay(); return; }
      move(1, false);
    }), 1600);
    setPlayButton();
  }

  // ---------------------------------------------------------------- loading

  function setDoc(doc, keep) {
    S.doc = doc;
    document.body.setAttribute('data-loaded', S.scenario);
    S.hosts = hostsOf(doc);
    S.rows = buildRows(doc);
    const want = keep ? S.cur : 0;
    S.cur = S.rows.length ? Math.max(0, Math.min(S.rows.length - 1, want)) : -1;
    if (!keep) { S.fkey = null; S.fid = null; S.diagLayer = -1; }
    renderDesc();
    renderTerms();
    renderLadder();
    selectRow(S.cur, { scroll: false });
  }

  function loadScenarios() {
    return getJSON('/api/scenarios?lang=' + encodeURIComponent(S.lang)).then(guard(function (res) {
      const list = res.ok && res.data && Array.isArray(res.data.scenarios) ? res.data.scenarios : null;
      if (list && list.length) {
        S.info = {};
        S.order = [];
        list.forEach(function (sc) {
          if (!sc || typeof sc.name !== 'string' || !sc.name) return;
          S.order.push(sc.name);
          const b = (BUILTIN[S.lang] || BUILTIN.en)[sc.name] || [sc.name, ''];
          S.info[sc.name] = [str(sc.title) || b[0], str(sc.description) || b[1]];
        });
        if (!S.order.length) { S.order = SCENARIOS.slice(); S.info = null; }
      } else {
        S.info = null;
        S.order = SCENARIOS.slice();
      }
      renderPicker();
      renderDesc();
      applyText();
    }));
  }

  function loadTrace(name, keep) {
    stopPlay();
    closeLive();
    S.scenario = name;
    updateURL();
    renderPicker();
    applyText();
    $('live').hidden = true;
    document.body.classList.remove('is-live');
    const id = ++S.req;
    document.body.removeAttribute('data-loaded');
    setStatus(T('capturing'), 'busy');
    document.body.classList.add('busy');
    const url = '/api/trace?scenario=' + encodeURIComponent(name) + '&lang=' + encodeURIComponent(S.lang);
    return getJSON(url).then(guard(function (res) {
      if (id !== S.req) return;
      document.body.classList.remove('busy');
      if (!res.ok || !res.data || !Array.isArray(res.data.steps)) {
        setStatus(T('loadError') + ': ' + (res.error || T('badDoc')), 'error');
        return;
      }
      setStatus('', '');
      setDoc(res.data, keep);
    }));
  }

  function setLang(lang) {
    if (lang !== 'en' && lang !== 'zh') return;
    if (lang === S.lang) return;
    S.lang = lang;
    updateURL();
    applyText();
    renderStateDiagram();
    loadScenarios();
    if (S.scenario === LIVE) {
      openLive();
      renderDesc();
      renderLadder();
      selectRow(S.cur, { scroll: false });
    } else {
      loadTrace(S.scenario, true);
    }
  }

  // ---------------------------------------------------------------- live mode

  function enterLive() {
    stopPlay();
    S.req++;
    S.scenario = LIVE;
    updateURL();
    renderPicker();
    applyText();
    document.body.classList.remove('busy');
    document.body.classList.add('is-live');
    $('live').hidden = false;
    openLive();
    showLiveConv(S.live.cur, false);
    const inp = $('live-line');
    if (inp) inp.focus();
  }

  function liveDoc(conv) {
    return {
      version: 1, scenario: LIVE, lang: S.lang, kind: conv.kind || 'tcp',
      client: conv.client, server: conv.server,
      initial: { client: 'CLOSED', server: 'LISTEN' }, steps: conv.steps,
    };
  }

  function showLiveConv(conv, follow) {
    if (!conv) {
      document.body.setAttribute('data-loaded', LIVE);
      S.doc = liveDoc({ client: '', server: '', steps: [] });
      S.hosts = hostsOf(S.doc);
      S.rows = [];
      S.cur = -1;
      renderDesc();
      renderTerms();
      renderLadder();
      selectRow(-1);
      setStatus(T('liveWaiting'), 'busy');
      return;
    }
    const wasLast = S.cur < 0 || S.cur >= S.rows.length - 1 || S.live.cur !== conv;
    S.live.cur = conv;
    S.doc = liveDoc(conv);
    document.body.setAttribute('data-loaded', LIVE);
    S.hosts = hostsOf(S.doc);
    S.rows = buildRows(S.doc);
    setStatus('', '');
    renderDesc();
    renderTerms();
    renderLadder();
    const i = follow && wasLast ? S.rows.length - 1 : Math.min(Math.max(S.cur, 0), S.rows.length - 1);
    selectRow(i, { scroll: true });
  }

  function openLive() {
    if (S.live.es && S.live.esLang === S.lang) return;
    closeLive();
    if (typeof EventSource !== 'function') return;
    let es;
    try {
      es = new EventSource('/api/live/events?lang=' + encodeURIComponent(S.lang));
    } catch (e) {
      setStatus(T('liveLost'), 'error');
      return;
    }
    S.live.es = es;
    S.live.esLang = S.lang;
    es.addEventListener('step', guard(function (ev) { onLiveStep(ev); }));
    es.addEventListener('reply', guard(function (ev) { onLiveReply(ev); }));
    es.addEventListener('error', guard(function (ev) {
      if (ev && typeof ev.data === 'string' && ev.data) {
        let d = null;
        try { d = JSON.parse(ev.data); } catch (e) { d = null; }
        liveLog(d && d.error ? str(d.error) : str(ev.data), 'error');
      } else if (S.scenario === LIVE) {
        setStatus(T('liveLost'), 'error');
      }
    }));
    es.addEventListener('open', guard(function () {
      if (S.scenario === LIVE && !S.rows.length) setStatus(T('liveWaiting'), 'busy');
      else if (S.scenario === LIVE) setStatus('', '');
    }));
  }

  function closeLive() {
    if (S.live.es) {
      try { S.live.es.close(); } catch (e) { /* closed already */ }
    }
    S.live.es = null;
    S.live.esLang = '';
  }

  function onLiveStep(ev) {
    let rec = null;
    try { rec = JSON.parse(ev.data); } catch (e) { rec = null; }
    if (!rec || typeof rec !== 'object' || !rec.step || typeof rec.step !== 'object') return;
    const key = str(rec.client) + '|' + str(rec.server);
    let conv = S.live.byKey.get(key);
    if (!conv) {
      conv = { key: key, client: str(rec.client), server: str(rec.server), steps: [], kind: str(rec.step.kind) === 'udp' ? 'udp' : 'tcp', n: S.live.convs.length + 1 };
      S.live.byKey.set(key, conv);
      S.live.convs.push(conv);
      if (S.live.convs.length > 50) {
        const old = S.live.convs.shift();
        S.live.byKey.delete(old.key);
      }
    }
    const st = rec.step;
    const idx = num(st.index, conv.steps.length);
    const at = conv.steps.findIndex((x) => num(x.index) === idx);
    if (at >= 0) conv.steps[at] = st; else conv.steps.push(st);
    conv.steps.sort((a, b) => num(a.index) - num(b.index));
    if (S.scenario !== LIVE) return;
    if (conv === S.live.cur || !S.live.cur || S.live.cur.steps.length && conv.steps.length === 1) {
      showLiveConv(conv, true);
    }
  }

  function onLiveReply(ev) {
    let d = null;
    try { d = JSON.parse(ev.data); } catch (e) { d = null; }
    if (!d || typeof d !== 'object') return;
    const n = num(d.conversation, 0);
    const item = $('live-log').querySelector('[data-conversation="' + n + '"]');
    if (item) {
      const r = item.querySelector('.reply');
      if (r) r.textContent = str(d.reply);
      item.classList.add('done');
    } else {
      liveLog('→ ' + str(d.reply), '');
    }
  }

  function liveLog(text, kind, n) {
    const log = $('live-log');
    const li = h('li', { class: kind || '', 'data-conversation': n === undefined ? null : n }, [h('span', { class: 'line', text: text })]);
    if (n !== undefined) li.appendChild(h('span', { class: 'reply' }));
    log.insertBefore(li, log.firstChild);
    while (log.children.length > 8) log.removeChild(log.lastChild);
    return li;
  }

  function sendLine(ev) {
    if (ev) ev.preventDefault();
    const inp = $('live-line');
    const line = str(inp && inp.value);
    if (!line.trim()) { liveLog(T('liveEmpty'), 'error'); return; }
    let size = line.length;
    try { size = new TextEncoder().encode(line).length; } catch (e) { size = line.length; }
    if (size > 256) { liveLog(T('liveTooLong'), 'error'); return; }
    openLive();
    const btn = $('live').querySelector('button[type="submit"]');
    if (btn) btn.disabled = true;
    getJSON('/api/live', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ line: line }),
      credentials: 'same-origin',
    }).then(guard(function (res) {
      if (btn) btn.disabled = false;
      if (!res.ok) { liveLog(line + ' — ' + str(res.error), 'error'); return; }
      const n = num(res.data && res.data.conversation, 0);
      const li = liveLog(line, 'sent', n);
      li.setAttribute('title', T('liveSent', n));
      if (inp) { inp.value = ''; inp.focus(); }
    }));
  }

  // ---------------------------------------------------------------- events

  function wire() {
    $('picker').addEventListener('click', guard(function (ev) {
      const b = ev.target.closest('[data-scenario]');
      if (!b) return;
      const n = b.getAttribute('data-scenario');
      if (n === LIVE) enterLive();
      else loadTrace(n, false);
    }));
    $('langs').addEventListener('click', guard(function (ev) {
      const b = ev.target.closest('[data-lang]');
      if (b) setLang(b.getAttribute('data-lang'));
    }));
    $('spacing').addEventListener('click', guard(function (ev) {
      const b = ev.target.closest('[data-spacing]');
      if (!b) return;
      S.spacing = b.getAttribute('data-spacing') === 'time' ? 'time' : 'equal';
      applyText();
      renderLadder();
      markLadderSelection();
    }));
    $('prev').addEventListener('click', guard(function () { move(-1, false); }));
    $('next').addEventListener('click', guard(function () { move(1, false); }));
    $('play').addEventListener('click', guard(togglePlay));

    const ladder = $('ladder');
    ladder.addEventListener('click', guard(function (ev) {
      const g = ev.target.closest('.seg');
      if (!g) return;
      selectRow(num(g.getAttribute('data-row')), { scroll: false });
    }));
    ladder.addEventListener('keydown', guard(function (ev) {
      const g = ev.target.closest('.seg');
      if (!g) return;
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        selectRow(num(g.getAttribute('data-row')), { scroll: false, focus: true });
      }
    }));

    const tree = $('tree');
    tree.addEventListener('click', guard(function (ev) {
      const x = ev.target.closest('.lexp');
      if (x) { x.classList.toggle('full'); return; }
      const f = ev.target.closest('.field');
      if (f) { chooseField(f.getAttribute('data-fid')); return; }
      const sum = ev.target.closest('summary');
      if (sum) {
        const det = sum.closest('details');
        const li = num(det && det.getAttribute('data-li'), -1);
        if (li >= 0 && li !== S.diagLayer) { S.diagLayer = li; renderDiagramTabs(); renderDiagram(); applyFieldSelection(false); }
      }
    }));
    tree.addEventListener('keydown', guard(function (ev) {
      const f = ev.target.closest('.field');
      if (!f) return;
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        chooseField(f.getAttribute('data-fid'));
      } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        const all = Array.prototype.slice.call(tree.querySelectorAll('.field'));
        const i = all.indexOf(f) + (ev.key === 'ArrowDown' ? 1 : -1);
        if (i >= 0 && i < all.length) { all[i].focus(); chooseField(all[i].getAttribute('data-fid')); }
      }
    }));

    $('hex').addEventListener('click', guard(function (ev) {
      const c = ev.target.closest('[data-off],[data-aoff]');
      if (!c) return;
      const off = num(c.hasAttribute('data-off') ? c.getAttribute('data-off') : c.getAttribute('data-aoff'), -1);
      if (off >= 0) chooseByte(off);
    }));
    $('diagram').addEventListener('click', guard(function (ev) {
      const b = ev.target.closest('.box');
      if (b) chooseField(b.getAttribute('data-fid'), { scrollTree: true });
    }));
    $('diagram-tabs').addEventListener('click', guard(function (ev) {
      const b = ev.target.closest('[data-li]');
      if (!b) return;
      S.diagLayer = num(b.getAttribute('data-li'));
      renderDiagramTabs();
      renderDiagram();
      applyFieldSelection(false);
    }));

    $('live').addEventListener('submit', guard(sendLine));

    document.addEventListener('keydown', guard(function (ev) {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey) return;
      const t = ev.target;
      const tag = t && t.tagName ? t.tagName.toLowerCase() : '';
      if (tag === 'input' || tag === 'textarea' || tag === 'select' || (t && t.isContentEditable)) return;
      const onSeg = !!(t && t.closest && t.closest('.seg'));
      if (ev.key === 'ArrowRight') { ev.preventDefault(); move(1, onSeg); }
      else if (ev.key === 'ArrowLeft') { ev.preventDefault(); move(-1, onSeg); }
      else if (ev.key === 'Home' && onSeg) { ev.preventDefault(); selectRow(0, { focus: true }); }
      else if (ev.key === 'End' && onSeg) { ev.preventDefault(); selectRow(S.rows.length - 1, { focus: true }); }
    }));

    window.addEventListener('resize', function () {
      clearTimeout(S.resizeTimer);
      S.resizeTimer = setTimeout(guard(function () {
        renderLadder();
        markLadderSelection();
        renderHex();
        renderDiagram();
        applyFieldSelection(false);
      }), 150);
    });
  }

  // ---------------------------------------------------------------- start

  function initialLang() {
    let q = '';
    try { q = new URLSearchParams(location.search).get('lang') || ''; } catch (e) { q = ''; }
    if (q === 'zh' || q === 'en') return q;
    const html = str(document.documentElement.getAttribute('lang')).toLowerCase();
    if (html.indexOf('zh') === 0) return 'zh';
    if (html.indexOf('en') === 0) return 'en';
    return str(navigator.language).toLowerCase().indexOf('zh') === 0 ? 'zh' : 'en';
  }

  const start = guard(function () {
    S.lang = initialLang();
    let sc = '';
    try { sc = new URLSearchParams(location.search).get('scenario') || ''; } catch (e) { sc = ''; }
    S.scenario = sc && (SCENARIOS.indexOf(sc) >= 0 || sc === LIVE || /^[a-z0-9-]{1,32}$/.test(sc)) ? sc : 'normal';
    wire();
    applyText();
    renderPicker();
    renderStateDiagram();
    loadScenarios();
    if (S.scenario === LIVE) enterLive();
    else loadTrace(S.scenario, false);
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
