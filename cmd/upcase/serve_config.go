package main

import (
	"crypto/tls"
	"fmt"
	"net/netip"
	"time"

	"github.com/upcase/upcase/internal/server"
)

// serveConfig is what serve runs with, decided from its flags alone.
type serveConfig struct {
	srv         *server.Server // all but Logger and Observer, which need the process
	udp         bool
	listen      server.ListenConfig
	metricsAddr string
	lameDuck    time.Duration // 0: stop accepting at once
	drain       time.Duration
	logFormat   string
	verbose     bool
}

// serveConfigFromArgs checks serve's flags and turns them into its
// configuration, after tailscale's prefsFromUpArgs: a pure function, so
// that one table test covers every rule. tc is --tls-cert's configuration,
// nil without TLS; it is built before, because that reads files.
//
// A flag's 0 means never or no limit, where a server.Server field's zero
// means its default: a 0 becomes server.Never or server.NoLimit here, and
// nowhere else.
//
// A mistake in the flags is a usageError naming the flag; --addr is
// judged by the listen (server.ListenConfig), which explains a dotted
// address that is no IPv4 address.
func serveConfigFromArgs(a serveArgs, tc *tls.Config) (serveConfig, error) {
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"drain", a.drain}, {"linger", a.linger}, {"idle-timeout", a.idleTimeout}, {"write-timeout", a.writeTimeout}, {"lame-duck", a.lameDuck}} {
		if d.d < 0 {
			return serveConfig{}, usageError{fmt.Sprintf("--%s must not be negative", d.name)}
		}
	}
	if a.maxConns < 0 || a.maxConnsPerIP < 0 || a.udpRate < 0 || a.writeMinRate < 0 {
		return serveConfig{}, usageError{"--max-conns, --max-conns-per-ip, --udp-rate and --write-min-rate must not be negative"}
	}
	if a.udp && tc != nil {
		return serveConfig{}, usageError{"TLS is for TCP: --udp cannot be used with --tls-cert"}
	}
	eng, err := server.ParseEngine(a.engine)
	if err != nil {
		return serveConfig{}, usageError{"--engine: " + err.Error()}
	}
	if eng == server.EngineEpoll && tc != nil {
		return serveConfig{}, usageError{"--engine=epoll cannot serve TLS; use --engine=auto or goroutine with --tls-cert"}
	}
	pmode, err := server.ParseProxyMode(a.proxyMode)
	if err != nil {
		return serveConfig{}, usageError{"--proxy-protocol: " + err.Error()}
	}
	trusted, err := prefixesFlag("proxy-trusted", a.proxyTrusted)
	if err != nil {
		return serveConfig{}, err
	}
	switch {
	case pmode != server.ProxyOff && len(trusted) == 0:
		return serveConfig{}, usageError{"--proxy-protocol=" + pmode.String() + " needs --proxy-trusted=CIDR,... (the load balancers' addresses): a header from anyone else would let them claim any address"}
	case pmode == server.ProxyOff && len(trusted) > 0:
		return serveConfig{}, usageError{"--proxy-trusted needs --proxy-protocol=optional or required"}
	case pmode != server.ProxyOff && a.udp:
		return serveConfig{}, usageError{"the PROXY protocol is for TCP: --udp cannot be used with --proxy-protocol"}
	}
	allowed, err := prefixesFlag("allow", a.allow)
	if err != nil {
		return serveConfig{}, err
	}
	denied, err := prefixesFlag("deny", a.deny)
	if err != nil {
		return serveConfig{}, err
	}
	if err := checkLogFormat(a.logFormat); err != nil {
		return serveConfig{}, err
	}
	return serveConfig{
		srv: &server.Server{
			Addr:          a.addr,
			Linger:        neverIfZero(a.linger),
			IdleTimeout:   neverIfZero(a.idleTimeout),
			WriteTimeout:  neverIfZero(a.writeTimeout),
			WriteMinRate:  noLimitIfZero(a.writeMinRate),
			MaxConns:      noLimitIfZero(a.maxConns),
			MaxConnsPerIP: noLimitIfZero(a.maxConnsPerIP),
			LimitLoopback: a.limitLoopback,
			Allow:         allowed,
			Deny:          denied,
			UDPRate:       noLimitIfZero(a.udpRate),
			Unicode:       a.unicode.on,
			Lang:          a.unicode.tag,
			Engine:        eng,
			TLSConfig:     tc,
			ProxyProtocol: pmode,
			ProxyTrusted:  trusted,
		},
		udp:         a.udp,
		listen:      server.ListenConfig{ReusePort: a.reusePort},
		metricsAddr: a.metricsAddr,
		lameDuck:    a.lameDuck,
		drain:       a.drain,
		logFormat:   a.logFormat,
		verbose:     a.verbose,
	}, nil
}

// neverIfZero is a duration flag's 0 (never) as a Server field.
func neverIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return server.Never
	}
	return d
}

// noLimitIfZero is a count flag's 0 (no limit) as a Server field.
func noLimitIfZero(n int) int {
	if n == 0 {
		return server.NoLimit
	}
	return n
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

// checkLogFormat says whether --log-format names a format newLogger makes.
func checkLogFormat(format string) error {
	switch format {
	case "text", "json":
		return nil
	}
	return usageError{fmt.Sprintf("--log-format must be text or json, not %q", format)}
}
