package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	proxyproto "github.com/pires/go-proxyproto"

	"github.com/upcase/upcase/internal/upper"
)

func TestParseProxyMode(t *testing.T) {
	for in, want := range map[string]ProxyMode{"off": ProxyOff, "": ProxyOff, "optional": ProxyOptional, "required": ProxyRequired} {
		got, err := ParseProxyMode(in)
		if err != nil || got != want {
			t.Errorf("ParseProxyMode(%q) = %q, %v; want %q", in, got, err, want)
		}
		if in != "" && got.String() != in {
			t.Errorf("%q.String() = %q", got, got.String())
		}
	}
	if _, err := ParseProxyMode("on"); err == nil || !strings.Contains(err.Error(), "off, optional or required") {
		t.Errorf("ParseProxyMode(on) error = %v; want one listing the modes", err)
	}
}

// header returns a PROXY header of version v (1 or 2) naming client as the
// source of a TCP connection.
func header(t testing.TB, v byte, client string) []byte {
	t.Helper()
	src := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(client))
	dst := &net.TCPAddr{IP: src.IP, Port: 8080}
	if src.IP.To4() == nil {
		dst.IP = net.IPv6loopback
	} else {
		dst.IP = net.IPv4(127, 0, 0, 1)
	}
	b, err := proxyproto.HeaderProxyFromAddrs(v, src, dst).Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// localHeader is the PROXY v2 LOCAL header of a load balancer's health check.
func localHeader(t testing.TB) []byte {
	b, err := (&proxyproto.Header{Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.UNSPEC}).Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// udpHeader is a v2 header that claims the connection is UDP.
func udpHeader(t testing.TB) []byte {
	b, err := (&proxyproto.Header{Version: 2, Command: proxyproto.PROXY, TransportProtocol: proxyproto.UDPv4,
		SourceAddr:      &net.UDPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 5000},
		DestinationAddr: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}}).Format()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProxyProtocol: who may send a header, in each mode, and what the
// server then takes the client to be.
func TestProxyProtocol(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	tests := []struct {
		name   string
		mode   ProxyMode
		src    string // the connection's own source address
		prefix []byte // what the client sends before "ping"
		peer   string // the client the server names in its log; "" means refused
		reason RejectReason
		closed CloseReason // for a refusal after the connection was served
	}{
		{"v1 from trusted", ProxyOptional, "127.0.0.1", header(t, 1, "192.0.2.7:5555"), "192.0.2.7:5555", "", ""},
		{"v2 from trusted", ProxyOptional, "127.0.0.1", header(t, 2, "192.0.2.8:5556"), "192.0.2.8:5556", "", ""},
		{"v2 IPv6 client", ProxyRequired, "127.0.0.1", header(t, 2, "[2001:db8::1]:5557"), "[2001:db8::1]:5557", "", ""},
		{"no header from trusted, optional", ProxyOptional, "127.0.0.1", nil, "127.0.0.1", "", ""},
		{"no header from trusted, required", ProxyRequired, "127.0.0.1", nil, "", RejectProxyHeader, ""},
		{"header from untrusted, optional", ProxyOptional, "127.0.0.2", header(t, 2, "192.0.2.9:5558"), "", "", ReasonProxyHeader},
		{"v1 header from untrusted, optional", ProxyOptional, "127.0.0.2", header(t, 1, "192.0.2.9:5558"), "", "", ReasonProxyHeader},
		{"no header from untrusted, optional", ProxyOptional, "127.0.0.2", nil, "127.0.0.2", "", ""},
		{"untrusted, required", ProxyRequired, "127.0.0.2", header(t, 2, "192.0.2.9:5558"), "", RejectProxyUntrusted, ""},
		{"LOCAL health check", ProxyRequired, "127.0.0.1", localHeader(t), "127.0.0.1", "", ""},
		{"header claiming UDP", ProxyRequired, "127.0.0.1", udpHeader(t), "", RejectProxyHeader, ""},
		{"malformed v1", ProxyOptional, "127.0.0.1", []byte("PROXY TCP4 192.0.2.1 nonsense\r\n"), "", RejectProxyHeader, ""},
		{"v1 without CRLF", ProxyRequired, "127.0.0.1", []byte("PROXY TCP4 192.0.2.1 127.0.0.1 1 2\n"), "", RejectProxyHeader, ""},
		{"v2 with a bad version", ProxyRequired, "127.0.0.1", append(append([]byte{}, proxyproto.SIGV2...), 0x31, 0x11, 0, 12), "", RejectProxyHeader, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, obs := newRecorder(), &counting{}
			addr := start(t, &Server{ProxyProtocol: tc.mode, ProxyTrusted: trusted, Logger: slog.New(rec), Observer: obs})
			c := dialFrom(t, tc.src, addr)
			if _, err := c.Write(tc.prefix); err != nil {
				t.Fatal(err)
			}
			got := served(t, c)
			if got != (tc.peer != "") {
				t.Fatalf("served = %v; want %v", got, tc.peer != "")
			}
			if !got && tc.closed != "" {
				// Served as itself, then closed when its first bytes were a header.
				rec.waitFor(t, "the close", func(r slog.Record) bool { return r.Message == "closed" && attr(r, "reason") == string(tc.closed) })
				obs.mu.Lock()
				defer obs.mu.Unlock()
				if obs.closed[tc.closed] != 1 || len(obs.rejected) != 0 {
					t.Errorf("observer saw closed=%v rejected=%v; want %s:1 and no rejection", obs.closed, obs.rejected, tc.closed)
				}
				return
			}
			if !got {
				rec.waitFor(t, "the rejection", func(r slog.Record) bool { return attr(r, "reason") == string(tc.reason) })
				obs.mu.Lock()
				defer obs.mu.Unlock()
				if obs.rejected[tc.reason] != 1 || obs.accepted != 0 {
					t.Errorf("observer saw rejected=%v accepted=%d; want %s:1 and none accepted", obs.rejected, obs.accepted, tc.reason)
				}
				return
			}
			c.Close()
			closed := rec.waitFor(t, "the close", func(r slog.Record) bool { return r.Message == "closed" })
			named := attr(closed, "peer")
			if _, err := netip.ParseAddrPort(tc.peer); err != nil { // an address alone: the port is the kernel's
				named, _, _ = net.SplitHostPort(named)
			}
			if named != tc.peer {
				t.Errorf("the server named the client %s; want %s", named, tc.peer)
			}
			for _, r := range rec.all() {
				if r.Level >= slog.LevelWarn {
					t.Errorf("logged %v %q for a connection served normally", r.Level, r.Message)
				}
			}
		})
	}
}

// TestProxyLimitsSeeTheClient: behind a load balancer (every connection
// from 127.0.0.1), MaxConnsPerIP, Deny and Sources go by the client each
// header names.
func TestProxyLimitsSeeTheClient(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	srv := &Server{
		ProxyProtocol: ProxyRequired,
		ProxyTrusted:  []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		MaxConnsPerIP: 2,
		Deny:          []netip.Prefix{netip.MustParsePrefix("192.0.2.66/32")},
		Logger:        slog.New(rec),
		Observer:      obs,
	}
	addr := start(t, srv)
	via := func(client string) net.Conn {
		c := dial(t, addr)
		if _, err := c.Write(header(t, 2, client)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a1, a2 := via("192.0.2.7:1001"), via("192.0.2.7:1002")
	if !served(t, a1) || !served(t, a2) {
		t.Fatal("the first two connections of 192.0.2.7 were not served")
	}
	if served(t, via("192.0.2.7:1003")) {
		t.Error("a third connection of 192.0.2.7 was served beyond MaxConnsPerIP=2")
	}
	if !served(t, via("192.0.2.8:1001")) {
		t.Error("192.0.2.8 was refused: the limit counted the load balancer, not the client")
	}
	if served(t, via("192.0.2.66:1001")) {
		t.Error("a denied client was served through the load balancer")
	}
	rec.waitFor(t, "the per-address rejection", func(r slog.Record) bool { return attr(r, "reason") == string(RejectMaxConnsPerIP) })
	rec.waitFor(t, "the denial", func(r slog.Record) bool { return attr(r, "reason") == string(RejectDenied) })

	got := srv.Sources(10)
	want := []SourceCount{{"192.0.2.7", 2}, {"192.0.2.8", 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Sources = %v; want %v (never the load balancer's 127.0.0.1)", got, want)
	}
	for _, r := range rec.all() {
		if r.Message != "rejected: closed at once" {
			continue
		}
		if peer := attr(r, "peer"); !strings.HasPrefix(peer, "192.0.2.") || !strings.HasPrefix(attr(r, "via"), "127.0.0.1:") {
			t.Errorf("a rejection names peer=%s via=%s; want the client the header names, via the load balancer", peer, attr(r, "via"))
		}
	}
}

// TestProxyHeaderTimeout: a trusted source that never sends its header is
// closed after HandshakeTimeout and counted, and the server goes on.
func TestProxyHeaderTimeout(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	addr := start(t, &Server{ProxyProtocol: ProxyRequired, ProxyTrusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		HandshakeTimeout: 50 * time.Millisecond, Logger: slog.New(rec), Observer: obs})
	silent := dial(t, addr)
	silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := silent.Read(make([]byte, 1)); err == nil || errors.Is(err, io.ErrNoProgress) || n > 0 {
		t.Fatalf("a connection that sent no header got %d bytes, err %v; want it closed", n, err)
	}
	rec.waitFor(t, "the rejection", func(r slog.Record) bool { return attr(r, "reason") == string(RejectProxyHeader) })
	c := dial(t, addr)
	c.Write(header(t, 1, "192.0.2.7:1"))
	if !served(t, c) {
		t.Error("the server did not serve the next connection")
	}
}

// TestProxyDrainDuringHeader: Close ends a connection still waiting for its
// header, at once and quietly: what it sent is not taken for data, and it is
// neither accepted nor rejected (goleak in TestMain checks nothing is left).
func TestProxyDrainDuringHeader(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	srv := &Server{ProxyProtocol: ProxyOptional, ProxyTrusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		HandshakeTimeout: time.Hour, Logger: slog.New(rec), Observer: obs}
	addr := start(t, srv)
	c := dial(t, addr)
	c.Write([]byte("PRO")) // the start of a v1 signature: the server waits for more
	waitOpen(t, srv, 1)
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a header that never came")
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, _ := io.ReadAll(c); len(got) > 0 {
		t.Errorf("the unfinished header came back as data: %q", got)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.accepted != 0 || len(obs.rejected) != 0 || len(obs.closed) != 0 {
		t.Errorf("observer saw accepted=%d rejected=%v closed=%v; want nothing", obs.accepted, obs.rejected, obs.closed)
	}
}

// TestProxyNeverStallsAccept: with narration on, refusing a silent client
// at accept (here: denied) does not wait for its header, and an untrusted
// client whose text merely starts like a header ("P") is answered at once.
// With HandshakeTimeout an hour, either mistake would fail the deadlines.
func TestProxyNeverStallsAccept(t *testing.T) {
	rec := newRecorder()
	addr := start(t, &Server{ProxyProtocol: ProxyOptional, ProxyTrusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		Deny: []netip.Prefix{netip.MustParsePrefix("127.0.0.3/32")}, HandshakeTimeout: time.Hour, Logger: slog.New(rec)})
	dialFrom(t, "127.0.0.3", addr) // and says nothing
	rec.waitFor(t, "the denial", func(r slog.Record) bool { return attr(r, "reason") == string(RejectDenied) })
	c := dialFrom(t, "127.0.0.2", addr)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	for _, msg := range []string{"Paris\n", "\r\n", "PROX"} {
		reply := make([]byte, len(msg))
		roundTrip(t, c, []byte(msg), reply)
		if want := strings.ToUpper(msg); string(reply) != want {
			t.Errorf("sent %q, got %q; want %q", msg, reply, want)
		}
	}
}

// TestProxyHeaderLogLevels: a load balancer's probe that connects and leaves
// is narration only; a bad header is narrated too, and reported to the
// operator without -v, counted (at most a line a second).
func TestProxyHeaderLogLevels(t *testing.T) {
	rec := newRecorder()
	s := &Server{ProxyProtocol: ProxyRequired, ProxyTrusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		Logger: slog.New(rec)}
	addr := start(t, s)
	narrated := func(r slog.Record) bool {
		return r.Level == slog.LevelDebug && attr(r, "reason") == string(RejectProxyHeader)
	}
	probe := dial(t, addr)
	probe.Close()
	rec.waitCount(t, "the probe's rejection", 1, narrated)
	for _, bad := range []string{"GET / HTTP/1.0\r\n\r\n", "PROXY NONSENSE\r\n"} {
		c := dial(t, addr)
		c.Write([]byte(bad))
		c.CloseWrite()
	}
	rec.waitCount(t, "three rejections", 3, narrated)
	s.Close() // writes what is counted and not yet written
	var warns int
	for _, r := range rec.all() { // past the "listening" line
		if r.Level > slog.LevelInfo {
			warns++
			if r.Level != slog.LevelWarn || attr(r, "reason") != string(RejectProxyHeader) || attr(r, "flag") == "" || attr(r, "err") == "" {
				t.Errorf("a line above debug: %v %s %v; want a warning of proxy_header refusals naming the flag and the error", r.Level, r.Message, r)
			}
		}
	}
	if n := countOf(rec, "refused connections", nil); n != 2 || warns > 2 {
		t.Errorf("%d refusals reported in %d warnings; want the 2 bad headers, not the probe, in at most 2 lines", n, warns)
	}
}

// TestProxyLateHeader: a trusted source whose header does not arrive whole
// within HandshakeTimeout is refused, not served with the header as data.
func TestProxyLateHeader(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	addr := start(t, &Server{ProxyProtocol: ProxyOptional, ProxyTrusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		HandshakeTimeout: 50 * time.Millisecond, Logger: slog.New(rec), Observer: obs})
	c := dial(t, addr)
	c.Write(header(t, 1, "192.0.2.7:1")[:12])
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, err := io.ReadAll(c); len(got) > 0 || (err != nil && !isResetErr(err)) {
		t.Fatalf("a late header got %q, %v; want the connection closed", got, err)
	}
	rec.waitFor(t, "the rejection", func(r slog.Record) bool { return attr(r, "reason") == string(RejectProxyHeader) })
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.accepted != 0 {
		t.Errorf("a late header was accepted")
	}
}

// waitOpen waits until srv counts n open connections.
func waitOpen(t *testing.T, srv *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		srv.mu.Lock()
		open := srv.open
		srv.mu.Unlock()
		if open == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server has %d connections open; want %d", open, n)
		}
		time.Sleep(time.Millisecond) // polling a counter, not guessing a duration
	}
}

// FuzzProxyHeader: whatever a trusted source sends, the server neither
// crashes nor answers wrongly: the reply is the upper-cased data after a
// valid header, or after no header, or nothing at all (the connection is
// refused), as the protocol's own reader decides; and the server still
// serves the next client.
func FuzzProxyHeader(f *testing.F) {
	f.Add(append(header(f, 1, "192.0.2.7:5555"), "hello"...))
	f.Add(append(header(f, 2, "192.0.2.7:5555"), "hello"...))
	f.Add(append(header(f, 2, "[2001:db8::1]:1"), "x"...))
	f.Add(append(localHeader(f), "health"...))
	f.Add(udpHeader(f))
	f.Add([]byte("PROXY UNKNOWN\r\nabc"))
	f.Add([]byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r"))
	f.Add([]byte("hello"))
	f.Add([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00"))
	srv := &Server{ProxyProtocol: ProxyOptional, ProxyTrusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		HandshakeTimeout: 5 * time.Second, Linger: Never, MaxConnsPerIP: NoLimit}
	addr := start(f, srv)
	f.Fuzz(func(t *testing.T, in []byte) {
		want, ok := expectedReply(in)
		// The client closes first, so its side waits in TIME-WAIT: a source
		// address of its own for each run keeps a long run from running out
		// of ports.
		src := &net.TCPAddr{IP: net.IPv4(127, byte(rand.IntN(256)), byte(rand.IntN(256)), byte(1+rand.IntN(254)))}
		c, err := (&net.Dialer{LocalAddr: src}).Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(in)
		c.(*net.TCPConn).CloseWrite()
		got, err := io.ReadAll(c)
		if err != nil && !isResetErr(err) {
			t.Fatalf("read: %v", err)
		}
		switch {
		case len(got) == 0 && (!ok || len(want) == 0):
		case ok && bytes.Equal(got, want):
		default:
			t.Fatalf("sent %q; got %q, want %q (or nothing: %v)", in, got, want, !ok)
		}
	})
}

// expectedReply is what the server should answer to in from a trusted
// source in optional mode, by go-proxyproto's own reader: ok false means
// the connection should be refused.
func expectedReply(in []byte) (want []byte, ok bool) {
	br := bufio.NewReaderSize(bytes.NewReader(in), 256) // the size the connection reads headers with
	h, err := proxyproto.Read(br)
	var rest []byte
	switch {
	case errors.Is(err, proxyproto.ErrNoProxyProtocol):
		rest = in
	case err != nil, validateHeader(h) != nil:
		return nil, false
	default:
		rest, _ = io.ReadAll(br)
	}
	out := bytes.Clone(rest)
	upper.ASCII(out)
	return out, true
}

// all returns the records so far.
func (r *recorder) all() []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.records)
}

func TestFrameHeader(t *testing.T) {
	v1 := header(t, 1, "192.0.2.7:5555")
	v2 := header(t, 2, "192.0.2.7:5555")
	long := append([]byte("PROXY "), bytes.Repeat([]byte("x"), 200)...)
	tests := []struct {
		name string
		in   []byte
		n    int
		f    frame
	}{
		{"nothing yet", nil, 0, frameMore},
		{"start of v1", []byte("PRO"), 0, frameMore},
		{"start of v2", proxyproto.SIGV2[:7], 0, frameMore},
		{"data", []byte("hello"), 0, frameNone},
		{"data starting with P", []byte("Paris"), 0, frameNone},
		{"v1 whole", v1, len(v1), frameWhole},
		{"v1 and data", append(bytes.Clone(v1), "hi"...), len(v1), frameWhole},
		{"v1 unfinished", v1[:20], 0, frameMore},
		{"v1 too long", long, 0, frameTooLong},
		{"v2 whole", v2, len(v2), frameWhole},
		{"v2 and data", append(bytes.Clone(v2), "hi"...), len(v2), frameWhole},
		{"v2 unfinished", v2[:20], 0, frameMore},
		{"v2 before its length", v2[:14], 0, frameMore},
		{"v2 bad version", append(bytes.Clone(proxyproto.SIGV2), 0x31), 13, frameWhole},
		{"v2 bad family", append(bytes.Clone(proxyproto.SIGV2), 0x21, 0x99), 14, frameWhole},
		{"v2 too long", append(bytes.Clone(proxyproto.SIGV2), 0x21, 0x11, 0xff, 0xff), 0, frameTooLong},
		{"v2 PROXY with no family", append(bytes.Clone(proxyproto.SIGV2), 0x21, 0x00), 14, frameWhole},
		{"v2 LOCAL with no family", append(bytes.Clone(proxyproto.SIGV2), 0x20, 0x00), 0, frameMore},
		{"v2 too short for IPv4", append(bytes.Clone(proxyproto.SIGV2), 0x21, 0x11, 0, 8), 16, frameWhole},
	}
	for _, tc := range tests {
		if n, f := frameHeader(tc.in); n != tc.n || f != tc.f {
			t.Errorf("%s: frameHeader(%q) = %d, %d; want %d, %d", tc.name, tc.in, n, f, tc.n, tc.f)
		}
	}
}

// TestReadHeaderInPieces: the header step decides the same whatever pieces
// the bytes come in (net.Pipe gives each write to one read), and decides as
// soon as it can: the goroutine engine's readHeader, with the framing and
// verdict the epoll engine shares.
func TestReadHeaderInPieces(t *testing.T) {
	v1 := header(t, 1, "192.0.2.7:5555")
	tests := []struct {
		name     string
		required bool
		writes   []string // then the writer closes, unless open
		open     bool     // the writer stays: the verdict must not wait for more
		out      headerOutcome
		client   string // the header's client; "" for none
		rest     string
	}{
		{"v1 in two pieces, then data", true, []string{string(v1[:9]), string(v1[9:]), "yo"}, false, headerOK, "192.0.2.7:5555", "yo"},
		{"no header, optional: data that starts like one", false, []string{"Pi\n"}, true, headerOK, "", "Pi\n"},
		{"no header, optional: CRLF", false, []string{"\r\nhello"}, true, headerOK, "", "\r\nhello"},
		{"no header, required", true, []string{"\r\nhello"}, true, headerBad, "", ""},
		{"v2 cut short", true, []string{string(header(t, 2, "192.0.2.7:1")[:20])}, false, headerBad, "", ""},
		{"nothing, required", true, nil, false, headerSilent, "", ""},
		{"nothing, optional", false, nil, false, headerOK, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := net.Pipe()
			defer server.Close()
			go func() {
				for _, w := range tc.writes {
					if _, err := client.Write([]byte(w)); err != nil {
						return
					}
				}
				if !tc.open {
					client.Close()
				}
			}()
			defer client.Close()
			pc := &proxiedConn{Conn: server}
			out, err := pc.readHeader(tc.required, 10*time.Second)
			if out != tc.out {
				t.Fatalf("outcome %d (%v); want %d", out, err, tc.out)
			}
			if out != headerOK {
				return
			}
			if got := pc.RemoteAddr().String(); tc.client != "" && got != tc.client {
				t.Errorf("client %s; want %s", got, tc.client)
			}
			if tc.client == "" && pc.hdr != nil {
				t.Errorf("a header where there was none: %v", pc.hdr)
			}
			got := make([]byte, len(tc.rest))
			if _, err := io.ReadFull(pc, got); err != nil || string(got) != tc.rest {
				t.Errorf("data after the header: %q, %v; want %q", got, err, tc.rest)
			}
		})
	}
}
