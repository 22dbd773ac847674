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
	Addr     string  `json:"addr"`
	Network  string  `json:"network"` // tcp or udp
	Conns    int     `json:"conns"`
	Size     int     `json:"size"` // bytes per message
	Pipeline int     `json:"pipeline"`
	Rate     float64 `json:"rate"` // messages/s asked for; 0: closed loop
	Expect   Expect  `json:"expect"`

	// Duration is how long measuring lasted: from the end of the warmup to
	// the last reply (or the interruption). In JSON: duration_s.
	Duration   time.Duration `json:"-"`
	Sent       int64         `json:"sent"`     // messages sent, warmup included
	Messages   int64         `json:"messages"` // replies received and checked while measuring
	Bytes      int64         `json:"bytes"`    // their bytes, each way
	MsgsPerSec float64       `json:"msgs_per_sec"`
	MBPerSec   float64       `json:"mb_per_sec"` // 10⁶ bytes/s, each way

	// Latency percentiles of Messages, in microseconds: from the intended
	// send time with a Rate, from the actual one without.
	P50us  float64 `json:"p50_us"`
	P90us  float64 `json:"p90_us"`
	P99us  float64 `json:"p99_us"`
	P999us float64 `json:"p999_us"`
	MaxUs  float64 `json:"max_us"`
	MeanUs float64 `json:"mean_us"`

	Errors       int64  `json:"errors"`        // failed reads and writes, missing replies
	Mismatches   int64  `json:"mismatches"`    // replies not as expected
	ConnFailures int64  `json:"conn_failures"` // connections that could not be opened
	Lost         int64  `json:"lost"`          // UDP: no reply within the timeout
	Late         int64  `json:"late"`          // UDP: replies that came after being counted lost
	FirstError   string `json:"first_error,omitempty"`
	Interrupted  bool   `json:"interrupted"` // stopped early by its context

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

// MarshalJSON adds duration_s to the fields.
func (r Result) MarshalJSON() ([]byte, error) {
	type fields Result // without the method
	return json.Marshal(struct {
		fields
		DurationS float64 `json:"duration_s"`
	}{fields(r), r.Duration.Seconds()})
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

// result adds up the workers' counts and merges their histograms.
func (r *run) result(ws []*worker, samples []Sample) *Result {
	cfg := r.cfg
	res := &Result{
		Addr: cfg.Addr, Network: cfg.network(), Conns: cfg.Conns, Size: cfg.Size,
		Pipeline: cfg.Pipeline, Rate: cfg.Rate, Expect: cfg.Expect,
		Interrupted: r.stop.Load(),
		Throughput:  samples,
		Latency:     newHistogram(),
	}
	if res.Throughput == nil {
		res.Throughput = []Sample{}
	}
	var last int64
	for _, w := range ws {
		if w.dialErr != nil || w.refused {
			res.ConnFailures++
			continue
		}
		last = max(last, w.finished)
		res.Sent += w.sent
		res.Messages += w.done.Load()
		res.Errors += w.errs.Load()
		res.Mismatches += w.mismatches.Load()
		res.Lost += w.lost
		res.Late += w.late
		res.Latency.Merge(w.hist)
	}
	if err := firstError(ws); err != nil {
		res.FirstError = err.Error()
	}
	res.Duration = time.Duration(max(last-r.measure, 0))
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
