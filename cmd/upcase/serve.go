package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/upcase/upcase/internal/metrics"
	"github.com/upcase/upcase/internal/server"
	"github.com/upcase/upcase/internal/subnet"
)

func serveCommand() *command {
	return &command{
		name:  "serve",
		short: "run the upper-casing server (TCP)",
		long: `Serve listens on --addr and answers every byte each client sends with the
same byte upper-cased (a-z to A-Z, everything else unchanged: Python's
bytes.upper()), on any number of connections at once, each for as long as
the client likes. When a client half-closes, the server sends what remains
and closes its side.

It prints one line saying where it listens, and errors. With -v it narrates
every socket step: listening, accepted (the three-way handshake is done),
received N bytes, sent N bytes, the peer finished sending (FIN) or reset the
connection (RST), closed and why.

SIGINT or SIGTERM stops it gracefully: /readyz turns unready, no new
connections are accepted, open ones go on for up to --drain, then each is
closed without losing a reply (FIN first, then the rest of its input is read
and discarded for up to --linger), and upcase exits 0. A second signal stops
it at once.

Limits keep one process safe from its clients: at most --max-conns
connections (--max-conns-per-ip from one address other than loopback, unless
--limit-loopback), each closed after --idle-timeout of silence, or when its
client leaves its replies unread: the server stops reading from a client
that does not read, so each connection holds at most one 16 KiB buffer, and
a client must then take at least --write-min-rate (64 bytes/s) of its
replies in every --write-timeout (30s), as nginx's send_timeout counts
progress between two writes: a slow but steady reader is served, one that
reads nothing or a drip is closed. --allow and --deny filter clients by
address. Every connection refused by a limit is reported without -v, as a
warning that names the reason, the count, the flag that sets the limit and
the last client refused: at most one line a second per reason.

Beyond one process (README: "Beyond one process"):
  --proxy-protocol=required --proxy-trusted=10.0.0.5/32  behind HAProxy's
      send-proxy-v2 (or any PROXY protocol v1/v2 sender): logs, -v, limits,
      --allow/--deny and metrics see each client's real address. A bad
      header from a trusted source is refused and counted (rejected,
      proxy_header); an untrusted source that sends one is closed (closed,
      proxy_header); with required, untrusted sources are refused outright
      (rejected, proxy_untrusted).
  --lame-duck=5s  on SIGTERM, say unready on /readyz but keep accepting for
      a while, so the load balancer's health check takes the instance out
      of rotation before it stops accepting.
  --reuseport  start a new version beside the old one on the same address,
      then SIGTERM the old one: a restart with no refused connection.
  Socket activation: started by systemd with LISTEN_FDS, it serves the
      sockets it was handed instead of --addr (one named "metrics" serves
      --metrics); see deploy/systemd/.`,
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			addr := fs.String("addr", server.DefaultAddr, "`host:port` to listen on; 127.0.0.1 is reachable from this machine only, 0.0.0.0 or [::] from others too, port 0 picks a free one")
			drain := durationFlag(fs, "drain", 10*time.Second, "on SIGINT/SIGTERM, how long open connections may go on before they are closed")
			linger := durationFlag(fs, "linger", server.DefaultLinger, "when the server closes a connection, how long it waits for the client's FIN so no reply is lost")
			idle := durationFlag(fs, "idle-timeout", server.DefaultIdle, "close a connection on which the client has sent nothing for this long (0: never)")
			write := durationFlag(fs, "write-timeout", server.DefaultWrite, "close a connection whose client, while replies wait for it, takes less than --write-min-rate of them for this long: a client that does not read, or barely (0: never)")
			writeMinRate := fs.Int("write-min-rate", server.DefaultWriteMinRate, "the least a client must read of its waiting replies, in `bytes/s` over each --write-timeout (counted as the bytes its TCP acknowledges), so a slow but steady reader is served and a drip cannot hold a buffer for ever (0: any progress will do)")
			maxConns := fs.Int("max-conns", server.DefaultMaxConns, "most connections served at once; more are closed at once and counted (0: no limit)")
			maxPerIP := fs.Int("max-conns-per-ip", server.DefaultMaxConnsPerIP, "most connections served at once from one source address, or IPv6 /64 (0: no limit); loopback clients are exempt unless --limit-loopback")
			limitLoopback := fs.Bool("limit-loopback", false, "hold loopback clients (127.0.0.0/8, ::1) to --max-conns-per-ip and --udp-rate too; by default they are exempt, since every client on this machine (a load test, a local proxy or sidecar) shares that one address, and --max-conns still protects the server")
			allow := fs.String("allow", "", "serve only sources in these `CIDR,...` prefixes (e.g. 10.0.0.0/8,fd00::/8); empty: everyone")
			deny := fs.String("deny", "", "never serve sources in these `CIDR,...` prefixes; deny wins over allow")
			metricsAddr := fs.String("metrics", "", "serve Prometheus /metrics, /healthz and /readyz over HTTP on this `host:port`; a bare :port means 127.0.0.1:port (off when empty)")
			logFormat := fs.String("log-format", "text", "log as `text` or json")
			engine := fs.String("engine", "auto", "how TCP connections are served, by `name`: epoll (Linux: one event loop per CPU, about 0.1 KiB per idle connection), goroutine (one goroutine per connection, any system, TLS), or auto: epoll where it can, goroutine for TLS and elsewhere")
			udp := fs.Bool("udp", false, "serve UDP instead of TCP: each datagram is answered by one datagram to its sender")
			udpRate := fs.Int("udp-rate", server.DefaultUDPRate, "with --udp, datagrams answered per second per source address, so a forged source cannot aim a flood (0: no limit)")
			var uni unicodeValue
			fs.Var(&uni, "unicode", "full Unicode upper-casing of UTF-8 (straße → STRASSE); --unicode=tr for Turkish i → İ. Invalid UTF-8 passes through unchanged. Over UDP a datagram whose reply would be longer than it (ΐ becomes 3 letters) is dropped and counted, never answered")
			lameDuck := durationFlag(fs, "lame-duck", 0, "on SIGINT/SIGTERM, first report unready on /readyz and keep accepting for this long, so load balancers stop sending new clients before the server stops accepting; then drain (0: stop accepting at once)")
			reusePort := fs.Bool("reuseport", false, "listen with SO_REUSEPORT, so a new upcase can start on the same address beside this one and the kernel spreads new connections among them: restart with no refused connection (README: zero-downtime restart)")
			proxyMode := fs.String("proxy-protocol", "off", "whether connections begin with a PROXY protocol header (v1 or v2) naming the real client, as HAProxy's send-proxy-v2 sends: `off`, optional (taken from --proxy-trusted sources when sent) or required (only --proxy-trusted sources, always with a header)")
			proxyTrusted := fs.String("proxy-trusted", "", "the load balancers whose PROXY headers are believed, as `CIDR,...`; a header from anyone else closes the connection, since it would let them claim any address")
			verbose := fs.Bool("v", false, "narrate every socket step (debug-level logs)")
			tlsConfig := serverTLSFlags(fs)
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				tc, err := tlsConfig()
				if err != nil {
					return err
				}
				for name, d := range map[string]time.Duration{"drain": *drain, "linger": *linger, "idle-timeout": *idle, "write-timeout": *write, "lame-duck": *lameDuck} {
					if d < 0 {
						return usageError{fmt.Sprintf("--%s must not be negative", name)}
					}
				}
				if *maxConns < 0 || *maxPerIP < 0 || *udpRate < 0 || *writeMinRate < 0 {
					return usageError{"--max-conns, --max-conns-per-ip, --udp-rate and --write-min-rate must not be negative"}
				}
				if *udp && tc != nil {
					return usageError{"TLS is for TCP: --udp cannot be used with --tls-cert"}
				}
				eng, err := server.ParseEngine(*engine)
				if err != nil {
					return usageError{"--engine: " + err.Error()}
				}
				if eng == server.EngineEpoll && tc != nil {
					return usageError{"--engine=epoll cannot serve TLS; use --engine=auto or goroutine with --tls-cert"}
				}
				pmode, err := server.ParseProxyMode(*proxyMode)
				if err != nil {
					return usageError{"--proxy-protocol: " + err.Error()}
				}
				trusted, err := prefixesFlag("proxy-trusted", *proxyTrusted)
				if err != nil {
					return err
				}
				switch {
				case pmode != server.ProxyOff && len(trusted) == 0:
					return usageError{"--proxy-protocol=" + pmode.String() + " needs --proxy-trusted=CIDR,... (the load balancers' addresses): a header from anyone else would let them claim any address"}
				case pmode == server.ProxyOff && len(trusted) > 0:
					return usageError{"--proxy-trusted needs --proxy-protocol=optional or required"}
				case pmode != server.ProxyOff && *udp:
					return usageError{"the PROXY protocol is for TCP: --udp cannot be used with --proxy-protocol"}
				}
				allowed, err := prefixesFlag("allow", *allow)
				if err != nil {
					return err
				}
				denied, err := prefixesFlag("deny", *deny)
				if err != nil {
					return err
				}
				log, err := newLogger(sio.err, *logFormat, *verbose)
				if err != nil {
					return err
				}
				srv := &server.Server{
					Addr:          *addr,
					Logger:        log,
					Linger:        noneIfZero(*linger),
					IdleTimeout:   noneIfZero(*idle),
					WriteTimeout:  noneIfZero(*write),
					WriteMinRate:  noneIfZeroInt(*writeMinRate),
					MaxConns:      noneIfZeroInt(*maxConns),
					MaxConnsPerIP: noneIfZeroInt(*maxPerIP),
					LimitLoopback: *limitLoopback,
					Allow:         allowed,
					Deny:          denied,
					UDPRate:       noneIfZeroInt(*udpRate),
					Unicode:       uni.on,
					Lang:          uni.tag,
					Engine:        eng,
					TLSConfig:     tc,
					ProxyProtocol: pmode,
					ProxyTrusted:  trusted,
				}
				if err := checkDotted(*addr); err != nil {
					return fmt.Errorf("listen on %s: %w", *addr, err)
				}
				socks, err := openSockets(*addr, *udp, server.ListenConfig{ReusePort: *reusePort}, log)
				if err != nil {
					return err
				}
				if *reusePort && socks.fromSystemd {
					log.Info("note: --reuseport does nothing with socket activation: systemd made the sockets")
				} else if *reusePort && !*udp && !server.MigratesOnClose() {
					log.Info("note: with --reuseport, set sysctl net.ipv4.tcp_migrate_req=1 so that when an instance stops listening, the connections still waiting in its accept queue move to another instance instead of being reset")
				}
				if *lameDuck > 0 && *metricsAddr == "" && socks.metrics == nil {
					log.Info("note: --lame-duck without --metrics: no /readyz tells a load balancer to stop sending, so it only delays the drain")
				}
				if *udp {
					return serveUDP(ctx, srv, socks, *metricsAddr)
				}
				return serve(ctx, srv, socks, *metricsAddr, *lameDuck, *drain)
			}
		},
	}
}

// prefixesFlag parses the CIDR list given to --name; a mistake is a usage
// error that names the flag.
func prefixesFlag(name, list string) ([]netip.Prefix, error) {
	p, err := server.ParsePrefixes(list)
	if err != nil {
		return nil, usageError{"--" + name + ": " + err.Error()}
	}
	return p, nil
}

// durationText writes a duration in JSON logs as the text logs do, with
// its unit ("1.5ms"; time.ParseDuration reads it back), not as a bare
// count of nanoseconds.
func durationText(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// newLogger is the server's slog output on stderr: text or JSON, debug level
// with -v.
func newLogger(stderr io.Writer, format string, verbose bool) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if verbose {
		opts.Level = slog.LevelDebug
	}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(stderr, opts)), nil
	case "json":
		opts.ReplaceAttr = durationText
		return slog.New(slog.NewJSONHandler(stderr, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format must be text or json, not %q", format)}
}

// noneIfZero maps a flag's "0 means never" onto the Server's "negative means
// none" (its zero value means the default).
func noneIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

func noneIfZeroInt(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

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

// checkDotted explains a host that is meant as an IPv4 address but is not
// one (256.1.1.1), as upcase ip does, rather than let it be looked up as a
// name that does not exist ("no such host").
func checkDotted(addr string) error {
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
