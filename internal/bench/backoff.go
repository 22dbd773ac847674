package bench

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"
)

// Over TCP a worker whose connection fails, or cannot be opened, dials
// again after a back-off. Two things pace those redials.
//
// Each worker waits a random time (full jitter, so that connections that
// failed together do not come back together) below a ceiling that doubles
// from minBackoff to maxBackoff while its connections get no reply, and
// starts again from minBackoff once one is answered.
//
// That alone still lets a thousand workers dial a server that refuses them
// thousands of times a second. So the whole run shares a budget for the
// redials that follow a failure without a reply (a dial that failed, or a
// connection closed or broken before its first reply): each takes a token
// from a bucket that holds redialBurst, starts full and gains redialRate a
// second, and a worker that finds it empty waits another back-off instead.
// Against a server that answers nothing, a run therefore opens at most
// Conns + redialBurst + redialRate × (Warmup + Duration) connections,
// whatever Conns is. A server that comes back is dialled again within
// maxBackoff; each redialled connection it answers gives redialRefund
// tokens back, so the other workers follow at once rather than at
// redialRate. Redials after a connection that was answered (the server
// closed it after some replies, say) take no token: the server is working.
const (
	minBackoff   = 10 * time.Millisecond
	maxBackoff   = time.Second
	redialRate   = 100 // tokens a second
	redialBurst  = 100
	redialRefund = 2
)

// redialBudget is the run's token bucket for redials after failures
// without a reply. Times are ns after the run's epoch. It is safe for
// concurrent use.
type redialBudget struct {
	mu     sync.Mutex
	tokens float64
	at     int64 // when tokens was last brought up to date
}

func newRedialBudget() *redialBudget { return &redialBudget{tokens: redialBurst} }

// take takes a token at now, if there is one, and reports whether it did.
func (b *redialBudget) take(now int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// refund gives back tokens at now for a redialled connection that was
// answered: the server works again, and the workers still backing off may
// dial it.
func (b *redialBudget) refund(now int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fill(now)
	b.tokens = min(b.tokens+redialRefund, redialBurst)
}

// fill adds the tokens gained since b.at, up to redialBurst. Callers may
// come out of order: time never goes back for b.
func (b *redialBudget) fill(now int64) {
	if now > b.at {
		b.tokens = min(b.tokens+float64(now-b.at)*redialRate/float64(time.Second), redialBurst)
		b.at = now
	}
}

// pause waits out the back-off after a failure: a random time below the
// worker's ceiling, which then doubles up to maxBackoff. False means the
// run ended or was stopped meanwhile.
func (w *worker) pause() bool {
	r := w.r
	ceiling := max(w.backoff, minBackoff)
	w.backoff = min(2*ceiling, maxBackoff)
	left := time.Duration(r.end - r.now())
	if left <= 0 {
		return false
	}
	t := time.NewTimer(min(rand.N(ceiling), left))
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.stopCtx.Done():
		return false
	}
	return !r.stop.Load() && r.now() < r.end
}

// answered is called at the first reply on a connection: the back-off
// starts again from minBackoff, and if the worker was failing, the token
// its dial took goes back to the run's budget with more.
func (w *worker) answered() {
	w.backoff = 0
	if w.failing {
		w.failing = false
		w.r.redials.refund(w.r.now())
	}
}

// dialFailed counts a dial that failed, by its likely cause; the worker's
// next dial takes a token.
func (w *worker) dialFailed(err error) {
	w.connFailures.Add(1)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		w.dialsRefused.Add(1)
	case timedOut(err):
		w.dialsTimedOut.Add(1)
	}
	w.failing = true
}

// countClose counts a connection that failed with err before any byte of
// a reply came on it (replied false) if the server closed it, by FIN or
// reset: most likely a server that accepts connections only to refuse
// them.
func (w *worker) countClose(err error, replied bool) {
	if !replied && closedByServer(err) {
		w.closedBeforeReply.Add(1)
	}
}

// closedByServer reports whether err is the server ending the connection:
// its FIN (io.EOF), or its reset (ECONNRESET; EPIPE when writing after it).
func closedByServer(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// timedOut reports whether a dial's err is a timeout: the dialler's own
// limit, or the kernel giving up after its SYNs went unanswered.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, syscall.ETIMEDOUT) || errors.As(err, &ne) && ne.Timeout()
}
