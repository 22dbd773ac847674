package bench

import (
	"encoding/json"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Result is what a run measured. Its JSON form is one object whose keys
// msgs_per_sec, mb_per_sec, p50_us, p99_us, p999_us, max_us, errors and
// mismatches are part of upcase's interface; the others are stable too.
type Result struct {
	// What was run.
	Addr        string   `json:"addr"`
	Network     string   `json:"network"` // tcp or udp
	Engine      Engine   `json:"engine"`  // epoll or goroutine
	Conns       int      `json:"conns"`   // connections (UDP: sockets) sending at once: Config.Conns
	Size        int      `json:"size"`    // bytes per message
	Pipeline    int      `json:"pipeline"`
	Rate        float64  `json:"rate"` // messages/s asked for; 0: closed loop
	Expect      Expect   `json:"expect"`
	MsgsPerConn int      `json:"msgs_per_conn"`    // 0: a connection lasts the run
	Source      []string `json:"source,omitempty"` // local addresses connections were opened from

	// Duration is the interval Messages, Bytes and the latencies cover,
	// over which MsgsPerSec and MBPerSec are computed: from when measuring
	// started (the end of the warmup, which starts once every connection is
	// open or has failed to open) until sending stopped (Sending), or until
	// the last reply counted came in, if later: the replies in flight when
	// sending stopped are awaited, up to Config.Timeout, and counted. Not in
	// it: opening the connections, waiting for replies that never came,
	// closing the connections. In JSON: duration_s.
	Duration time.Duration `json:"-"`
	// Sending is how long load was sent while measuring: from the end of
	// the warmup until the end of the run (Planned, when it went its
	// course) or until it was stopped (Interrupted). Zero when it was
	// stopped during the warmup. In JSON: sending_s.
	Sending time.Duration `json:"-"`
	// Planned is how long the run was to measure: Config.Duration. In
	// JSON: planned_s.
	Planned time.Duration `json:"-"`

	Sent       int64   `json:"sent"`     // messages sent, warmup included
	Messages   int64   `json:"messages"` // replies received and checked while measuring
	Bytes      int64   `json:"bytes"`    // their bytes, each way
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MBPerSec   float64 `json:"mb_per_sec"` // 10⁶ bytes/s, each way

	// Latency percentiles of Messages, in microseconds: from the intended
	// send time with a Rate, from the actual one without.
	P50us  float64 `json:"p50_us"`
	P90us  float64 `json:"p90_us"`
	P99us  float64 `json:"p99_us"`
	P999us float64 `json:"p999_us"`
	MaxUs  float64 `json:"max_us"`
	MeanUs float64 `json:"mean_us"`

	Errors       int64 `json:"errors"`        // failed reads and writes, missing replies
	Mismatches   int64 `json:"mismatches"`    // replies not as expected
	ConnFailures int64 `json:"conn_failures"` // connections that could not be opened (dials that failed)
	// Why connections failed, where the cause is likely, so that a test or
	// a script can tell a refusing server from a broken one. DialsRefused
	// and DialsTimedOut are connection failures: dials refused
	// (ECONNREFUSED: nothing listens there, or a firewall rejects), and
	// dials that timed out (no answer: a full listen backlog, or a
	// firewall that drops). ClosedBeforeReply are errors: connections the
	// server closed (FIN or reset) before any byte of a reply, as a server
	// does to the connections beyond its limit.
	DialsRefused      int64 `json:"dials_refused"`
	DialsTimedOut     int64 `json:"dials_timed_out"`
	ClosedBeforeReply int64 `json:"closed_before_reply"`
	// ConnsOpened is how many connections (UDP: sockets) were opened in
	// all: Conns at the start, and over TCP each one opened after
	// MsgsPerConn messages or after a failure.
	ConnsOpened int64 `json:"conns_opened"`
	// FailedConns lists the first maxFailedConns connections that failed,
	// whether they broke (an error) or could not be opened (a connection
	// failure); FailedConnsTotal counts all of them.
	FailedConns      []FailedConn `json:"failed_conns"`
	FailedConnsTotal int64        `json:"failed_conns_total"`
	Lost             int64        `json:"lost"` // UDP: no reply within the timeout
	Late             int64        `json:"late"` // UDP: replies that came after being counted lost
	FirstError       string       `json:"first_error,omitempty"`
	Interrupted      bool         `json:"interrupted"` // stopped early by its context

	// Throughput is the messages answered in each step of Config.Interval.
	Throughput []Sample `json:"throughput"`
	// Latency holds every latency measured, in nanoseconds.
	Latency *hdrhistogram.Histogram `json:"-"`
}

// Failed reports whether anything went wrong: an error, a mismatch, a
// connection that could not be opened, or a UDP run in which not one
// datagram was answered. Other lost UDP datagrams are a measurement, not a
// failure.
func (r *Result) Failed() bool {
	return r.Errors+r.Mismatches+r.ConnFailures > 0 || r.Silent()
}

// Silent reports whether a UDP run that went its course got no reply at all.
func (r *Result) Silent() bool {
	return r.Network == "udp" && !r.Interrupted && r.Sent > 0 && r.Messages+r.Late == 0
}

// MarshalJSON adds duration_s, sending_s and planned_s to the fields.
func (r Result) MarshalJSON() ([]byte, error) {
	type fields Result // without the method
	return json.Marshal(struct {
		fields
		DurationS float64 `json:"duration_s"`
		SendingS  float64 `json:"sending_s"`
		PlannedS  float64 `json:"planned_s"`
	}{fields(r), r.Duration.Seconds(), r.Sending.Seconds(), r.Planned.Seconds()})
}

// A FailedConn is a connection that failed: in JSON
// {"local":"127.0.0.2:40312","remote":"127.0.0.1:8080","at_s":1.25,"error":"…"}.
// Local is the connection's own address and port (what a server or a load
// balancer logs as the client); for a connection that could not be opened
// it is only the source address asked for, or empty. Remote is the address
// connected to, or the one given when the connection could not be opened.
// At is when it failed, since measuring started (negative in the warmup).
type FailedConn struct {
	Local  string        `json:"local"`
	Remote string        `json:"remote"`
	At     time.Duration `json:"-"`
	Error  string        `json:"error"`
}

// MarshalJSON writes f with At in seconds (at_s).
func (f FailedConn) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Local  string  `json:"local"`
		Remote string  `json:"remote"`
		AtS    float64 `json:"at_s"`
		Error  string  `json:"error"`
	}{f.Local, f.Remote, f.At.Seconds(), f.Error})
}

// A Sample is one step of the throughput timeline.
type Sample struct {
	At         time.Duration // the end of the step, since measuring started
	Messages   int64         // answered in the step
	MsgsPerSec float64       // Messages over the step's actual length
}

// MarshalJSON writes s with At in seconds: {"at_s":…,"messages":…,"msgs_per_sec":…}.
func (s Sample) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AtS        float64 `json:"at_s"`
		Messages   int64   `json:"messages"`
		MsgsPerSec float64 `json:"msgs_per_sec"`
	}{s.At.Seconds(), s.Messages, s.MsgsPerSec})
}

// result adds up the workers' counts and merges their histograms, once
// every worker has ended.
func (r *run) result(ws []*worker, samples []Sample) *Result {
	cfg := r.cfg
	res := &Result{
		Addr: cfg.Addr, Network: cfg.network(), Conns: cfg.Conns, Size: cfg.Size,
		Engine:   cfg.Engine,
		Pipeline: cfg.Pipeline, Rate: cfg.Rate, Expect: cfg.Expect, MsgsPerConn: cfg.MsgsPerConn,
		Interrupted: r.stop.Load(),
		Throughput:  samples,
		Latency:     newHistogram(),
	}
	if res.Throughput == nil {
		res.Throughput = []Sample{}
	}
	for _, a := range cfg.Source {
		res.Source = append(res.Source, a.String())
	}
	r.failMu.Lock()
	res.FailedConns = append([]FailedConn{}, r.failedConns...)
	res.FailedConnsTotal = r.failedTotal
	r.failMu.Unlock()
	seen := make(map[*tally]bool, len(r.tallies))
	for _, w := range ws {
		if w.refused { // UDP: refused before any reply; it counted nothing else (udpFlight.settle)
			res.ConnFailures++
		}
		t := w.tally
		if seen[t] { // an event loop's, counted with its first worker
			continue
		}
		seen[t] = true
		res.ConnsOpened += t.opened.Load()
		res.DialsRefused += t.dialsRefused.Load()
		res.DialsTimedOut += t.dialsTimedOut.Load()
		res.ClosedBeforeReply += t.closedBeforeReply.Load()
		res.ConnFailures += t.connFailures.Load()
		if r.loops == nil && (w.refused || cfg.UDP && w.dialErr != nil) { // a socket's own tally, and it never carried load
			continue
		}
		res.Sent += t.sent
		res.Messages += t.done.Load()
		res.Errors += t.errs.Load()
		res.Mismatches += t.mismatches.Load()
		res.Lost += t.lost
		res.Late += t.late
		res.Latency.Merge(t.hist)
	}
	if err := firstError(ws); err != nil {
		res.FirstError = err.Error()
	}
	res.Planned = cfg.Duration
	res.Sending = time.Duration(max(r.stopped-r.measure, 0))
	res.Duration = time.Duration(max(r.measured()-r.measure, 0))
	res.Bytes = res.Messages * int64(cfg.Size)
	if s := res.Duration.Seconds(); s > 0 {
		res.MsgsPerSec = float64(res.Messages) / s
		res.MBPerSec = float64(res.Bytes) / s / 1e6
	}
	h := res.Latency
	if h.TotalCount() > 0 {
		us := func(ns int64) float64 { return float64(ns) / 1e3 }
		res.P50us = us(h.ValueAtQuantile(50))
		res.P90us = us(h.ValueAtQuantile(90))
		res.P99us = us(h.ValueAtQuantile(99))
		res.P999us = us(h.ValueAtQuantile(99.9))
		res.MaxUs = us(h.Max())
		res.MeanUs = h.Mean() / 1e3
	}
	return res
}
