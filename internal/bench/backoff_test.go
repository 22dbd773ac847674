package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The redial budget, with invented times: it starts full, refills at
// redialRate up to redialBurst, and an answered redial gives tokens back.
func TestRedialBudget(t *testing.T) {
	ms := int64(time.Millisecond)
	type step struct {
		at     int64 // ns after the epoch
		refund bool  // refund instead of take
		want   bool  // take's result
	}
	takes := func(at int64, n int, want bool) []step {
		s := make([]step, n)
		for i := range s {
			s[i] = step{at: at, want: want}
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"a burst, then empty", append(takes(0, redialBurst, true), step{at: 0, want: false})},
		{"one token per 1/redialRate", append(append(takes(0, redialBurst, true),
			step{at: 1000 * ms / redialRate / 2, want: false}),
			step{at: 1000 * ms / redialRate, want: true},
			step{at: 1000 * ms / redialRate, want: false})},
		{"refilled to the burst, never beyond", append(takes(0, 1, true), append(takes(time.Hour.Nanoseconds(), redialBurst, true),
			step{at: time.Hour.Nanoseconds(), want: false})...)},
		{"an answered redial gives back redialRefund", append(append(takes(0, redialBurst, true),
			step{at: 0, refund: true}),
			append(takes(0, redialRefund, true), step{at: 0, want: false})...)},
		{"a time from the past refills nothing", append(append(takes(5*ms, redialBurst, true),
			step{at: 0, want: false}), step{at: 5 * ms, want: false})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newRedialBudget()
			for i, s := range tc.steps {
				if s.refund {
					b.refund(s.at)
					continue
				}
				if got := b.take(s.at); got != s.want {
					t.Fatalf("step %d: take(%v) = %v; want %v", i, time.Duration(s.at), got, s.want)
				}
			}
		})
	}
}

// A server that accepts every connection and closes it at once, as one
// does beyond its connection limit: bench says so, counted apart and in
// plain words, and its redials stay within the run's budget however many
// connections it runs.
//
// The design's bound is exact: the server cannot see more than the Conns
// first dials, redialBurst more, and redialRate more a second of the run
// (400 here), since every redial takes a token. The test allows twice the
// budget, so that it holds with a wide margin; each worker backing off on
// its own, as bench did before, dials about 1650 times here.
func TestRefusingServer(t *testing.T) {
	const conns, duration = 200, time.Second
	bound := int64(conns + 2*(redialBurst+redialRate*duration.Seconds()))
	for _, p := range []int{1, 4} {
		t.Run(fmt.Sprintf("pipeline %d", p), func(t *testing.T) {
			var accepted atomic.Int64
			addr := tcpServer(t, func(net.Conn) { accepted.Add(1) }) // tcpServer closes it
			res := mustRun(t, Config{Addr: addr, Conns: conns, Pipeline: p, Duration: duration})
			if n := accepted.Load(); n > bound || res.ConnsOpened > bound {
				t.Errorf("the server accepted %d connections (bench: %d opened); want at most %d + 2 × (%d + %v × %d/s) = %d",
					n, res.ConnsOpened, conns, redialBurst, duration, redialRate, bound)
			}
			if res.ClosedBeforeReply == 0 || res.ClosedBeforeReply != res.Errors || res.FailedConnsTotal != res.Errors || res.ConnFailures != 0 {
				t.Errorf("closed before reply %d, errors %d, failed connections %d, connection failures %d; want every error a connection closed before its reply",
					res.ClosedBeforeReply, res.Errors, res.FailedConnsTotal, res.ConnFailures)
			}
			var text strings.Builder
			res.WriteText(&text)
			for _, want := range []string{"closed " + itoa(res.ClosedBeforeReply) + " connections before answering", "--max-conns-per-ip"} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("the report lacks %q:\n%s", want, text.String())
				}
			}
			b, _ := json.Marshal(res)
			var m struct {
				N *int64 `json:"closed_before_reply"`
			}
			if err := json.Unmarshal(b, &m); err != nil || m.N == nil || *m.N != res.ClosedBeforeReply {
				t.Errorf("JSON closed_before_reply = %v (%v); want %d", m.N, err, res.ClosedBeforeReply)
			}
		})
	}
}

// Dials that time out are counted apart and explained. The dialer times
// out every dial after the first, and stops the run at the fourth: three
// are counted (the fourth is cut short by the stop).
func TestDialTimeouts(t *testing.T) {
	addr := tcpServer(t, func(net.Conn) {}) // closes every connection unanswered
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dials := 0
	dialer := func(ctx2 context.Context, network string, local netip.Addr, addr string) (net.Conn, error) {
		if dials++; dials == 1 {
			return dial(ctx2, network, local, addr)
		} else if dials == 5 {
			cancel()
		}
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
	}
	res, err := Run(ctx, Config{Addr: addr, Conns: 1, Duration: time.Hour, Dial: dialer})
	if !errors.Is(err, context.Canceled) || res == nil {
		t.Fatalf("Run = %+v, %v; want the result so far and context.Canceled", res, err)
	}
	if res.DialsTimedOut != 3 || res.ConnFailures != 3 || res.DialsRefused != 0 || res.ClosedBeforeReply != 1 {
		t.Errorf("timed out %d, connection failures %d, refused %d, closed before reply %d; want 3, 3, 0, 1",
			res.DialsTimedOut, res.ConnFailures, res.DialsRefused, res.ClosedBeforeReply)
	}
	var text strings.Builder
	res.WriteText(&text)
	if !strings.Contains(text.String(), "3 connections timed out opening") {
		t.Errorf("the report does not explain the timeouts:\n%s", text.String())
	}
}

// What counts as the server closing a connection, and as a dial timing
// out.
func TestFailureCauses(t *testing.T) {
	for _, tc := range []struct {
		name             string
		err              error
		closed, timedOut bool
	}{
		{"EOF", io.EOF, true, false},
		{"EOF described", ioError("read from", "127.0.0.1:8080", io.EOF), true, false},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true, false},
		{"broken pipe on a write", &exchangeError{syscall.EPIPE}, true, false},
		{"a read deadline", os.ErrDeadlineExceeded, false, true},
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, false, false},
		{"the kernel's timeout", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ETIMEDOUT)}, false, true},
		{"no route", syscall.EHOSTUNREACH, false, false},
	} {
		if got := closedByServer(tc.err); got != tc.closed {
			t.Errorf("%s: closedByServer(%v) = %v; want %v", tc.name, tc.err, got, tc.closed)
		}
		if got := timedOut(tc.err); got != tc.timedOut {
			t.Errorf("%s: timedOut(%v) = %v; want %v", tc.name, tc.err, got, tc.timedOut)
		}
	}
}

// Each likely cause has its line in the report, naming where to look.
func TestReportCauses(t *testing.T) {
	for _, tc := range []struct {
		name string
		res  Result
		want []string // one per cause line, in order
	}{
		{"nothing wrong", Result{}, nil},
		{"closed before reply", Result{Errors: 8480, ClosedBeforeReply: 8480},
			[]string{"the server closed 8480 connections before answering: a connection limit on the server? (upcase serve --max-conns, --max-conns-per-ip"}},
		{"refused", Result{ConnFailures: 1, DialsRefused: 1},
			[]string{"1 connection refused at 127.0.0.1:9: nothing listening there?"}},
		{"timed out", Result{ConnFailures: 2, DialsTimedOut: 2},
			[]string{"2 connections timed out opening: a server that does not accept them fast enough?"}},
		{"all three", Result{ConnFailures: 5, DialsRefused: 2, DialsTimedOut: 3, Errors: 4, ClosedBeforeReply: 4},
			[]string{"the server closed 4 connections", "2 connections refused", "3 connections timed out"}},
	} {
		tc.res.Addr, tc.res.Network = "127.0.0.1:9", "tcp"
		var b strings.Builder
		tc.res.WriteText(&b)
		var got []string
		for _, line := range strings.Split(b.String(), "\n") {
			if c, ok := strings.CutPrefix(line, "  cause        "); ok {
				got = append(got, c)
			}
		}
		ok := len(got) == len(tc.want)
		for i := 0; ok && i < len(got); i++ {
			ok = strings.HasPrefix(got[i], tc.want[i])
		}
		if !ok {
			t.Errorf("%s: cause lines %q; want lines beginning %q", tc.name, got, tc.want)
		}
	}
}
