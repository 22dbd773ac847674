package server

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParsePrefixes(t *testing.T) {
	tests := []struct {
		in      string
		want    string // the prefixes, space-separated
		wantErr string
	}{
		{"", "", ""},
		{"10.0.0.0/8", "10.0.0.0/8", ""},
		{" 10.0.0.0/8 , 192.168.1.7,::1/128 ,", "10.0.0.0/8 192.168.1.7/32 ::1/128", ""},
		{"fd00::/8", "fd00::/8", ""},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8", ""},
		{"::ffff:10.1.2.3", "10.1.2.3/32", ""},
		{"172.16.10.1/24", "", "host bits set; the network is 172.16.10.0/24"},
		{"10.0.0.0/33", "", "not a CIDR prefix"},
		{"300.1.1.1", "", "not an IP address"},
		{"garbage", "", "not an IP address"},
		{"fe80::1%eth0", "", "zones are not allowed"},
		{"::ffff:0:0/80", "", "must be /96 or longer"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			ps, err := ParsePrefixes(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParsePrefixes(%q) error = %v; want one saying %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePrefixes(%q): %v", tc.in, err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("ParsePrefixes(%q) = %q; want %q", tc.in, g, tc.want)
			}
		})
	}
}

// FuzzParsePrefixes: whatever the input, no panic; what parses is masked,
// unmapped, and parses again to the same list from its own text.
func FuzzParsePrefixes(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "1.2.3.4, ::1/128", "::ffff:1.2.3.4/120", "a,b", ",,", "fe80::%x/64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := ParsePrefixes(in)
		if err != nil {
			return
		}
		var texts []string
		for _, p := range ps {
			if p.Masked() != p || p.Addr().Is4In6() || !p.IsValid() {
				t.Fatalf("ParsePrefixes(%q) gave %v", in, p)
			}
			texts = append(texts, p.String())
		}
		again, err := ParsePrefixes(strings.Join(texts, ","))
		if err != nil || len(again) != len(ps) {
			t.Fatalf("re-parsing %q: %v, %v", texts, again, err)
		}
		for i := range ps {
			if again[i] != ps[i] {
				t.Fatalf("re-parsing %q gave %v; want %v", texts, again, ps)
			}
		}
	})
}

func TestAllowed(t *testing.T) {
	must := func(s string) []netip.Prefix {
		ps, err := ParsePrefixes(s)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	tests := []struct {
		ip, allow, deny string
		want            bool
	}{
		{"10.1.2.3", "", "", true},
		{"10.1.2.3", "10.0.0.0/8", "", true},
		{"11.1.2.3", "10.0.0.0/8", "", false},
		{"10.1.2.3", "10.0.0.0/8", "10.1.0.0/16", false},
		{"10.2.2.3", "10.0.0.0/8", "10.1.0.0/16", true},
		{"::ffff:10.1.2.3", "10.0.0.0/8", "", true},
		{"2001:db8::1", "10.0.0.0/8", "", false},
		{"2001:db8::1", "2001:db8::/32", "", true},
		{"127.0.0.1", "", "127.0.0.1", false},
	}
	for _, tc := range tests {
		if got := Allowed(netip.MustParseAddr(tc.ip), must(tc.allow), must(tc.deny)); got != tc.want {
			t.Errorf("Allowed(%s, allow=%q, deny=%q) = %v; want %v", tc.ip, tc.allow, tc.deny, got, tc.want)
		}
	}
}

// dialFrom connects from a chosen loopback source address.
func dialFrom(t *testing.T, src, addr string) *net.TCPConn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.(*net.TCPConn)
}

// served reports whether c gets its reply, rather than being closed at once.
func served(t *testing.T, c net.Conn) bool {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second)) // fail, not hang
	if _, err := c.Write([]byte("ping")); err != nil {
		return false
	}
	buf := make([]byte, 4)
	_, err := io.ReadFull(c, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isResetErr(err) {
		return false
	}
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(buf) == "PING"
}

func isResetErr(err error) bool { return err != nil && classify(err, false) == ReasonRST }

// counting is an Observer for tests.
type counting struct {
	mu       sync.Mutex
	accepted int
	rejected map[RejectReason]int
	closed   map[CloseReason]int
	dropped  map[DropReason]int
	in, out  int
}

func (o *counting) Accepted() { o.mu.Lock(); o.accepted++; o.mu.Unlock() }
func (o *counting) Rejected(r RejectReason) {
	o.mu.Lock()
	if o.rejected == nil {
		o.rejected = map[RejectReason]int{}
	}
	o.rejected[r]++
	o.mu.Unlock()
}
func (o *counting) Received(n int) { o.mu.Lock(); o.in += n; o.mu.Unlock() }
func (o *counting) Sent(n int)     { o.mu.Lock(); o.out += n; o.mu.Unlock() }
func (o *counting) Closed(r CloseReason, _ time.Duration) {
	o.mu.Lock()
	if o.closed == nil {
		o.closed = map[CloseReason]int{}
	}
	o.closed[r]++
	o.mu.Unlock()
}

func TestMaxConns(t *testing.T) {
	rec, obs := newRecorder(), &counting{}
	addr := start(t, &Server{MaxConns: 2, Logger: slog.New(rec), Observer: obs})
	a, b := dial(t, addr), dial(t, addr)
	if !served(t, a) || !served(t, b) {
		t.Fatal("the first two connections were not served")
	}
	if served(t, dial(t, addr)) {
		t.Fatal("a third connection was served beyond MaxConns=2")
	}
	rec.waitFor(t, "the rejection", func(r slog.Record) bool { return attr(r, "reason") == string(RejectMaxConns) })
	if !served(t, a) {
		t.Error("an open connection stopped working after a rejection")
	}
	a.Close()
	rec.waitFor(t, "a's close", closedWith(a.LocalAddr().String()))
	if !served(t, dial(t, addr)) {
		t.Error("a new connection was refused after one closed")
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.accepted != 3 || obs.rejected[RejectMaxConns] != 1 || obs.closed[ReasonFIN] != 1 {
		t.Errorf("observer saw accepted=%d rejected=%v closed=%v; want 3, max_conns:1, fin:1", obs.accepted, obs.rejected, obs.closed)
	}
	// Four served round trips of "ping". A reply is counted as sent just
	// after it is written, so the last may not be counted yet.
	if obs.in != 4*4 || obs.out < 3*4 || obs.out > 4*4 {
		t.Errorf("observer counted %d bytes in, %d out; want 16 in, 12 to 16 out", obs.in, obs.out)
	}
}

func TestMaxConnsPerIP(t *testing.T) {
	rec := newRecorder()
	addr := start(t, &Server{MaxConnsPerIP: 1, LimitLoopback: true, Logger: slog.New(rec)})
	if !served(t, dialFrom(t, "127.0.0.1", addr)) {
		t.Fatal("first connection from 127.0.0.1 not served")
	}
	if served(t, dialFrom(t, "127.0.0.1", addr)) {
		t.Fatal("a second connection from 127.0.0.1 was served beyond MaxConnsPerIP=1")
	}
	rec.waitFor(t, "the rejection", func(r slog.Record) bool { return attr(r, "reason") == string(RejectMaxConnsPerIP) })
	if !served(t, dialFrom(t, "127.0.0.2", addr)) {
		t.Error("a connection from another address, 127.0.0.2, was not served")
	}
}

// By default loopback clients are not held to the per-address limit: every
// client on the server's own machine shares that address (a load test of
// 1000 connections, a local proxy). They are counted all the same.
func TestLoopbackNotLimitedPerIP(t *testing.T) {
	s := &Server{MaxConnsPerIP: 2}
	addr := start(t, s)
	for i := range 5 {
		if !served(t, dialFrom(t, "127.0.0.1", addr)) {
			t.Fatalf("connection %d from 127.0.0.1 was refused with MaxConnsPerIP=2; loopback is exempt by default", i+1)
		}
	}
	if got := s.Sources(1); len(got) != 1 || got[0] != (SourceCount{"127.0.0.1", 5}) {
		t.Errorf("Sources = %v; want 127.0.0.1 with 5", got)
	}
}

// Which sources the per-address limit holds, by default and with
// LimitLoopback.
func TestPerIPLimitAndLoopback(t *testing.T) {
	for _, tc := range []struct {
		ip            string
		limitLoopback bool
		limited       bool
	}{
		{"127.0.0.1", false, false},
		{"127.9.9.9", false, false},
		{"::1", false, false},
		{"::ffff:127.0.0.1", false, false}, // unmapped before it is asked
		{"192.0.2.7", false, true},
		{"2001:db8::1", false, true},
		{"127.0.0.1", true, true},
		{"::1", true, true},
		{"192.0.2.7", true, true},
	} {
		s := &Server{MaxConnsPerIP: 1, LimitLoopback: tc.limitLoopback}
		ip := netip.MustParseAddr(tc.ip).Unmap()
		s.mu.Lock()
		_, _, first := s.admitLocked(ip)
		_, reason, second := s.admitLocked(ip)
		s.mu.Unlock()
		if !first || second == tc.limited || (tc.limited && reason != RejectMaxConnsPerIP) {
			t.Errorf("%s, LimitLoopback %v: first admitted %v, second admitted %v (%s); want the second refused: %v",
				tc.ip, tc.limitLoopback, first, second, reason, tc.limited)
		}
	}
}

func TestAllowDeny(t *testing.T) {
	allow, _ := ParsePrefixes("127.0.0.0/30")
	deny, _ := ParsePrefixes("127.0.0.2")
	rec := newRecorder()
	addr := start(t, &Server{Allow: allow, Deny: deny, Logger: slog.New(rec)})
	tests := []struct {
		src  string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.2", false}, // denied
		{"127.0.0.3", true},
		{"127.0.0.9", false}, // not allowed
	}
	for _, tc := range tests {
		if got := served(t, dialFrom(t, tc.src, addr)); got != tc.want {
			t.Errorf("connection from %s served = %v; want %v", tc.src, got, tc.want)
		}
	}
}

func (o *counting) Dropped(r DropReason) {
	o.mu.Lock()
	if o.dropped == nil {
		o.dropped = map[DropReason]int{}
	}
	o.dropped[r]++
	o.mu.Unlock()
}

// TestMaxConnsSlotFreeAtFIN: a client that redials as soon as it sees the
// server's FIN is served: the slot was freed before the FIN went out.
func TestMaxConnsSlotFreeAtFIN(t *testing.T) {
	addr := start(t, &Server{MaxConns: 1})
	for i := range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if !served(t, c) {
			c.Close()
			t.Fatalf("connection %d was refused right after the previous one ended", i)
		}
		c.(*net.TCPConn).CloseWrite()
		io.ReadAll(c) // until the server's FIN
		c.Close()
	}
}

func TestLimitKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"},
		{"2001:db8:1:2::ffff", "2001:db8:1:2::"},
	}
	for _, tc := range tests {
		if got := limitKey(netip.MustParseAddr(tc.in)); got.String() != tc.want {
			t.Errorf("limitKey(%s) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

// Every connection refused by a limit is reported to the operator without
// -v (the recorder takes every level, but only warnings count here), as
// warnings that name the reason, the flag and the limit, and count the
// refusals: a flood is at most a line a second, and none is left out.
func TestRefusalsReported(t *testing.T) {
	for _, tc := range []struct {
		name   string
		srv    func() *Server
		src    string
		reason RejectReason
		flag   string
		limit  string
	}{
		{"max conns", func() *Server { return &Server{MaxConns: 1} }, "127.0.0.1", RejectMaxConns, "--max-conns", "1"},
		{"per address", func() *Server { return &Server{MaxConnsPerIP: 1, LimitLoopback: true} }, "127.0.0.1", RejectMaxConnsPerIP, "--max-conns-per-ip", "1"},
		{"denied", func() *Server { return &Server{Deny: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}} }, "127.0.0.2", RejectDenied, "--allow, --deny", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			s := tc.srv()
			s.Logger, s.Linger = slog.New(rec), -1
			// The clock stands still: the first refusal is written at
			// once, the rest are due in a second that never ends here,
			// and Close writes them.
			frozen := time.Now()
			tl := s.tallies()
			tl.clock = func() time.Time { return frozen }
			tl.after = func(time.Duration, func()) stopper { return &fakeTimer{} }
			addr := start(t, s)
			if tc.reason != RejectDenied && !served(t, dialFrom(t, tc.src, addr)) { // holds the one place
				t.Fatal("the first connection was not served")
			}
			const flood = 50
			for i := range flood {
				if served(t, dialFrom(t, tc.src, addr)) {
					t.Fatalf("connection %d was served beyond the limit", i)
				}
			}
			s.Close() // writes the refusals counted and not yet written
			var warns int
			for _, r := range rec.all() {
				if r.Level != slog.LevelWarn {
					continue
				}
				warns++
				if attr(r, "reason") != string(tc.reason) || attr(r, "flag") != tc.flag || attr(r, "limit") != tc.limit ||
					!strings.HasPrefix(attr(r, "last_peer"), tc.src+":") {
					t.Errorf("warning %s %v; want reason %s, flag %q, limit %q, last_peer %s:port", r.Message, r, tc.reason, tc.flag, tc.limit, tc.src)
				}
			}
			if n := countOf(rec, "refused connections", nil); n != flood || warns != 2 {
				t.Errorf("%d refusals reported in %d warnings; want %d, in 2 lines (the first, then the rest of its second)", n, warns, flood)
			}
		})
	}
}
