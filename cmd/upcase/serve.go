package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"time"

	"github.com/upcase/upcase/internal/server"
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
			a := newServeArgs(fs)
			tlsConfig := serverTLSFlags(fs)
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				// TLS first, as it reads its files: a missing one is
				// reported before any other mistake in the flags.
				tc, err := tlsConfig()
				if err != nil {
					return err
				}
				cfg, err := serveConfigFromArgs(*a, tc)
				if err != nil {
					return err
				}
				return runServe(ctx, sio.err, cfg)
			}
		},
	}
}

// serveArgs holds serve's flags as given, each in the field of its name,
// for serveConfigFromArgs. As on the command line, a 0 duration or count
// means never or no limit.
type serveArgs struct {
	addr, metricsAddr, logFormat, engine string
	allow, deny, proxyMode, proxyTrusted string

	drain, linger, idleTimeout, writeTimeout, lameDuck time.Duration
	writeMinRate, maxConns, maxConnsPerIP, udpRate     int

	limitLoopback, udp, reusePort, verbose bool
	unicode                                unicodeValue
}

// newServeArgs declares serve's flags on fs (but TLS's: serverTLSFlags) and
// returns the serveArgs they fill.
func newServeArgs(fs *flag.FlagSet) *serveArgs {
	a := new(serveArgs)
	fs.StringVar(&a.addr, "addr", server.DefaultAddr, "`host:port` to listen on; 127.0.0.1 is reachable from this machine only, 0.0.0.0 or [::] from others too, port 0 picks a free one")
	durationVar(fs, &a.drain, "drain", defaultDrain, "on SIGINT/SIGTERM, how long open connections may go on before they are closed")
	durationVar(fs, &a.linger, "linger", server.DefaultLinger, "when the server closes a connection, how long it waits for the client's FIN so no reply is lost")
	durationVar(fs, &a.idleTimeout, "idle-timeout", server.DefaultIdle, "close a connection on which the client has sent nothing for this long (0: never)")
	durationVar(fs, &a.writeTimeout, "write-timeout", server.DefaultWrite, "close a connection whose client, while replies wait for it, takes less than --write-min-rate of them for this long: a client that does not read, or barely (0: never)")
	fs.IntVar(&a.writeMinRate, "write-min-rate", server.DefaultWriteMinRate, "the least a client must read of its waiting replies, in `bytes/s` over each --write-timeout (counted as the bytes its TCP acknowledges), so a slow but steady reader is served and a drip cannot hold a buffer for ever (0: any progress will do)")
	fs.IntVar(&a.maxConns, "max-conns", server.DefaultMaxConns, "most connections served at once; more are closed at once and counted (0: no limit)")
	fs.IntVar(&a.maxConnsPerIP, "max-conns-per-ip", server.DefaultMaxConnsPerIP, "most connections served at once from one source address, or IPv6 /64 (0: no limit); loopback clients are exempt unless --limit-loopback")
	fs.BoolVar(&a.limitLoopback, "limit-loopback", false, "hold loopback clients (127.0.0.0/8, ::1) to --max-conns-per-ip and --udp-rate too; by default they are exempt, since every client on this machine (a load test, a local proxy or sidecar) shares that one address, and --max-conns still protects the server")
	fs.StringVar(&a.allow, "allow", "", "serve only sources in these `CIDR,...` prefixes (e.g. 10.0.0.0/8,fd00::/8); empty: everyone")
	fs.StringVar(&a.deny, "deny", "", "never serve sources in these `CIDR,...` prefixes; deny wins over allow")
	fs.StringVar(&a.metricsAddr, "metrics", "", "serve Prometheus /metrics, /healthz and /readyz over HTTP on this `host:port`; a bare :port means 127.0.0.1:port (off when empty)")
	fs.StringVar(&a.logFormat, "log-format", "text", "log as `text` or json")
	fs.StringVar(&a.engine, "engine", "auto", "how TCP connections are served, by `name`: epoll (Linux: one event loop per CPU, about 0.1 KiB per idle connection), goroutine (one goroutine per connection, any system, TLS), or auto: epoll where it can, goroutine for TLS and elsewhere; with --udp, goroutine reads one datagram at a time and the others, on Linux, a batch at a time (recvmmsg)")
	fs.BoolVar(&a.udp, "udp", false, "serve UDP instead of TCP: each datagram is answered by one datagram to its sender")
	fs.IntVar(&a.udpRate, "udp-rate", server.DefaultUDPRate, "with --udp, datagrams answered per second per source address, so a forged source cannot aim a flood (0: no limit)")
	fs.Var(&a.unicode, "unicode", "full Unicode upper-casing of UTF-8 (straße → STRASSE); --unicode=tr for Turkish i → İ. Invalid UTF-8 passes through unchanged. Over UDP a datagram whose reply would be longer than it (ΐ becomes 3 letters) is dropped and counted, never answered")
	durationVar(fs, &a.lameDuck, "lame-duck", 0, "on SIGINT/SIGTERM, first report unready on /readyz and keep accepting for this long, so load balancers stop sending new clients before the server stops accepting; then drain (0: stop accepting at once)")
	fs.BoolVar(&a.reusePort, "reuseport", false, "listen with SO_REUSEPORT, so a new upcase can start on the same address beside this one and the kernel spreads new connections among them: restart with no refused connection (README: zero-downtime restart)")
	fs.StringVar(&a.proxyMode, "proxy-protocol", "off", "whether connections begin with a PROXY protocol header (v1 or v2) naming the real client, as HAProxy's send-proxy-v2 sends: `off`, optional (taken from --proxy-trusted sources when sent) or required (only --proxy-trusted sources, always with a header)")
	fs.StringVar(&a.proxyTrusted, "proxy-trusted", "", "the load balancers whose PROXY headers are believed, as `CIDR,...`; a header from anyone else closes the connection, since it would let them claim any address")
	fs.BoolVar(&a.verbose, "v", false, "narrate every socket step (debug-level logs)")
	return a
}

// defaultDrain is --drain's default: how long open connections may go on
// after SIGINT or SIGTERM.
const defaultDrain = 10 * time.Second

// runServe is serve's wiring: the logger, the sockets (ours or systemd's),
// then the server on them until ctx is done.
func runServe(ctx context.Context, stderr io.Writer, cfg serveConfig) error {
	log := newLogger(stderr, cfg.logFormat, cfg.verbose)
	cfg.srv.Logger = log
	socks, err := openSockets(cfg.srv.Addr, cfg.udp, cfg.listen, log)
	if err != nil {
		return err
	}
	if cfg.listen.ReusePort && socks.fromSystemd {
		log.Info("note: --reuseport does nothing with socket activation: systemd made the sockets")
	} else if cfg.listen.ReusePort && !cfg.udp && !server.MigratesOnClose() {
		log.Info("note: with --reuseport, set sysctl net.ipv4.tcp_migrate_req=1 so that when an instance stops listening, the connections still waiting in its accept queue move to another instance instead of being reset")
	}
	if cfg.lameDuck > 0 && cfg.metricsAddr == "" && socks.metrics == nil {
		log.Info("note: --lame-duck without --metrics: no /readyz tells a load balancer to stop sending, so it only delays the drain")
	}
	if cfg.udp {
		return serveUDP(ctx, cfg.srv, socks, cfg.metricsAddr)
	}
	return serve(ctx, cfg.srv, socks, cfg.metricsAddr, cfg.lameDuck, cfg.drain)
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

// newLogger is the server's slog output on stderr: JSON for "json" (which
// serveConfigFromArgs has checked), text otherwise; debug level with -v.
func newLogger(stderr io.Writer, format string, verbose bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if verbose {
		opts.Level = slog.LevelDebug
	}
	if format == "json" {
		opts.ReplaceAttr = durationText
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}
