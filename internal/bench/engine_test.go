package bench

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

// What each engine setting runs on, as a caller sees it: auto takes epoll
// only where it can run (Linux, a socket of its own), over TCP and UDP
// alike, and a choice
// that cannot run is an error rather than a silent change.
func TestEngineChoice(t *testing.T) {
	saved := testEngine
	testEngine = EngineAuto
	defer func() { testEngine = saved }()
	ownDial := func(ctx context.Context, network string, local netip.Addr, addr string) (net.Conn, error) {
		return nil, errors.New("not dialled")
	}
	epollOr := func(e Engine) Engine {
		if epollSupported {
			return e
		}
		return EngineGoroutine
	}
	for _, tc := range []struct {
		name    string
		cfg     Config
		want    Engine
		wantErr bool
	}{
		{name: "auto, TCP", cfg: Config{}, want: epollOr(EngineEpoll)},
		{name: "auto, UDP", cfg: Config{UDP: true}, want: epollOr(EngineEpoll)},
		{name: "auto, a dialer of the caller's", cfg: Config{Dial: ownDial}, want: EngineGoroutine},
		{name: "goroutine", cfg: Config{Engine: EngineGoroutine}, want: EngineGoroutine},
		{name: "goroutine, UDP", cfg: Config{Engine: EngineGoroutine, UDP: true}, want: EngineGoroutine},
		{name: "epoll", cfg: Config{Engine: EngineEpoll}, want: EngineEpoll, wantErr: !epollSupported},
		{name: "epoll with a dialer of the caller's", cfg: Config{Engine: EngineEpoll, Dial: ownDial}, want: EngineEpoll, wantErr: !epollSupported},
		{name: "epoll, UDP", cfg: Config{Engine: EngineEpoll, UDP: true}, want: EngineEpoll, wantErr: !epollSupported},
		{name: "unknown", cfg: Config{Engine: "kqueue"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cfg.RunsOn()
			if tc.wantErr {
				if err == nil {
					t.Fatalf("RunsOn = %s; want an error", got)
				}
				if _, runErr := Run(context.Background(), tc.cfg); runErr == nil {
					t.Errorf("Run accepted a config RunsOn refuses")
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("RunsOn = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}
