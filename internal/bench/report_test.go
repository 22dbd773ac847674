package bench

import (
	"strings"
	"testing"
)

// The report's first line says how the load was carried: the engine, over
// TCP and UDP alike.
func TestWriteTextNamesEngine(t *testing.T) {
	for _, tc := range []struct {
		res  Result
		want string
	}{
		{Result{Addr: "a:1", Network: "tcp", Engine: EngineEpoll, Conns: 2, Pipeline: 1, Size: 16}, "a:1 over TCP, epoll engine: 2 connections,"},
		{Result{Addr: "a:1", Network: "tcp", Engine: EngineGoroutine, Conns: 1, Pipeline: 1, Size: 16}, "a:1 over TCP, goroutine engine: 1 connection,"},
		{Result{Addr: "a:1", Network: "udp", Engine: EngineGoroutine, Conns: 3, Pipeline: 1, Size: 16}, "a:1 over UDP, goroutine engine: 3 sockets,"},
		{Result{Addr: "a:1", Network: "udp", Engine: EngineEpoll, Conns: 1, Pipeline: 1, Size: 16}, "a:1 over UDP, epoll engine: 1 socket,"},
	} {
		var b strings.Builder
		tc.res.WriteText(&b)
		if first, _, _ := strings.Cut(b.String(), "\n"); !strings.HasPrefix(first, tc.want) {
			t.Errorf("first line %q; want it to begin %q", first, tc.want)
		}
	}
}
