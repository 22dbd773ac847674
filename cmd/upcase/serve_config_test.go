package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/server"
	"golang.org/x/text/language"
)

// TestServeConfigFromArgs: serve's flags, as typed, become the server's
// configuration by one rule each, and every mistake is refused before
// anything is opened, naming its flag. A flag's 0 turns a timeout or limit
// off (server.Never, server.NoLimit), where the Server's own 0 would mean
// its default.
func TestServeConfigFromArgs(t *testing.T) {
	tc := &tls.Config{} // as --tls-cert built it; its content is not ours to check
	defaults := func() serveConfig {
		return serveConfig{
			srv: &server.Server{
				Addr:          server.DefaultAddr,
				Linger:        server.DefaultLinger,
				IdleTimeout:   server.DefaultIdle,
				WriteTimeout:  server.DefaultWrite,
				WriteMinRate:  server.DefaultWriteMinRate,
				MaxConns:      server.DefaultMaxConns,
				MaxConnsPerIP: server.DefaultMaxConnsPerIP,
				UDPRate:       server.DefaultUDPRate,
				Engine:        server.EngineAuto,
				ProxyProtocol: server.ProxyOff,
			},
			drain:     defaultDrain,
			logFormat: "text",
		}
	}
	for _, c := range []struct {
		name  string
		flags []string
		tls   bool
		want  func(*serveConfig) // applied to the defaults; nil: an error
		usage bool               // the error is a usage error (exit status 2)
		names []string           // what the error must name
	}{
		{name: "defaults", want: func(*serveConfig) {}},
		{
			name:  "zero durations mean never",
			flags: []string{"--idle-timeout=0", "--write-timeout=0", "--linger=0"},
			want: func(c *serveConfig) {
				c.srv.IdleTimeout, c.srv.WriteTimeout, c.srv.Linger = server.Never, server.Never, server.Never
			},
		},
		{
			name:  "zero counts mean no limit",
			flags: []string{"--max-conns=0", "--max-conns-per-ip=0", "--udp-rate=0", "--write-min-rate=0"},
			want: func(c *serveConfig) {
				c.srv.MaxConns, c.srv.MaxConnsPerIP, c.srv.UDPRate, c.srv.WriteMinRate = server.NoLimit, server.NoLimit, server.NoLimit, server.NoLimit
			},
		},
		{
			name:  "zero drain and lame duck are no time",
			flags: []string{"--drain=0", "--lame-duck=0"},
			want:  func(c *serveConfig) { c.drain, c.lameDuck = 0, 0 },
		},
		{
			name: "values pass through",
			flags: []string{"--addr=[::1]:0", "--idle-timeout=1m", "--write-timeout=3s", "--linger=250ms",
				"--write-min-rate=9", "--max-conns=7", "--max-conns-per-ip=3", "--udp-rate=11",
				"--drain=2s", "--lame-duck=4s", "--metrics=:9090", "--log-format=json", "-v",
				"--limit-loopback", "--reuseport"},
			want: func(c *serveConfig) {
				c.srv.Addr = "[::1]:0"
				c.srv.IdleTimeout, c.srv.WriteTimeout, c.srv.Linger = time.Minute, 3*time.Second, 250*time.Millisecond
				c.srv.WriteMinRate, c.srv.MaxConns, c.srv.MaxConnsPerIP, c.srv.UDPRate = 9, 7, 3, 11
				c.srv.LimitLoopback = true
				c.drain, c.lameDuck = 2*time.Second, 4*time.Second
				c.metricsAddr, c.logFormat, c.verbose = ":9090", "json", true
				c.listen.ReusePort = true
			},
		},
		{
			name:  "udp",
			flags: []string{"--udp"},
			want:  func(c *serveConfig) { c.udp = true },
		},
		{
			name:  "unicode",
			flags: []string{"--unicode"},
			want:  func(c *serveConfig) { c.srv.Unicode, c.srv.Lang = true, language.Und },
		},
		{
			name:  "unicode for a language",
			flags: []string{"--unicode=tr"},
			want:  func(c *serveConfig) { c.srv.Unicode, c.srv.Lang = true, language.Turkish },
		},
		{
			name:  "engine",
			flags: []string{"--engine=epoll"},
			want:  func(c *serveConfig) { c.srv.Engine = server.EngineEpoll },
		},
		{
			name: "tls",
			tls:  true,
			want: func(c *serveConfig) { c.srv.TLSConfig = tc },
		},
		{
			name:  "tls on goroutines",
			flags: []string{"--engine=goroutine"},
			tls:   true,
			want:  func(c *serveConfig) { c.srv.TLSConfig, c.srv.Engine = tc, server.EngineGoroutine },
		},
		{
			name:  "access lists",
			flags: []string{"--allow=10.0.0.0/8, 192.168.1.7", "--deny=10.9.0.0/16"},
			want: func(c *serveConfig) {
				c.srv.Allow = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32")}
				c.srv.Deny = []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")}
			},
		},
		{
			name:  "proxy protocol",
			flags: []string{"--proxy-protocol=required", "--proxy-trusted=10.0.0.5/32"},
			want: func(c *serveConfig) {
				c.srv.ProxyProtocol = server.ProxyRequired
				c.srv.ProxyTrusted = []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32")}
			},
		},
		{
			name:  "an address the listen will judge",
			flags: []string{"--addr=nonsense"},
			want:  func(c *serveConfig) { c.srv.Addr = "nonsense" },
		},

		{name: "negative drain", flags: []string{"--drain=-1s"}, usage: true, names: []string{"--drain"}},
		{name: "negative linger", flags: []string{"--linger=-1s"}, usage: true, names: []string{"--linger"}},
		{name: "negative idle timeout", flags: []string{"--idle-timeout=-1s"}, usage: true, names: []string{"--idle-timeout"}},
		{name: "negative write timeout", flags: []string{"--write-timeout=-1s"}, usage: true, names: []string{"--write-timeout"}},
		{name: "negative lame duck", flags: []string{"--lame-duck=-1s"}, usage: true, names: []string{"--lame-duck"}},
		{name: "negative max conns", flags: []string{"--max-conns=-5"}, usage: true, names: []string{"--max-conns"}},
		{name: "negative max conns per ip", flags: []string{"--max-conns-per-ip=-1"}, usage: true, names: []string{"--max-conns-per-ip"}},
		{name: "negative udp rate", flags: []string{"--udp-rate=-1"}, usage: true, names: []string{"--udp-rate"}},
		{name: "negative write min rate", flags: []string{"--write-min-rate=-1"}, usage: true, names: []string{"--write-min-rate"}},
		{name: "tls over udp", flags: []string{"--udp"}, tls: true, usage: true, names: []string{"--udp", "--tls-cert"}},
		{name: "unknown engine", flags: []string{"--engine=kqueue"}, usage: true, names: []string{"--engine", "kqueue"}},
		{name: "tls on epoll", flags: []string{"--engine=epoll"}, tls: true, usage: true, names: []string{"--engine=epoll", "--tls-cert"}},
		{name: "unknown proxy mode", flags: []string{"--proxy-protocol=maybe"}, usage: true, names: []string{"--proxy-protocol", "maybe"}},
		{name: "bad proxy trusted", flags: []string{"--proxy-protocol=optional", "--proxy-trusted=10.0.0.1/8"}, usage: true, names: []string{"--proxy-trusted", "10.0.0.0/8"}},
		{name: "proxy required, trusting no one", flags: []string{"--proxy-protocol=required"}, usage: true, names: []string{"--proxy-protocol=required", "--proxy-trusted"}},
		{name: "proxy optional, trusting no one", flags: []string{"--proxy-protocol=optional"}, usage: true, names: []string{"--proxy-protocol=optional", "--proxy-trusted"}},
		{name: "trusted without the protocol", flags: []string{"--proxy-trusted=10.0.0.5"}, usage: true, names: []string{"--proxy-trusted", "--proxy-protocol"}},
		{name: "proxy protocol over udp", flags: []string{"--udp", "--proxy-protocol=required", "--proxy-trusted=10.0.0.5"}, usage: true, names: []string{"--udp", "--proxy-protocol"}},
		{name: "bad allow", flags: []string{"--allow=172.16.10.1/24"}, usage: true, names: []string{"--allow", "172.16.10.0/24"}},
		{name: "bad deny", flags: []string{"--deny=300.1.1.1"}, usage: true, names: []string{"--deny", "300.1.1.1"}},
		{name: "unknown log format", flags: []string{"--log-format=xml"}, usage: true, names: []string{"--log-format", "xml"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			a := newServeArgs(fs)
			if err := fs.Parse(c.flags); err != nil {
				t.Fatalf("parse %q: %v", c.flags, err)
			}
			var in *tls.Config
			if c.tls {
				in = tc
			}
			got, err := serveConfigFromArgs(*a, in)
			if c.want == nil {
				var ue usageError
				if err == nil || errors.As(err, &ue) != c.usage {
					t.Fatalf("%q: error %v; want one (a usage error: %v)", c.flags, err, c.usage)
				}
				for _, n := range c.names {
					if !strings.Contains(err.Error(), n) {
						t.Errorf("%q: error %q; want it to name %s", c.flags, err, n)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", c.flags, err)
			}
			want := defaults()
			c.want(&want)
			if !reflect.DeepEqual(got.srv, want.srv) {
				t.Errorf("%q: server\n got %+v\nwant %+v", c.flags, got.srv, want.srv)
			}
			got.srv, want.srv = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%q:\n got %+v\nwant %+v", c.flags, got, want)
			}
		})
	}
}
