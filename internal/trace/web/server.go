package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"github.com/upcase/upcase/internal/trace/demo"
)

// Defaults for the Server's zero fields.
const (
	// DefaultLineRate is how many live lines a second the server takes,
	// from all browsers together, in bursts of up to DefaultLineBurst.
	DefaultLineRate  = 2
	DefaultLineBurst = 4
	// DefaultMaxSubscribers is how many live event streams may be open at
	// once: a classroom's projector and a few laptops.
	DefaultMaxSubscribers = 16
	// DefaultMaxDemos is how many demos may run at once; more requests
	// wait for one to end.
	DefaultMaxDemos = 2
)

// MaxLine is the most bytes a live line may have.
const MaxLine = 256

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("web: server closed")

// Server serves the page and its API. Its zero value is not ready: Demo
// must be set; every other field's zero value means a safe default. Set the
// fields before calling Handler or Serve; they must not change afterwards.
// Serve and Shutdown may be called from different goroutines.
type Server struct {
	// Demo plays a scenario and returns its document, the JSON that
	// upcase trace --json --scenario=S --lang=L prints. It is called for
	// each /api/trace request, with that request's context, by at most
	// MaxDemos goroutines at once.
	Demo func(ctx context.Context, scenario demo.Scenario, l lang.Lang) ([]byte, error)

	// Live starts the live demo, at the first live line. The session lives
	// until Shutdown or until it ends on its own (the next line starts
	// another); ctx ends at Shutdown. Nil means no live mode: its endpoints
	// answer 503.
	Live func(ctx context.Context) (LiveSession, error)

	// Name is a host name besides the bound address by which browsers may
	// reach the server (the host --web named, "localhost" ...): Host
	// headers naming it are accepted too (see hostCheck).
	Name string

	// LineRate and LineBurst bound the live lines taken, a second and at
	// once, from all browsers together. Zero means DefaultLineRate and
	// DefaultLineBurst.
	LineRate  float64
	LineBurst int

	// MaxSubscribers bounds the live event streams open at once. Zero
	// means DefaultMaxSubscribers.
	MaxSubscribers int

	// MaxDemos bounds the demos run at once. Zero means DefaultMaxDemos.
	MaxDemos int

	// Logger receives errors (at warn level) and each request refused (at
	// debug level). Nil means slog.Default().
	Logger *slog.Logger

	once  sync.Once
	quit  chan struct{} // closed by Shutdown: event streams end
	hub   *hub
	demos chan struct{} // a token for each demo running

	mu    sync.Mutex
	http  *http.Server
	shut  bool
	fresh map[net.Conn]struct{} // connections that have sent no request yet
}

// track keeps the connections that have sent no request yet.
func (s *Server) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st != http.StateNew {
		delete(s.fresh, c)
		return
	}
	if s.fresh == nil {
		s.fresh = map[net.Conn]struct{}{}
	}
	s.fresh[c] = struct{}{}
}

// closeFresh closes the connections that have sent no request, once the
// listener is closed.
func (s *Server) closeFresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.fresh {
		c.Close()
	}
}

// init sets up what every handler of s shares.
func (s *Server) init() {
	s.once.Do(func() {
		s.quit = make(chan struct{})
		s.demos = make(chan struct{}, positive(s.MaxDemos, DefaultMaxDemos))
		rate := s.LineRate
		if rate <= 0 {
			rate = DefaultLineRate
		}
		s.hub = newHub(s.Live, rate, positive(s.LineBurst, DefaultLineBurst), positive(s.MaxSubscribers, DefaultMaxSubscribers), s.logger())
	})
}

// positive is v, or def where v is not above zero.
func positive(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Serve serves the page on ln until Shutdown, taking ln's address as the
// served address that Host headers must name. It closes ln. Serve always
// returns a non-nil error: ErrServerClosed after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	h := s.Handler(ln.Addr().String())
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger().Handler(), slog.LevelDebug),
		// No ReadTimeout or WriteTimeout: an event stream lasts as long as
		// its page; each write of one has a deadline of its own.
		ConnState: s.track,
	}
	// net/http's Shutdown waits 5 s for a connection that has sent no
	// request yet, and browsers open such connections ahead of need
	// (preconnect): closing them loses nothing.
	hs.RegisterOnShutdown(s.closeFresh)
	s.mu.Lock()
	if s.shut {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.http = hs
	s.mu.Unlock()
	err := hs.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return ErrServerClosed
	}
	return fmt.Errorf("web: serve: %w", err)
}

// Shutdown ends the event streams, stops taking requests and waits for
// those under way (as net/http's Shutdown, until ctx ends), and stops the
// live demo, waiting for it to end. Call it once, also after using Handler
// without Serve.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	s.shut = true
	hs := s.http
	s.mu.Unlock()
	close(s.quit)
	var err error
	if hs != nil {
		err = hs.Shutdown(ctx)
	}
	return errors.Join(err, s.hub.close())
}
