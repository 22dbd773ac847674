// Command loadgen is bench/compare's stand-in load generator, used only when
// `upcase bench` is not there (or with -loadgen=builtin). It speaks the same
// contract as `upcase bench --json`:
//
//	loadgen --json --addr=host:port --conns=N --size=B --duration=D --pipeline=P
//
// and prints one JSON object with messages, msgs_per_sec, mb_per_sec,
// p50_us, p99_us, p999_us, max_us, errors and mismatches.
//
// Each of N connections keeps P messages of B lowercase bytes in flight
// (P=1: ping-pong) for D, and checks that every reply is its message
// upper-cased. A message's latency runs from just before its write to the
// arrival of its reply's last byte. All connections are opened before the
// clock starts.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Result is the JSON printed; the field names are the upcase bench contract.
type Result struct {
	Messages   int64   `json:"messages"`
	Sent       int64   `json:"sent"` // the same: there is no warm-up
	MsgsPerSec float64 `json:"msgs_per_sec"`
	MBPerSec   float64 `json:"mb_per_sec"`
	P50us      float64 `json:"p50_us"`
	P99us      float64 `json:"p99_us"`
	P999us     float64 `json:"p999_us"`
	Maxus      float64 `json:"max_us"`
	Errors     int64   `json:"errors"`
	Mismatches int64   `json:"mismatches"`
	Seconds    float64 `json:"seconds"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	addr := fs.String("addr", "127.0.0.1:8080", "server host:port")
	conns := fs.Int("conns", 1, "connections")
	size := fs.Int("size", 16, "message size in bytes")
	dur := fs.Duration("duration", 5*time.Second, "how long to send")
	pipeline := fs.Int("pipeline", 1, "messages in flight per connection")
	dialTimeout := fs.Duration("dial-timeout", 30*time.Second, "bound on opening all connections")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *conns < 1 || *size < 1 || *pipeline < 1 || *dur <= 0 {
		fmt.Fprintln(stderr, "loadgen: --conns, --size, --pipeline and --duration must be positive")
		return 2
	}
	res, err := load(*addr, *conns, *size, *pipeline, *dur, *dialTimeout)
	if err != nil {
		fmt.Fprintln(stderr, "loadgen:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		_ = enc.Encode(res)
	} else {
		fmt.Fprintf(stdout, "%d msgs in %.2fs: %.0f msgs/s, %.2f MB/s, p50 %.1fµs p99 %.1fµs p99.9 %.1fµs max %.1fµs, %d errors, %d mismatches\n",
			res.Messages, res.Seconds, res.MsgsPerSec, res.MBPerSec, res.P50us, res.P99us, res.P999us, res.Maxus, res.Errors, res.Mismatches)
	}
	return 0
}

func load(addr string, nconns, size, pipeline int, dur, dialTimeout time.Duration) (Result, error) {
	msg := make([]byte, size)
	want := make([]byte, size)
	for i := range msg {
		msg[i] = byte('a' + i%26)
		want[i] = byte('A' + i%26)
	}

	// Open every connection first, 16 at a time, bounded by dialTimeout.
	cs := make([]net.Conn, nconns)
	var dialErr atomic.Value
	deadline := time.Now().Add(dialTimeout)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d := net.Dialer{Deadline: deadline}
			c, err := d.Dial("tcp", addr)
			if err != nil {
				dialErr.Store(err)
				return
			}
			cs[i] = c
		}()
	}
	wg.Wait()
	closeAll := func() {
		for _, c := range cs {
			if c != nil {
				c.Close()
			}
		}
	}
	if err, _ := dialErr.Load().(error); err != nil {
		closeAll()
		return Result{}, fmt.Errorf("opening %d connections: %w", nconns, err)
	}

	var errs, mismatches atomic.Int64
	hists := make([]Hist, nconns)
	counts := make([]int64, nconns)
	start := time.Now()
	stop := start.Add(dur)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A connection that stalls past the end is cut off.
			_ = c.SetDeadline(stop.Add(10 * time.Second))
			var n, bad int64
			var err error
			if pipeline == 1 {
				n, bad, err = pingPong(c, msg, want, stop, &hists[i])
			} else {
				n, bad, err = pipelined(c, msg, want, pipeline, stop, &hists[i])
			}
			counts[i] = n
			mismatches.Add(bad)
			if err != nil {
				errs.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	closeAll()

	var h Hist
	var total int64
	for i := range hists {
		h.Merge(&hists[i])
		total += counts[i]
	}
	secs := elapsed.Seconds()
	return Result{
		Messages:   total,
		Sent:       total,
		MsgsPerSec: float64(total) / secs,
		MBPerSec:   float64(total) * float64(size) / secs / 1e6,
		P50us:      h.Quantile(0.50) / 1e3,
		P99us:      h.Quantile(0.99) / 1e3,
		P999us:     h.Quantile(0.999) / 1e3,
		Maxus:      float64(h.Max) / 1e3,
		Errors:     errs.Load(),
		Mismatches: mismatches.Load(),
		Seconds:    secs,
	}, nil
}

func pingPong(c net.Conn, msg, want []byte, stop time.Time, h *Hist) (n, bad int64, err error) {
	got := make([]byte, len(msg))
	for time.Now().Before(stop) {
		t := time.Now()
		if _, err = c.Write(msg); err != nil {
			return n, bad, err
		}
		if _, err = io.ReadFull(c, got); err != nil {
			return n, bad, err
		}
		h.Record(time.Since(t).Nanoseconds())
		n++
		if !bytes.Equal(got, want) {
			bad++
		}
	}
	return n, bad, nil
}

// pipelined keeps up to depth (at least 2) messages in flight: the writer
// queues each message's send time before writing it and the reader takes one
// off before reading its reply, so the queue's depth-1 plus the one being
// read is the window.
func pipelined(c net.Conn, msg, want []byte, depth int, stop time.Time, h *Hist) (n, bad int64, err error) {
	sent := make(chan time.Time, depth-1)
	werr := make(chan error, 1)
	go func() {
		defer close(sent)
		for time.Now().Before(stop) {
			sent <- time.Now()
			if _, err := c.Write(msg); err != nil {
				werr <- err
				return
			}
		}
		werr <- nil
	}()
	got := make([]byte, len(msg))
	for t := range sent {
		if _, err = io.ReadFull(c, got); err != nil {
			// Unblock the writer and let it finish.
			_ = c.SetDeadline(time.Now())
			for range sent {
			}
			return n, bad, err
		}
		h.Record(time.Since(t).Nanoseconds())
		n++
		if !bytes.Equal(got, want) {
			bad++
		}
	}
	return n, bad, <-werr
}

// Hist is a log-linear latency histogram in nanoseconds: values below 64
// exactly, above that 32 buckets per power of two (about 3% resolution).
type Hist struct {
	Counts [64 * 32]int64
	Total  int64
	Max    int64
}

func bucket(v int64) int {
	if v < 64 {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - 6 // v>>e is in [32, 63]
	return 32*(e+1) + int(v>>e) - 32
}

// bucketLow is the smallest value that falls in bucket i.
func bucketLow(i int) int64 {
	if i < 64 {
		return int64(i)
	}
	e := i/32 - 1
	m := int64(i%32 + 32)
	return m << e
}

// Record adds one value.
func (h *Hist) Record(v int64) {
	i := bucket(v)
	if i >= len(h.Counts) {
		i = len(h.Counts) - 1
	}
	h.Counts[i]++
	h.Total++
	if v > h.Max {
		h.Max = v
	}
}

// Merge adds o's values to h.
func (h *Hist) Merge(o *Hist) {
	for i, c := range o.Counts {
		h.Counts[i] += c
	}
	h.Total += o.Total
	if o.Max > h.Max {
		h.Max = o.Max
	}
}

// Quantile is the value at quantile q (0..1): the middle of its bucket,
// at most Max.
func (h *Hist) Quantile(q float64) float64 {
	if h.Total == 0 {
		return 0
	}
	rank := int64(q*float64(h.Total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen int64
	for i, c := range h.Counts {
		seen += c
		if seen >= rank {
			lo := bucketLow(i)
			hi := bucketLow(i + 1)
			mid := float64(lo+hi-1) / 2
			if mid > float64(h.Max) {
				mid = float64(h.Max)
			}
			return mid
		}
	}
	return float64(h.Max)
}
