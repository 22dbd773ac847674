package bench

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// The JSON keys that CONTRACT.md promises, and the others this package
// documents.
func TestJSONKeys(t *testing.T) {
	res := mustRun(t, Config{Addr: tcpServer(t, serveUpper), Duration: 300 * time.Millisecond, Interval: 20 * time.Millisecond})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{
		"msgs_per_sec", "mb_per_sec", "p50_us", "p99_us", "p999_us", "max_us", "errors", "mismatches", // the contract
		"p90_us", "mean_us", "conns", "size", "pipeline", "rate", "expect", "duration_s", "sent", "messages", "bytes",
		"lost", "late", "conn_failures", "interrupted", "addr", "network", "throughput",
		"conns_opened", "failed_conns", "failed_conns_total", "msgs_per_conn", "sending_s", "planned_s",
	} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	for _, k := range []string{"msgs_per_sec", "p50_us", "max_us", "duration_s"} {
		if v, _ := m[k].(float64); v <= 0 {
			t.Errorf("%s = %v; want a positive number", k, m[k])
		}
	}
	if fc, ok := m["failed_conns"].([]any); !ok || len(fc) != 0 || m["conns_opened"] != m["conns"] {
		t.Errorf("failed_conns %v, conns_opened %v, conns %v; want [] and every connection opened once", m["failed_conns"], m["conns_opened"], m["conns"])
	}
	if m["expect"] != "upper" || m["network"] != "tcp" {
		t.Errorf("expect %v, network %v; want upper, tcp", m["expect"], m["network"])
	}
	steps, _ := m["throughput"].([]any)
	if len(steps) < 3 {
		t.Fatalf("throughput has %d steps over 300ms at 20ms; want about 15", len(steps))
	}
	step, _ := steps[0].(map[string]any)
	for _, k := range []string{"at_s", "messages", "msgs_per_sec"} {
		if _, ok := step[k]; !ok {
			t.Errorf("throughput step has no %q: %v", k, step)
		}
	}
}

// Nobody listening: Run fails with one line that names the address and the
// reason, and no Result.
func TestDeadAddress(t *testing.T) {
	addr := freeAddr(t, "tcp")
	res, err := Run(context.Background(), Config{Addr: addr})
	if res != nil || !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Run = %v, %v; want nil and connection refused naming %s", res, err, addr)
	}
}

// When ctx is cancelled mid-run, Run stops at once (not at the end of the
// hour), returns what it has with Interrupted set, and ctx's error. The
// result covers the time until the stop, not the hour planned, and the
// connections Run closed because it was stopped are not failures. goleak
// (TestMain) checks that it leaves no goroutine behind.
func TestCancel(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"ping-pong", Config{}},
		{"pipelined", Config{Pipeline: 4}},
		{"open loop", Config{Rate: 10}},
		{"udp", Config{UDP: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan struct{})
			cfg := tc.cfg
			if cfg.UDP {
				addr := udpServer(t, 0, func([]byte) {})
				cfg.Expect = ExpectEcho
				cfg.Addr = addr
			} else {
				cfg.Addr = tcpServer(t, silent(got))
			}
			cfg.Duration, cfg.Timeout = time.Hour, time.Hour
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if cfg.UDP {
				cfg.Progress = func(Progress) { cancel() }
			} else {
				go func() {
					<-got
					cancel()
				}()
			}
			res, err := Run(ctx, cfg)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run error %v; want context.Canceled", err)
			}
			if res == nil || !res.Interrupted || res.Failed() || res.FailedConnsTotal != 0 {
				t.Fatalf("Run = %+v; want the result so far, interrupted, no failure", res)
			}
			wantStoppedEarly(t, res, time.Hour)
		})
	}
}

// A run stopped while its connections are being opened returns a Result
// all the same, which says that nothing was measured; the dials the stop
// cut short are not failures.
func TestCancelWhileOpening(t *testing.T) {
	addr := tcpServer(t, serveUpper)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var dials atomic.Int64
	dialer := func(dctx context.Context, network string, local netip.Addr, a string) (net.Conn, error) {
		if dials.Add(1) == 2 { // stop, and wait to be cut short
			cancel()
			<-dctx.Done()
			return nil, dctx.Err()
		}
		return dial(dctx, network, local, a)
	}
	res, err := Run(ctx, Config{Addr: addr, Conns: 3, Duration: time.Hour, Dial: dialer})
	if !errors.Is(err, context.Canceled) || res == nil {
		t.Fatalf("Run = %v, %v; want a Result and context.Canceled", res, err)
	}
	if !res.Interrupted || res.Sending != 0 || res.Duration != 0 || res.Messages != 0 || res.Failed() || res.FailedConnsTotal != 0 || res.ConnsOpened > 2 {
		t.Errorf("interrupted %v, sending %v, duration %v, %d messages, %d opened, failed %v (%d listed); want stopped before measuring, nothing failed",
			res.Interrupted, res.Sending, res.Duration, res.Messages, res.ConnsOpened, res.Failed(), res.FailedConnsTotal)
	}
}

// wantStoppedEarly fails unless res, of a run planned for planned and
// stopped long before, says so: sending stopped before the plan, and the
// rates are over the time measured, not over the plan.
func wantStoppedEarly(t *testing.T, res *Result, planned time.Duration) {
	t.Helper()
	if res.Planned != planned || res.Sending >= planned || res.Duration >= planned || res.Duration < res.Sending {
		t.Errorf("planned %v, sending %v, duration %v; want %v planned, and sending stopped before, the duration from then on",
			res.Planned, res.Sending, res.Duration, planned)
	}
	wantRatesOverDuration(t, res)
}

// wantRatesOverDuration fails unless res's rates are its counts over its
// Duration.
func wantRatesOverDuration(t *testing.T, res *Result) {
	t.Helper()
	var msgs, mb float64
	if s := res.Duration.Seconds(); s > 0 {
		msgs, mb = float64(res.Messages)/s, float64(res.Bytes)/s/1e6
	}
	if res.MsgsPerSec != msgs || res.MBPerSec != mb {
		t.Errorf("%d messages, %d bytes over %v: %v msgs/s, %v MB/s; want %v and %v",
			res.Messages, res.Bytes, res.Duration, res.MsgsPerSec, res.MBPerSec, msgs, mb)
	}
}

// Result.Duration is the interval the counts cover: a run that goes its
// course sends for exactly Config.Duration, and its Duration ends then, or
// with the last reply counted if that came after; waiting for replies that
// never come (up to Timeout) is not in it, nor in the throughput timeline.
func TestDurationIsWhatWasMeasured(t *testing.T) {
	const d, timeout = 100 * time.Millisecond, 300 * time.Millisecond
	for _, tc := range []struct {
		name     string
		cfg      Config
		answered bool
	}{
		{"ping-pong", Config{Addr: tcpServer(t, serveUpper)}, true},
		{"pipelined", Config{Addr: tcpServer(t, serveUpper), Pipeline: 4}, true},
		{"open loop", Config{Addr: tcpServer(t, serveUpper), Rate: 1000}, true},
		{"udp", Config{Addr: udpServer(t, 0, upper.ASCII), UDP: true, Pipeline: 4}, true},
		{"ping-pong unanswered", Config{Addr: tcpServer(t, silent(make(chan struct{})))}, false},
		{"pipelined unanswered", Config{Addr: tcpServer(t, silent(make(chan struct{}))), Pipeline: 4}, false},
		{"udp unanswered", Config{Addr: udpServer(t, 1, upper.ASCII), UDP: true, Pipeline: 4}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Duration, cfg.Timeout, cfg.Conns = d, timeout, 2
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Interrupted || res.Planned != d || res.Sending != d {
				t.Errorf("interrupted %v, planned %v, sending %v; want a run that went its course, sending for %v", res.Interrupted, res.Planned, res.Sending, d)
			}
			wantRatesOverDuration(t, res)
			if !tc.answered {
				if res.Messages != 0 || res.Duration != d {
					t.Errorf("%d messages over %v; want none, over the %v of sending (not the wait for them)", res.Messages, res.Duration, d)
				}
				if n := len(res.Throughput); n > 0 && res.Throughput[n-1].At > res.Duration {
					t.Errorf("the throughput timeline goes on to %v, past the %v measured", res.Throughput[n-1].At, res.Duration)
				}
				return
			}
			if res.Messages == 0 || res.Duration < d {
				t.Errorf("%d messages over %v; want some, over at least the %v of sending", res.Messages, res.Duration, d)
			}
		})
	}
}

// Progress is called while the run goes on.
func TestProgress(t *testing.T) {
	calls := 0
	res := mustRun(t, Config{Addr: tcpServer(t, serveUpper), Duration: 600 * time.Millisecond,
		Progress: func(p Progress) {
			calls++
			if p.Messages < 0 || p.Errors != 0 {
				t.Errorf("progress %+v", p)
			}
		}})
	wantClean(t, res)
	if calls == 0 {
		t.Error("Progress never called in 600ms")
	}
}

// Bad configurations are refused with the field's name.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Conns: -1}, "Conns"},
		{Config{Size: -1}, "Size"},
		{Config{Size: MaxSize + 1}, "Size"},
		{Config{Pipeline: -2}, "Pipeline"},
		{Config{Duration: -time.Second}, "Duration"},
		{Config{Rate: -1}, "Rate"},
		{Config{UDP: true, Size: MaxDatagram + 1}, "UDP"},
		{Config{Expect: 7}, "Expect"},
	} {
		_, err := Run(context.Background(), tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Run(%+v) error %v; want one naming %s", tc.cfg, err, tc.want)
		}
	}
}

// Expect round-trips through its text form, as the --expect flag uses it.
func TestExpectText(t *testing.T) {
	for _, e := range []Expect{ExpectUpper, ExpectEcho, ExpectNone} {
		b, _ := e.MarshalText()
		var got Expect
		if err := got.UnmarshalText(b); err != nil || got != e {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", b, got, err, e)
		}
	}
	var e Expect
	if err := e.UnmarshalText([]byte("UPPER")); err == nil {
		t.Error(`UnmarshalText("UPPER") succeeded`)
	}
}

// The report of a run stopped early says when it stopped, against the
// plan; one whose last replies came after sending stopped says how long
// they took. (The wording is the feature: it is what tells a reader what
// the counts cover.)
func TestWriteTextWhatDurationCovers(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		interrupted                bool
		planned, sending, duration time.Duration
		want, not                  []string
	}{
		{"went its course", false, 2 * time.Second, 2 * time.Second, 2 * time.Second,
			[]string{"  duration     2.00 s\n"}, []string{"interrupted", "still in flight"}},
		{"replies in flight", false, 2 * time.Second, 2 * time.Second, 2130 * time.Millisecond,
			[]string{"  duration     2.13 s: load sent for 2.00 s, then replies still in flight came in over 0.13 s\n"}, []string{"interrupted"}},
		{"stopped", true, 4 * time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond,
			[]string{"  interrupted  stopped after 1.50 s of the planned 4.00 s\n", "  duration     1.50 s\n"}, nil},
		{"stopped before measuring", true, 4 * time.Second, 0, 0,
			[]string{"  interrupted  stopped before measuring started (opening the connections, or in the warmup): nothing was measured\n"}, nil},
		{"stopped waiting for replies", true, 4 * time.Second, 4 * time.Second, 4200 * time.Millisecond,
			[]string{"  interrupted  stopped after the planned 4.00 s, while waiting for the last replies\n"}, nil},
	} {
		res := &Result{Addr: "127.0.0.1:9", Network: "tcp", Conns: 1, ConnsOpened: 1, Pipeline: 1, Size: 16,
			Interrupted: tc.interrupted, Planned: tc.planned, Sending: tc.sending, Duration: tc.duration}
		var b strings.Builder
		if err := res.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, want := range tc.want {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s: the report has no %q:\n%s", tc.name, want, b.String())
			}
		}
		for _, not := range tc.not {
			if strings.Contains(b.String(), not) {
				t.Errorf("%s: the report says %q:\n%s", tc.name, not, b.String())
			}
		}
	}
}

// The text report puts a unit on every number.
func TestWriteText(t *testing.T) {
	res := mustRun(t, Config{Addr: tcpServer(t, serveUpper), Duration: 100 * time.Millisecond, Rate: 1000})
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{" msgs/s, ", " MB/s", "p50 ", " µs, p90 ", "p99.9 ", " max ", " s\n", "0 mismatches", "0 errors", "intended send time", "open loop at 1000 msgs/s"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report has no %q:\n%s", want, text)
		}
	}
	// Every number is followed by a unit or a word.
	if m := regexp.MustCompile(`\d[,)]|\d$`).FindString(text); m != "" {
		t.Errorf("a bare number (%q) in:\n%s", m, text)
	}
}

// A UDP run speaks of sockets, not connections: UDP has none.
func TestWriteTextUDPSockets(t *testing.T) {
	for _, tc := range []struct {
		network, want, not string
	}{
		{"udp", "3 sockets, ", "connection"},
		{"tcp", "3 connections, ", "socket"},
	} {
		res := &Result{Addr: "127.0.0.1:9", Network: tc.network, Conns: 3, ConnsOpened: 3, Pipeline: 1, Size: 16}
		var b strings.Builder
		if err := res.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if text := b.String(); !strings.Contains(text, tc.want) || strings.Contains(text, tc.not) {
			t.Errorf("%s report: want %q and no %q in:\n%s", tc.network, tc.want, tc.not, text)
		}
	}
}

// An open-loop run that stays well below the rate asked for says so.
func TestWriteTextRateNotReached(t *testing.T) {
	for _, tc := range []struct {
		rate, reached float64
		note          bool
	}{
		{100000, 12000, true},
		{1000, 995, false},
		{0, 12000, false}, // closed loop: no rate asked for
	} {
		res := &Result{Addr: "127.0.0.1:9", Network: "tcp", Conns: 1, ConnsOpened: 1, Pipeline: 1, Size: 16, Rate: tc.rate, MsgsPerSec: tc.reached}
		var b strings.Builder
		if err := res.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), "could not keep up"); got != tc.note {
			t.Errorf("rate %v, reached %v: a note %v; want %v:\n%s", tc.rate, tc.reached, got, tc.note, b.String())
		}
	}
}
