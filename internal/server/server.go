package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/upcase/upcase/internal/subnet"
	"github.com/upcase/upcase/internal/upper"
	"golang.org/x/text/language"
)

// Defaults used where a Server field is left at its zero value.
const (
	DefaultAddr       = "127.0.0.1:8080" // the lesson's address; loopback only
	DefaultBufferSize = 16 << 10         // bytes read per call, per connection
	DefaultLinger     = 2 * time.Second  // how long a server-side close waits for the client's FIN
	DefaultIdle       = 5 * time.Minute  // how long a client may send nothing
	DefaultWrite      = 30 * time.Second // how long a client may leave its replies unread
	DefaultHandshake  = 10 * time.Second // how long a TLS handshake may take
)

// Never, in a Server's duration field, turns that timeout off (IdleTimeout:
// Never keeps a silent connection for ever), by the rule in Server's doc.
const Never time.Duration = -1

// NoLimit, in a Server's count field, lifts that limit (MaxConns: NoLimit
// serves any number of connections), by the rule in Server's doc.
const NoLimit = -1

// ErrServerClosed is returned by Serve and ListenAndServe once Shutdown or Close
// has been called.
var ErrServerClosed = errors.New("server: closed")

// Server is an upper-casing TCP server. Its zero value is a valid configuration,
// as net/http's is: every field's zero value means a safe default. Each timeout
// and limit follows one rule: zero means its Default constant, and Never (for a
// duration) or NoLimit (for a count) turns it off; any negative value counts as
// these. The settings the server resolves from its fields spell "off" the same
// way. Set the fields before the first call to Serve; they must not change
// afterwards.
//
// Serve, Shutdown and Close may be called from different goroutines.
type Server struct {
	// Addr is the TCP address ListenAndServe listens on, as "host:port".
	// Empty means DefaultAddr, 127.0.0.1:8080.
	Addr string

	// BufferSize is how many bytes each connection reads at a time; the reply
	// is written from the same buffer. Zero means DefaultBufferSize.
	BufferSize int

	// Linger bounds how long a close started by the server (drain, error,
	// panic) keeps reading and discarding input after it has sent its FIN, so
	// that replies already written are not destroyed by an RST. Zero means
	// DefaultLinger; Never does not linger: the close is at once.
	Linger time.Duration

	// IdleTimeout closes a connection on which the client sent nothing for
	// that long (ReasonIdle); to keep the per-message cost down the deadline
	// is moved lazily, so the close comes between IdleTimeout and 17/16 of
	// it. The same holds for WriteTimeout. Zero means DefaultIdle; Never
	// keeps a silent connection for ever.
	IdleTimeout time.Duration

	// WriteTimeout closes a connection whose client, while replies wait for
	// it, has not taken WriteMinRate's worth of them (at least a byte) in
	// that long (ReasonLimit): the server stops reading from a client that
	// does not read, and holds at most one buffer of reply for it, so this
	// is what frees it, while a slow but steady reader is served. What the
	// client takes is counted in the bytes its TCP acknowledges (TCP_INFO,
	// on Linux). Zero means DefaultWrite; Never waits for ever.
	WriteTimeout time.Duration

	// WriteMinRate is the least a client must read of its waiting replies,
	// in bytes a second over each WriteTimeout, so that a drip cannot hold
	// a buffer for ever. Zero means DefaultWriteMinRate; NoLimit means any
	// progress at all will do.
	WriteMinRate int

	// MaxConns caps the connections served at once; beyond it a new
	// connection is closed at once (RejectMaxConns) and the open ones are
	// unaffected. Zero means DefaultMaxConns; NoLimit means no limit.
	MaxConns int

	// MaxConnsPerIP caps the connections served at once from one source
	// address, or for IPv6 one /64 (RejectMaxConnsPerIP), other than a
	// loopback address (127.0.0.0/8, ::1) unless LimitLoopback is set.
	// Zero means DefaultMaxConnsPerIP; NoLimit means no limit.
	MaxConnsPerIP int

	// LimitLoopback holds loopback clients to MaxConnsPerIP and UDPRate
	// too. By default
	// they are not: every client on the server's own machine (a load test,
	// a local proxy or sidecar that does not send the PROXY protocol)
	// shares one loopback address, so a per-address limit there would only
	// throttle the machine's own users; MaxConns still protects the process.
	LimitLoopback bool

	// Allow and Deny filter sources by address (RejectDenied): a connection
	// is served only if its source matches a prefix of Allow (or Allow is
	// empty) and none of Deny.
	Allow, Deny []netip.Prefix

	// HandshakeTimeout bounds, each, what must come before the first byte
	// of data: the PROXY header (one that has begun but not arrived whole by
	// then is refused; where it is optional, silence means none) and the
	// TLS handshake. Zero means DefaultHandshake; Never waits for ever.
	HandshakeTimeout time.Duration

	// TLSConfig, when not nil, serves TLS on every connection (after its
	// PROXY header, if any). A listener that hands out *tls.Conn works too,
	// but without ProxyProtocol.
	TLSConfig *tls.Config

	// ProxyProtocol says whether connections begin with a PROXY protocol
	// header naming the real client, as load balancers send (ProxyOff, the
	// zero value: they do not). With it, Allow and Deny, the per-address
	// limit, the narration and Sources all see the client the header names.
	ProxyProtocol ProxyMode

	// ProxyTrusted are the sources whose PROXY headers are believed: the
	// load balancers. Anyone else could claim any address with one: in
	// ProxyOptional mode another source is served as itself and closed if it
	// begins with a header (ReasonProxyHeader); in ProxyRequired mode it is
	// not served at all (RejectProxyUntrusted). Empty means no one.
	ProxyTrusted []netip.Prefix

	// UDPRate is how many datagrams a second ServePacket answers per source
	// address, in bursts of up to as many: a forged source cannot turn the
	// server into a flood. A loopback source (which no other machine can
	// forge) is held to it only with LimitLoopback. Zero means
	// DefaultUDPRate; NoLimit means no limit.
	UDPRate int

	// Unicode selects full Unicode upper-casing of UTF-8 (x/text/cases), with
	// the rules of Lang (the zero Tag, language.Und, means the default
	// rules; language.Turkish maps i to İ). Invalid UTF-8 passes through
	// unchanged. Over UDP a datagram whose reply would be longer is dropped.
	Unicode bool
	Lang    language.Tag

	// Observer is told of every connection and byte, for metrics. Nil means
	// none.
	Observer Observer

	// Engine is how TCP connections are served: EngineAuto (the zero
	// value) takes the epoll engine where it can and one goroutine per
	// connection elsewhere. For ServePacket, EngineGoroutine reads and
	// answers one datagram at a time, on any system; any other engine reads
	// them in batches on Linux.
	Engine Engine

	// Logger receives the narration (at debug level: each accept, read, write
	// and close) and errors. Nil means slog.Default().
	Logger *slog.Logger

	// transform is what is done to the bytes; tests swap it to inject faults.
	// Nil means upper.ASCII.
	transform func([]byte)

	mu          sync.Mutex
	sockets     map[*io.Closer]struct{}   // listeners and packet sockets being served
	conns       map[*conn]struct{}        // the goroutine engine's connections
	loops       map[drainer]struct{}      // the epoll engine's event loops
	open        int                       // connections served, by either engine
	perIP       map[netip.Addr]*addrCount // served connections per source address
	talliesOnce sync.Once
	tallyLog    *tallyLog     // refusals and accept errors, counted (tallies)
	inShutdown  bool          // Shutdown or Close has begun: no more listening
	closing     bool          // Close has begun: a connection accepted now is closed at once
	done        chan struct{} // closed when shutdown starts; wakes accept back-off
	wg          sync.WaitGroup
}

// ListenAndServe listens on s.Addr and serves until Shutdown or Close. A
// failure to listen is returned at once, naming the address.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Listen opens a TCP listener on addr. Its error is one line that names the
// address and the reason, without repeating the network name.
func Listen(addr string) (net.Listener, error) { return ListenConfig{}.Listen(addr) }

// ListenPacket opens a UDP socket on addr, for ServePacket, with errors
// like Listen's.
func ListenPacket(addr string) (net.PacketConn, error) { return ListenConfig{}.ListenPacket(addr) }

// ListenConfig says how Listen and ListenPacket open a socket. The zero value
// opens it as net.Listen does.
type ListenConfig struct {
	// ReusePort sets SO_REUSEPORT (Linux), so that several processes can
	// listen on the same address and the kernel spreads new connections
	// among them: a new version starts beside the old one, which then
	// drains, and no client is refused meanwhile.
	ReusePort bool
}

// Listen opens a TCP listener on addr, as the package's Listen.
func (lc ListenConfig) Listen(addr string) (net.Listener, error) {
	if err := dottedMistake(addr); err != nil {
		return nil, listenError(addr, err)
	}
	ln, err := lc.config().Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, listenError(addr, err)
	}
	return ln, nil
}

// ListenPacket opens a UDP socket on addr, as the package's ListenPacket.
func (lc ListenConfig) ListenPacket(addr string) (net.PacketConn, error) {
	if err := dottedMistake(addr); err != nil {
		return nil, listenError(addr, err)
	}
	pc, err := lc.config().ListenPacket(context.Background(), "udp", addr)
	if err != nil {
		return nil, listenError(addr, err)
	}
	return pc, nil
}

func (lc ListenConfig) config() *net.ListenConfig {
	if lc.ReusePort {
		return &net.ListenConfig{Control: reusePort}
	}
	return &net.ListenConfig{}
}

// listenError says in one line why addr could not be used.
func listenError(addr string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	var ae *net.AddrError
	if errors.As(err, &ae) {
		err = errors.New(ae.Err) // the address is named once, below
		if host, _, ok := strings.Cut(addr, "]"); !ok && strings.Count(host, ":") > 1 {
			err = fmt.Errorf("%w (write an IPv6 address in brackets, e.g. [::1]:8080)", err)
		}
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		if _, port, perr := net.SplitHostPort(addr); perr == nil {
			if n, aerr := strconv.Atoi(port); aerr == nil && onlyTimeWait(n) {
				err = fmt.Errorf("%w: only connections in TIME-WAIT hold port %d, left by a server that closed first without SO_REUSEADDR (the lesson's server.py does); they expire within 60 s (see them: ss -tan state time-wait '( sport = :%d )'), or choose another --addr", err, n, n)
			}
		}
	}
	return fmt.Errorf("listen on %s: %w", addr, err)
}

// dottedMistake explains a host that is meant as an IPv4 address but is
// not one (256.1.1.1), as upcase ip does ("256 is not 0-255"), rather than
// let it be looked up as a name that does not exist ("no such host").
func dottedMistake(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || strings.Trim(host, "0123456789.") != "" {
		return nil // not dotted decimal: the listen says what is wrong
	}
	if _, err := subnet.ParseAddr(host); err != nil {
		var pe *subnet.ParseError
		if errors.As(err, &pe) {
			return errors.New(pe.Msg)
		}
		return err
	}
	return nil
}

// Serve accepts connections on ln and serves each in its own goroutine until
// Shutdown or Close. Serve takes ownership of ln and closes it. It always
// returns a non-nil error: ErrServerClosed after Shutdown or Close.
//
// Accept errors other than a closed listener (EMFILE, ENFILE, ECONNABORTED, …)
// do not end Serve: it retries after a back-off that starts at 5 ms and
// doubles up to 1 s while they go on (see acceptRetry), so it neither spins
// nor dies while descriptors are short, and logs them at most once a second
// with their count; open connections are served meanwhile.
func (s *Server) Serve(ln net.Listener) error {
	tl, err := s.epollListener(ln)
	if err != nil {
		ln.Close()
		return err
	}
	if tl != nil {
		return s.serveEpoll(tl)
	}
	release, ok := s.own(ln)
	if !ok {
		return ErrServerClosed
	}
	defer release()

	log := s.logger()
	log.Info("listening", append(listenAttrs(ln.Addr()), "engine", string(EngineGoroutine))...)

	var retry acceptRetry
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.shuttingDown() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("accept on %s: %w", ln.Addr(), err)
			}
			delay := retry.failed(time.Now())
			s.acceptFailed(ln.Addr().String(), err, delay)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.doneChan():
				t.Stop()
			}
			continue
		}
		if retry.delay > 0 {
			retry.accepted(time.Now())
		}
		s.startConn(nc)
	}
}

// Shutdown stops the server gracefully: it closes the listeners at once, so no
// new connection is accepted, and lets open connections go on until they end by
// themselves. It returns when they have all ended, or with ctx's error when ctx
// is done first; then call Close to end the rest.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.closeListeners()
	s.mu.Lock()
	open := s.open
	s.mu.Unlock()
	s.logger().Info("shutting down: no longer accepting; open connections may go on", "open", open)
	idle := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(idle)
	}()
	select {
	case <-idle:
		s.tallies().flush()
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the listeners and ends every open connection, each with a FIN
// after the replies already written (ReasonDrain), and waits for their
// goroutines to return: at most about Linger, which bounds both a write in
// progress and the wait for the client's FIN.
func (s *Server) Close() error {
	err := s.closeListeners()
	s.mu.Lock()
	s.closing = true
	for c := range s.conns {
		c.stop(ReasonDrain)
	}
	for l := range s.loops {
		l.drain()
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.tallies().flush() // what the last second refused
	return err
}

// closeListeners starts the shutdown and closes every listener and packet
// socket. It closes them after releasing s.mu, since closing the epoll
// engine's listener waits for its loops, which take s.mu to admit a
// connection.
func (s *Server) closeListeners() error {
	s.mu.Lock()
	if !s.inShutdown {
		s.inShutdown = true
		if s.done == nil {
			s.done = make(chan struct{})
		}
		close(s.done)
	}
	var socks []io.Closer
	for c := range s.sockets { // listeners, and UDP sockets (no connections to drain)
		socks = append(socks, *c)
		delete(s.sockets, c)
	}
	s.mu.Unlock()
	var errs []error
	for _, c := range socks {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// own takes a listener or packet socket for the life of a Serve call: it is
// tracked so that shutdown closes it, and release untracks and closes it. Once
// shutdown has begun, own closes it at once and reports false.
func (s *Server) own(c io.Closer) (release func(), ok bool) {
	sock := &c
	if !s.track(sock, true) {
		c.Close()
		return nil, false
	}
	return func() {
		s.track(sock, false)
		c.Close()
	}, true
}

// track adds or removes a listener or packet socket that shutdown must close
// (by pointer, since the value behind an interface may not be comparable).
// It refuses to add once shutdown has begun.
func (s *Server) track(c *io.Closer, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sockets == nil {
		s.sockets = make(map[*io.Closer]struct{})
	}
	if add {
		if s.inShutdown {
			return false
		}
		s.sockets[c] = struct{}{}
	} else {
		delete(s.sockets, c)
	}
	return true
}

func (s *Server) shuttingDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inShutdown
}

func (s *Server) doneChan() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		s.done = make(chan struct{})
	}
	return s.done
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) bufferSize() int {
	if s.BufferSize > 0 {
		return s.BufferSize
	}
	return DefaultBufferSize
}

// The timeouts in force, by the zero-value rule: each is positive, or Never.
func (s *Server) idleTimeout() time.Duration  { return orDefault(s.IdleTimeout, DefaultIdle) }
func (s *Server) writeTimeout() time.Duration { return orDefault(s.WriteTimeout, DefaultWrite) }
func (s *Server) handshakeTimeout() time.Duration {
	return orDefault(s.HandshakeTimeout, DefaultHandshake)
}

// linger is how long a close started by the server waits for the client's
// FIN: a length of time, not a timeout, so Never (no lingering) is no time.
func (s *Server) linger() time.Duration { return max(0, orDefault(s.Linger, DefaultLinger)) }

// orDefault applies the zero-value rule to a duration field: zero means def,
// and any negative value Never.
func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d < 0:
		return Never
	case d == 0:
		return def
	}
	return d
}

// newStream is a connection's transform: ASCII, Unicode, or a test's.
func (s *Server) newStream() upper.Stream {
	switch {
	case s.transform != nil:
		return funcStream(s.transform)
	case s.Unicode:
		return upper.NewUnicode(s.Lang)
	}
	return upper.NewASCII()
}

// funcStream is an in-place transform as a Stream.
type funcStream func([]byte)

func (f funcStream) Chunk(p []byte) []byte { f(p); return p }
func (f funcStream) Flush() []byte         { return nil }

func (s *Server) transformFunc() func([]byte) {
	if s.transform != nil {
		return s.transform
	}
	return upper.ASCII
}

// listenAttrs describes a listening address for the one line the server
// prints at start: where, the accept backlog, and who can reach it.
func listenAttrs(a net.Addr) []any {
	attrs := []any{"addr", a.String()}
	var ip net.IP
	switch ta := a.(type) {
	case *net.TCPAddr:
		attrs = append(attrs, "backlog", listenBacklog())
		ip = ta.IP
	case *net.UDPAddr:
		ip = ta.IP
	}
	if ip != nil {
		switch {
		case ip.IsLoopback():
			attrs = append(attrs, "reach", "loopback only: only this machine can connect")
		case ip.IsUnspecified():
			attrs = append(attrs, "reach", "all interfaces: other machines can connect")
		}
	}
	return attrs
}
