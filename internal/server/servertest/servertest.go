// Package servertest starts an upcase server on loopback for tests, after
// net/http/httptest.
package servertest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/server"
)

// Start serves s on 127.0.0.1 at a free port and returns the address. The
// listener is open before Start returns, so the address can be dialled at
// once. A cleanup registered on t shuts the server down and checks that Serve
// returned ErrServerClosed. A nil Logger is replaced by one that discards.
func Start(t testing.TB, s *server.Server) string {
	t.Helper()
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("servertest: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			s.Close()
		}
		if err := <-served; !errors.Is(err, server.ErrServerClosed) {
			t.Errorf("servertest: Serve returned %v; want ErrServerClosed", err)
		}
	})
	return ln.Addr().String()
}
