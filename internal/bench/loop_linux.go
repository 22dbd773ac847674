package bench

import (
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/upcase/upcase/internal/netpoll"
)

const epollSupported = true

// loops is the epoll engine: one event loop per CPU Run may use, the
// connections dealt out to them in turn.
type loops struct {
	all []*loop
}

// The loops' descriptors are closed by Run once every loop and redialer
// has ended (close), never by a loop itself: a late Wake must not write to
// a descriptor number that has been reused.

// newLoops makes the event loops of r, and their tallies.
func newLoops(r *run) (*loops, error) {
	ls := &loops{}
	for range min(runtime.GOMAXPROCS(0), r.cfg.Conns) {
		l, err := newLoop(r)
		if err != nil {
			ls.close()
			return nil, fmt.Errorf("bench: %w", err)
		}
		ls.all = append(ls.all, l)
		r.tallies = append(r.tallies, l.t)
	}
	return ls, nil
}

// place makes connection i's worker, on its loop.
func (ls *loops) place(i int) *worker { return ls.all[i%len(ls.all)].place(i) }

// take takes over the socket of the connection w has just opened (w.conn),
// from the goroutine that dialled it.
func (ls *loops) take(w *worker) error {
	fd, err := w.lc.take()
	w.lc.fd = fd // the loops have not started: the dialling goroutine owns c
	return err
}

// start has the loops take on their workers, the connections open and the
// ones whose dial failed (to dial again after a back-off), and starts the
// loops, and later their redialers, in wg.
func (ls *loops) start(ws []*worker, wg *sync.WaitGroup) {
	for _, l := range ls.all {
		l.wg = wg
		for _, c := range l.mine {
			switch {
			case c.fd >= 0:
				l.register(c)
			case c.u != nil: // a UDP socket is not opened again
				l.active--
			default:
				l.redial(c, true)
			}
		}
	}
	for _, l := range ls.all {
		wg.Go(l.run)
	}
}

// wake makes every loop look at the run's state: it was stopped.
func (ls *loops) wake() {
	for _, l := range ls.all {
		l.poll.Wake()
	}
}

// close closes the loops' descriptors, once they have ended or if they
// never started.
func (ls *loops) close() {
	for _, l := range ls.all {
		for _, h := range l.back { // given back to a loop that failed
			if h.fd >= 0 {
				unix.Close(h.fd)
			}
		}
		l.closeFDs()
	}
}

// A loop is one event loop: one goroutine, one poller, the connections
// given to it, one read buffer and one tally for all of them. Only its
// goroutine touches its fields, except back (under mu) and the poller's
// Wake.
type loop struct {
	r      *run
	t      *tally
	poll   *netpoll.Poller
	timer  int      // a timerfd: the end of the run, its last call, the next release
	armed  int64    // when the timer is set for, ns after the epoch; -1: not set
	expiry [8]byte  // the timer's count, read when it fires (a field: on the stack it would escape)
	mono   int64    // CLOCK_MONOTONIC at the epoch, for the timer
	buf    []byte   // TCP: the read buffer every connection shares
	udp    *udpLoop // UDP: the buffers every socket shares, and the timer for lost datagrams
	conns  []*lconn // on the loop, by file descriptor
	mine   []*lconn // every connection given to the loop, in the schedule's order
	now    int64    // when the current batch of events came in
	done   int64    // replies counted since the last flush to t.done
	size   int64    // Config.Size
	depth  int64    // Config.Pipeline
	limit  int64    // Config.MsgsPerConn

	// active is the workers not yet ended: on the loop, or away being
	// dialled again. The loop ends when it is zero.
	active int
	// ended: the run's end has passed, no message is sent any more;
	// lastCall: the replies' time is up too.
	ended, lastCall bool
	// dead: the loop failed (fail) and ends; its workers end with it.
	dead bool
	// The open-loop schedule: the next message to release is message
	// round of mine[next], at release (ns after the epoch).
	round   int64
	next    int
	release int64
	paced   bool // the schedule has ended

	wg   *sync.WaitGroup // Run's: the redialers run in it
	mu   sync.Mutex
	back []handback // from redialers: a new connection, or none (the worker ends)
}

func newLoop(r *run) (*loop, error) {
	cfg := r.cfg
	l := &loop{
		r: r, t: newTally(), timer: -1, armed: -1,
		conns: make([]*lconn, 64),
		size:  int64(cfg.Size), depth: int64(cfg.Pipeline), limit: int64(cfg.MsgsPerConn),
		paced: cfg.Rate == 0,
	}
	if cfg.UDP {
		l.udp = newUDPLoop(cfg.Size, cfg.Pipeline)
	} else {
		l.buf = make([]byte, maxChunk)
	}
	var err error
	if l.poll, err = netpoll.Open(); err != nil {
		return nil, err
	}
	if l.timer, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC); err != nil {
		l.closeFDs()
		return nil, fmt.Errorf("timerfd_create: %w", err)
	}
	if err := l.poll.WatchRead(l.timer); err != nil {
		l.closeFDs()
		return nil, err
	}
	return l, nil
}

func (l *loop) closeFDs() {
	if l.timer >= 0 {
		unix.Close(l.timer)
		l.timer = -1
	}
	l.poll.Close()
}

// run is the event loop. It ends when every worker given to it has ended.
func (l *loop) run() {
	r := l.r
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	l.now = r.now()
	l.mono = ts.Nano() - l.now
	if !l.paced {
		l.release = l.mine[0].at(0)
	}
	for _, c := range l.mine {
		if c.fd >= 0 {
			l.fill(c)
		}
	}
	l.tick()
	for l.active > 0 {
		l.arm()
		events, err := l.poll.Wait(-1)
		l.now = r.now()
		if err != nil {
			l.fail(err) // only a bug can cause this: end every connection
			return
		}
		l.passEnd() // before any event: no message is sent after the end
		if l.poll.Woken() {
			l.takeBack()
		}
		for i := range events {
			ev := &events[i]
			fd := int(ev.Fd)
			if fd == l.timer {
				unix.Read(l.timer, l.expiry[:])
				l.armed = -1
				continue
			}
			if fd < len(l.conns) && l.conns[fd] != nil {
				l.handle(l.conns[fd], ev.Events)
			}
		}
		l.tick()
	}
}

// tick does what is due at l.now: stopping, releasing the schedule's
// messages, judging lost datagrams, the end of the run and the end of
// waiting for replies.
func (l *loop) tick() {
	r := l.r
	if l.done > 0 {
		l.t.done.Add(l.done)
		l.done = 0
	}
	if r.stop.Load() {
		for _, c := range l.conns {
			if c != nil {
				l.end(c, endRun)
			}
		}
		l.ended, l.lastCall = true, true // nothing is due any more: the timer is disarmed
		return
	}
	for !l.paced && l.release <= l.now {
		c := l.mine[l.next]
		if l.release >= r.end {
			l.paced = true
			break
		}
		c.released.Store(l.round + 1)
		if c.fd >= 0 {
			l.fill(c)
		}
		if l.next++; l.next == len(l.mine) {
			l.next, l.round = 0, l.round+1
		}
		l.release = l.mine[l.next].at(l.round)
	}
	if l.udp != nil && l.udp.lossAt >= 0 && l.udp.lossAt <= l.now && !l.lastCall {
		l.scanUDP()
	}
	l.passEnd()
	if l.ended && !l.lastCall && l.now >= r.end+int64(r.cfg.Timeout) {
		l.lastCall = true
		for _, c := range l.conns {
			if c != nil {
				l.lateReplies(c)
			}
		}
	}
}

// passEnd marks the run's end once l.now has reached it: from then on no
// message is sent, and a connection with nothing in flight is closed.
func (l *loop) passEnd() {
	if l.ended || l.now < l.r.end {
		return
	}
	l.ended = true
	for _, c := range l.conns {
		if c != nil && c.idle() {
			l.end(c, endRun)
		}
	}
}

// arm sets the timer for the next thing due (the end of the run, its last
// call, the next release, a lost datagram), if that changed: a system call
// only when it did.
func (l *loop) arm() {
	r := l.r
	next := int64(-1)
	switch {
	case !l.ended:
		next = r.end
		if !l.paced {
			next = min(next, l.release)
		}
	case !l.lastCall:
		next = r.end + int64(r.cfg.Timeout)
	}
	if l.udp != nil && l.udp.lossAt >= 0 && !l.lastCall {
		next = min(next, l.udp.lossAt)
	}
	if next == l.armed {
		return
	}
	var spec unix.ItimerSpec
	if next >= 0 {
		spec.Value = unix.NsecToTimespec(max(l.mono+next, 1))
	}
	unix.TimerfdSettime(l.timer, unix.TFD_TIMER_ABSTIME, &spec, nil)
	l.armed = next
}

// fail ends every connection of a loop that cannot go on, each counted as
// an error; the other loops go on. Workers away dialling come back to a
// loop that no longer runs: Run closes what they opened (loops.close).
func (l *loop) fail(err error) {
	l.dead = true
	for _, c := range l.conns {
		if c != nil {
			c.fail(fmt.Errorf("event loop: %w", err))
			l.end(c, endRun)
		}
	}
	if l.done > 0 {
		l.t.done.Add(l.done)
		l.done = 0
	}
}

// redial has w dial again in a goroutine of its own, after a back-off
// when the connection failed, take over the new socket, and give it back
// to the loop.
func (l *loop) redial(c *lconn, pause bool) {
	w := &c.worker
	l.wg.Go(func() {
		fd := -1
		for (!pause || w.pause()) && w.redial() {
			var err error
			if fd, err = c.take(); err == nil {
				break
			}
			// Opened, but not taken over (no descriptor left to
			// duplicate it with): a connection failure, as a dial that
			// failed, and another try after a back-off.
			w.dialFailed(err)
			w.keepFirst(err)
			w.r.addFailed("", w.r.addr, err)
			fd, pause = -1, true
		}
		l.mu.Lock()
		l.back = append(l.back, handback{c, fd})
		l.mu.Unlock()
		l.poll.Wake()
	})
}

// A handback is a worker back from dialling, with the descriptor of its
// new connection, or -1.
type handback struct {
	c  *lconn
	fd int
}

// takeBack puts on the loop the connections the redialers opened, and
// ends the workers whose redialer gave up.
func (l *loop) takeBack() {
	l.mu.Lock()
	back := l.back
	l.back = nil
	l.mu.Unlock()
	for _, h := range back {
		c := h.c
		c.fd = h.fd
		if c.fd >= 0 && (l.ended || l.r.stop.Load()) {
			unix.Close(c.fd) // dialled before the end, open after it: nothing to send
			c.fd = -1
		}
		if c.fd < 0 {
			l.active--
			continue
		}
		if l.register(c) {
			l.fill(c)
		}
	}
}

// register puts c, whose socket the loop now owns, on the loop. It reports
// whether c is on it.
func (l *loop) register(c *lconn) bool {
	fd := c.fd
	c.start(fd)
	for fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*lconn, len(l.conns))...)
	}
	l.conns[fd] = c
	if err := l.poll.WatchRead(fd); err != nil {
		c.fail(err)
		l.end(c, endRun)
		return false
	}
	return true
}

// take takes over the socket of the connection the worker has just opened,
// and returns a duplicate of its descriptor; the net.Conn is closed.
func (c *lconn) take() (int, error) {
	w := &c.worker
	w.mu.Lock()
	conn := w.conn
	w.conn = nil
	w.mu.Unlock()
	defer conn.Close()
	rc, err := socketOf(conn)
	if err != nil {
		return -1, err
	}
	fd := -1
	var dupErr error
	if err := rc.Control(func(s uintptr) {
		fd, dupErr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return -1, fmt.Errorf("take over the connection: %w", err)
	}
	if dupErr != nil {
		return -1, fmt.Errorf("take over the connection: dup: %w", dupErr)
	}
	return fd, nil
}
