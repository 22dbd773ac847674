//go:build linux

package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/upcase/upcase/internal/netpoll"
)

const epollSupported = true

// serveEpoll serves tl's connections from one event loop per CPU (GOMAXPROCS),
// each with its own epoll set and its own copy of the listening socket, so
// that the kernel spreads new connections over the loops (EPOLLEXCLUSIVE)
// and a connection stays on the loop that accepted it. It returns once the
// listener is closed; the loops go on serving their connections until those
// end, and Shutdown and Close wait for them through s.wg.
func (s *Server) serveEpoll(tl *net.TCPListener) error {
	n := runtime.GOMAXPROCS(0)
	g := &loopGroup{ln: tl, stopped: make(chan struct{})}
	for range n {
		l, err := newLoop(s, g, n > 1)
		if err != nil {
			g.Close()
			return fmt.Errorf("serve on %s: %w", tl.Addr(), err)
		}
		g.loops = append(g.loops, l)
	}
	release, ok := s.own(g) // shutdown closes g: the loops stop accepting
	if !ok {
		return ErrServerClosed
	}
	defer release()

	s.mu.Lock()
	if s.inShutdown {
		s.mu.Unlock()
		return ErrServerClosed
	}
	if s.loops == nil {
		s.loops = make(map[drainer]struct{})
	}
	for _, l := range g.loops {
		s.loops[l] = struct{}{}
		s.wg.Add(1)
		l.running.Store(true) // before Close can look: it then waits for the loop
		go l.run()
	}
	s.mu.Unlock()

	s.logger().Info("listening", append(listenAttrs(tl.Addr()), "engine", string(EngineEpoll), "loops", n)...)
	<-g.stopped
	return ErrServerClosed
}

// loopGroup is the loops serving one listener. Closing it is closing the
// listener: when Close returns, no loop accepts any more and the port is free.
type loopGroup struct {
	ln      *net.TCPListener
	loops   []*loop
	once    sync.Once
	stopped chan struct{} // closed when every loop has let go of the listener
}

// Close stops the loops accepting, waits until each has closed its copy of
// the listening socket, and closes the listener.
func (g *loopGroup) Close() error {
	var err error
	g.once.Do(func() {
		for _, l := range g.loops {
			l.signal(cmdStopAccepting)
		}
		for _, l := range g.loops {
			if l.running.Load() {
				<-l.notAccepting
			} else {
				l.closeListener() // never started: nobody else touches it
			}
		}
		err = g.ln.Close()
		close(g.stopped)
	})
	return err
}

// Commands another goroutine gives a loop, as bits of loop.cmd.
const (
	cmdStopAccepting uint32 = 1 << iota
	cmdDrain
)

// loop is one event loop: one goroutine, one poller, the connections it
// accepted, and one read buffer they all share. Only its goroutine touches
// its fields, except cmd, the poller's Wake and the channels.
type loop struct {
	srv  *Server
	poll *netpoll.Poller
	lnfd int // this loop's copy of the listening socket; -1 once closed

	cmd          atomic.Uint32 // cmd* bits, set by other goroutines
	running      atomic.Bool
	notAccepting chan struct{} // closed once lnfd is closed

	buf   []byte              // the read buffer every connection of the loop shares
	conns []*econn            // by file descriptor
	open  int                 // connections in conns
	rsa   unix.RawSockaddrAny // accept4's address, kept here so accept allocates nothing

	base  time.Time // the loop's clock starts here; times below are ns since base
	now   int64     // when the current batch of events came in
	sweep int64     // when timeouts are next checked

	exclusive bool        // lnfd is shared with other loops: the kernel wakes one per connection
	acceptAt  int64       // when accepting resumes after an error; 0 while accepting
	retry     acceptRetry // the back-off after accept errors

	// Settings, read once from the Server.
	idle, write, linger, tick int64
	minProgress               int64        // bytes a client must take of a pending reply per write timeout
	handshake                 int64        // for a PROXY header, with the protocol on
	inplace                   func([]byte) // the ASCII (or a test's) transform
	log                       *slog.Logger
	debug                     bool
	obs                       Observer
}

// newLoop makes a loop with its epoll set, wake-up eventfd and copy of the
// listening socket. exclusive makes the kernel wake only one of the loops
// that share the listener for each new connection.
func newLoop(s *Server, g *loopGroup, exclusive bool) (*loop, error) {
	l := &loop{
		srv: s, lnfd: -1,
		notAccepting: make(chan struct{}),
		buf:          make([]byte, s.bufferSize()),
		conns:        make([]*econn, 64),
		base:         time.Now(),
		idle:         int64(s.idleTimeout()),
		write:        int64(s.writeTimeout()),
		minProgress:  s.minProgress(),
		linger:       int64(s.linger()),
		inplace:      s.transformFunc(),
		log:          s.logger(),
		obs:          s.observer(),
	}
	if s.Unicode && s.transform == nil {
		l.inplace = nil
	}
	l.debug = l.log.Enabled(context.Background(), slog.LevelDebug)
	if s.ProxyProtocol != ProxyOff {
		l.handshake = int64(s.handshakeTimeout())
	}
	l.tick = sweepEvery(l.idle, l.write, l.linger, l.handshake)
	fail := func(op string, err error) (*loop, error) {
		l.closeFDs()
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	var err error
	if l.poll, err = netpoll.Open(); err != nil {
		return fail("event loop", err)
	}
	rc, err := g.ln.SyscallConn()
	if err != nil {
		return fail("listener", err)
	}
	var dupErr error
	if err := rc.Control(func(fd uintptr) {
		l.lnfd, dupErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return fail("listener", err)
	}
	if dupErr != nil {
		return fail("dup listener", dupErr)
	}
	l.exclusive = exclusive
	if err := l.poll.WatchAccept(l.lnfd, exclusive); err != nil {
		return fail("listener", err)
	}
	return l, nil
}

// sweepEvery is how often a loop checks its connections' timeouts: a
// sixteenth of the shortest, as the goroutine engine's lazy deadlines do,
// so that a timeout takes effect between T and 17/16 T.
func sweepEvery(timeouts ...int64) int64 {
	tick := int64(time.Second)
	for _, t := range timeouts {
		if t > 0 {
			tick = min(tick, t/16)
		}
	}
	return max(tick, int64(time.Millisecond))
}

// signal gives the loop a command from another goroutine and wakes it.
func (l *loop) signal(cmd uint32) {
	l.cmd.Or(cmd)
	l.poll.Wake()
}

func (l *loop) drain() { l.signal(cmdDrain) }

// run is the event loop. It ends once the listener is closed and its last
// connection has ended.
func (l *loop) run() {
	defer l.srv.wg.Done()
	defer l.closeFDs()
	defer l.forget()
	for {
		events, err := l.poll.Wait(l.timeout())
		l.now = int64(time.Since(l.base))
		if err != nil {
			// Only a bug can cause this (EBADF, EFAULT, EINVAL): end the
			// loop's connections rather than spin.
			l.log.Error("event loop failed; closing its connections", "err", err)
			l.fail()
			return
		}
		if l.poll.Woken() {
			l.onWake()
		}
		for i := range events {
			ev := &events[i]
			switch fd := int(ev.Fd); fd {
			case l.lnfd:
				l.accept()
			default:
				if fd < len(l.conns) && l.conns[fd] != nil {
					l.handle(l.conns[fd], ev.Events)
				}
			}
		}
		if l.acceptAt != 0 && l.now >= l.acceptAt {
			l.resumeAccepting()
		}
		if l.now >= l.sweep {
			l.checkTimeouts()
		}
		if l.lnfd < 0 && l.open == 0 {
			return
		}
	}
}

// timeout is how long the next epoll_wait may block, in ms: until the next
// timeout check or accept retry, or for ever.
func (l *loop) timeout() int {
	next := int64(-1)
	if l.open > 0 {
		next = l.sweep
	}
	if l.acceptAt != 0 && (next < 0 || l.acceptAt < next) {
		next = l.acceptAt
	}
	if next < 0 {
		return -1
	}
	now := int64(time.Since(l.base))
	if next <= now {
		return 0
	}
	return int((next-now)/int64(time.Millisecond)) + 1
}

// onWake carries out the commands other goroutines gave.
func (l *loop) onWake() {
	cmd := l.cmd.Swap(0)
	if cmd&cmdStopAccepting != 0 {
		l.closeListener()
	}
	if cmd&cmdDrain != 0 {
		for _, c := range l.conns {
			if c != nil {
				l.stop(c, ReasonDrain)
			}
		}
	}
}

// closeListener closes the loop's copy of the listening socket. The epoll
// registration belongs to the socket, which other copies keep open, so it
// is removed first.
func (l *loop) closeListener() {
	if l.lnfd < 0 {
		return
	}
	l.poll.Unwatch(l.lnfd)
	unix.Close(l.lnfd)
	l.lnfd = -1
	l.acceptAt = 0
	close(l.notAccepting)
}

// forget removes the ended loop from the server's drain list.
func (l *loop) forget() {
	l.closeListener() // only if the loop failed
	s := l.srv
	s.mu.Lock()
	delete(s.loops, l)
	s.mu.Unlock()
}

func (l *loop) closeFDs() {
	if l.lnfd >= 0 {
		unix.Close(l.lnfd)
		l.lnfd = -1
	}
	if l.poll != nil {
		l.poll.Close()
	}
}

// fail ends every connection of a loop that cannot go on.
func (l *loop) fail() {
	for _, c := range l.conns {
		if c != nil {
			l.finish(c, ReasonError, nil)
		}
	}
}
