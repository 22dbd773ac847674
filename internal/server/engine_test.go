package server

import (
	"errors"
	"log/slog"
	"net"
	"testing"
)

func TestParseEngine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Engine
		ok   bool
	}{
		{"auto", EngineAuto, true},
		{"", EngineAuto, true},
		{"epoll", EngineEpoll, true},
		{"goroutine", EngineGoroutine, true},
		{"Epoll", "", false},
		{"kqueue", "", false},
	} {
		got, err := ParseEngine(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseEngine(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestEngineChoice: auto takes epoll for a plain TCP listener on Linux and
// goroutines for anything else; asking for epoll where it cannot serve is
// an error, not a silent fallback.
func TestEngineChoice(t *testing.T) {
	plainAuto := "goroutine"
	if epollSupported {
		plainAuto = "epoll"
	}
	for _, tc := range []struct {
		name    string
		engine  Engine
		wrapped bool
		want    string // the engine the "listening" line names, or "" for an error
	}{
		{"auto, plain", EngineAuto, false, plainAuto},
		{"auto, wrapped", EngineAuto, true, "goroutine"},
		{"goroutine, plain", EngineGoroutine, false, "goroutine"},
		{"epoll, wrapped", EngineEpoll, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var ln net.Listener = inner
			if tc.wrapped {
				ln = nilAddrListener{inner}
			}
			rec := newRecorder()
			s := &Server{Engine: tc.engine, Logger: slog.New(rec)}
			served := make(chan error, 1)
			go func() { served <- s.Serve(ln) }()
			if tc.want == "" {
				if err := <-served; !errors.Is(err, ErrEngineUnsupported) {
					t.Fatalf("Serve = %v; want ErrEngineUnsupported", err)
				}
				if _, err := net.Dial("tcp", inner.Addr().String()); err == nil {
					t.Error("the listener is still open after Serve refused it")
				}
				return
			}
			r := rec.waitFor(t, "the listening line", func(r slog.Record) bool { return r.Message == "listening" })
			if got := attr(r, "engine"); got != tc.want {
				t.Errorf("engine %q; want %q", got, tc.want)
			}
			c := dial(t, inner.Addr().String())
			reply := make([]byte, 5)
			roundTrip(t, c, []byte("hello"), reply)
			if string(reply) != "HELLO" {
				t.Errorf("reply %q; want HELLO", reply)
			}
			c.Close() // else Close lingers for its FIN
			s.Close()
			if err := <-served; !errors.Is(err, ErrServerClosed) {
				t.Errorf("Serve = %v; want ErrServerClosed", err)
			}
		})
	}
}
