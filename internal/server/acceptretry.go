package server

import (
	"log/slog"
	"time"
)

// Accept errors that are not a closed listener (EMFILE, ENFILE, ENOBUFS,
// ...) end neither engine: it waits and tries again. While the shortage
// lasts a connection closing elsewhere lets one accept succeed and the next
// fail, so the back-off is forgotten only after a quiet acceptQuiet, not at
// the first success: starting again from 5 ms each time retried (and
// logged) hundreds of times a second.
const (
	acceptFirstDelay = 5 * time.Millisecond
	acceptMaxDelay   = time.Second
	acceptQuiet      = time.Second
)

// acceptRetry is one listener's (or event loop's) accept back-off. Only
// its accepting goroutine uses it.
type acceptRetry struct {
	delay   time.Duration // the wait after the last error; 0 while all is well
	lastErr time.Time
}

// failed records an accept error at now and returns how long to wait
// before accepting again: from acceptFirstDelay, doubling up to
// acceptMaxDelay while errors go on.
func (a *acceptRetry) failed(now time.Time) time.Duration {
	a.delay = min(max(2*a.delay, acceptFirstDelay), acceptMaxDelay)
	a.lastErr = now
	return a.delay
}

// accepted records a successful accept at now: the back-off is forgotten
// once no error has come for acceptQuiet.
func (a *acceptRetry) accepted(now time.Time) {
	if a.delay > 0 && now.Sub(a.lastErr) >= acceptQuiet {
		a.delay = 0
	}
}

// acceptFailed reports an accept error on addr to the operator: at most one
// line a second, with the count (tallyLog).
func (s *Server) acceptFailed(addr string, err error, retry time.Duration) {
	s.tallies().add("accept:"+addr, slog.LevelError, "accept failed; retrying", "addr", addr, "err", err, "retry_in", retry)
}
