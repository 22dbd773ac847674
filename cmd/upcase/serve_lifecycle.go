package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/upcase/upcase/internal/metrics"
	"github.com/upcase/upcase/internal/server"
)

// serve runs srv on socks until ctx is done (SIGINT or SIGTERM), then turns
// unready, keeps accepting for lameDuck, and drains for up to drain before it
// closes what is left. With metricsAddr (or a metrics socket from systemd) it
// also serves the metrics and health endpoints.
func serve(ctx context.Context, srv *server.Server, socks *sockets, metricsAddr string, lameDuck, drain time.Duration) error {
	log := srv.Logger
	m, stopMetrics, err := observe(srv, socks, metricsAddr)
	if err != nil {
		socks.close()
		return err
	}
	defer stopMetrics()
	served := make(chan error, len(socks.streams))
	for _, ln := range socks.streams {
		go func() { served <- srv.Serve(ln) }()
	}

	select {
	case err := <-served:
		srv.Close()
		return err
	case <-ctx.Done():
	}
	exitOnSecondSignal(log)
	if m != nil {
		m.SetReady(false)
	}
	if lameDuck > 0 {
		log.Info("lame duck: /readyz now says unready; still accepting, so load balancers can take this instance out of rotation first", "for", lameDuck)
		time.Sleep(lameDuck)
	}
	dctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(dctx); err != nil {
		log.Info("drain time is over; closing the remaining connections", "drain", drain)
		srv.Close()
	}
	for range socks.streams {
		if err := <-served; !errors.Is(err, server.ErrServerClosed) {
			return err
		}
	}
	log.Info("stopped")
	return nil
}

// serveUDP runs srv on socks' datagram sockets until ctx is done. There are
// no connections to drain: a signal stops it at once.
func serveUDP(ctx context.Context, srv *server.Server, socks *sockets, metricsAddr string) error {
	_, stopMetrics, err := observe(srv, socks, metricsAddr)
	if err != nil {
		socks.close()
		return err
	}
	defer stopMetrics()
	served := make(chan error, len(socks.packets))
	for _, pc := range socks.packets {
		go func() { served <- srv.ServePacket(pc) }()
	}
	select {
	case err := <-served:
		srv.Close()
		return err
	case <-ctx.Done():
	}
	srv.Close()
	for range socks.packets {
		if err := <-served; !errors.Is(err, server.ErrServerClosed) {
			return err
		}
	}
	srv.Logger.Info("stopped")
	return nil
}

// exitOnSecondSignal makes a second SIGINT or SIGTERM, during the drain, end
// the process at once (even where the signal was ignored when we started, as
// for a background job of a shell).
func exitOnSecondSignal(log *slog.Logger) {
	second := make(chan os.Signal, 1)
	signal.Notify(second, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-second
		log.Info("second signal: stopping at once", "signal", sig.String())
		os.Exit(1)
	}()
}

// observe gives srv metrics, served on the metrics socket systemd handed
// over or else on metricsAddr; with neither it does nothing and returns a nil
// *Metrics. stop shuts the endpoint down.
func observe(srv *server.Server, socks *sockets, metricsAddr string) (m *metrics.Metrics, stop func(), err error) {
	ln := socks.metrics
	if ln == nil {
		if metricsAddr == "" {
			return nil, func() {}, nil
		}
		if ln, err = listenMetrics(metricsAddr); err != nil {
			return nil, nil, err
		}
	}
	m = metrics.New(buildVersion())
	m.WatchSources(srv.Sources)
	hs := startMetrics(ln, m, srv.Logger)
	srv.Observer = m
	return m, func() { hs.Close() }, nil
}

// listenMetrics opens the metrics endpoint's socket; a bare ":port" binds
// loopback only, so metrics are never exposed by accident.
func listenMetrics(addr string) (net.Listener, error) {
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err
		}
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	return ln, nil
}

// startMetrics serves m's endpoints on ln.
func startMetrics(ln net.Listener, m *metrics.Metrics, log *slog.Logger) *http.Server {
	hs := &http.Server{
		Handler:           m.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       time.Minute, // scrapers reconnect; idle keep-alives are not kept forever
		MaxHeaderBytes:    8 << 10,
		// Probes and scrapers that hang up early are not server errors.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go hs.Serve(ln)
	log.Info("metrics", "addr", ln.Addr().String(), "paths", "/metrics /healthz /readyz")
	return hs
}
