package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// A worker is one connection's load: its socket, its place in the payload,
// its schedule and what it measured. The goroutine running it (and, when
// pipelining, its writer) are the only ones to touch its plain fields until
// it ends; the sampler reads the atomic counters while it runs.
type worker struct {
	r     *run
	id    int
	off   int64 // where this connection starts in the payload
	open  bool  // open loop: send by sched
	sched schedule
	hist  *hdrhistogram.Histogram
	tick  chan struct{} // open loop: the pacer released messages (capacity 1)

	conn    net.Conn // nil if dialling failed
	dialErr error

	sent     int64 // messages sent (entirely written)
	lost     int64 // UDP: no reply within the timeout
	late     int64 // UDP: a reply that came after its message was counted lost
	refused  bool  // UDP: refused before any reply: a connection failure
	finished int64 // when the worker ended, ns after the epoch

	mu       sync.Mutex // guards firstErr: a pipelined worker has two goroutines
	firstErr error

	_          [64]byte     // keep the counters off other workers' cache lines
	done       atomic.Int64 // replies received and checked since measuring started
	mismatches atomic.Int64
	errs       atomic.Int64
	released   atomic.Int64 // open loop: messages the pacer has released
	_          [64]byte
}

func newWorker(r *run, i int) *worker {
	w := &worker{r: r, id: i, off: r.pay.start(i), hist: newHistogram()}
	if r.cfg.Rate > 0 {
		w.open = true
		w.sched = newSchedule(r.cfg.Rate, r.cfg.Conns, i)
		w.tick = make(chan struct{}, 1)
	}
	return w
}

// run sends and receives until the end of the run, a failure or r.stop.
func (w *worker) run(ctx context.Context) {
	defer func() { w.finished = w.r.now() }()
	cfg := w.r.cfg
	switch {
	case cfg.UDP:
		w.udp(ctx)
	case cfg.Pipeline == 1 && cfg.Size <= maxChunk:
		w.pingPong(ctx)
	default:
		w.pipelined(ctx)
	}
}

// record counts a reply received at now to a message meant to be sent at
// intended, if measuring has started.
func (w *worker) record(intended, now int64) bool {
	if now < w.r.measure {
		return false
	}
	w.hist.RecordValue(min(max(now-intended, minLatency), maxLatency))
	return true
}

// fail counts err as an error of this connection, and keeps the first.
func (w *worker) fail(err error) {
	w.errs.Add(1)
	w.mu.Lock()
	if w.firstErr == nil {
		w.firstErr = fmt.Errorf("connection %d: %w", w.id+1, err)
	}
	w.mu.Unlock()
}

// ioError is a failed read or write on the connection to addr, as one line
// in plain words: "read from 127.0.0.1:8080: connection reset by peer". It
// wraps the cause.
func ioError(op, addr string, err error) error {
	var errno syscall.Errno
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s %s: the server closed the connection (%w)", op, addr, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("%s %s: %w", op, addr, err)
	case errors.As(err, &errno):
		return fmt.Errorf("%s %s: %w", op, addr, errno)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	return fmt.Errorf("%s %s: %w", op, addr, err)
}

// firstError is the first failure of any worker, dialling included.
func firstError(ws []*worker) error {
	for _, w := range ws {
		if w.dialErr != nil {
			return w.dialErr
		}
		w.mu.Lock()
		err := w.firstErr
		w.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
