package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/upcase/upcase/internal/bench"
	"github.com/upcase/upcase/internal/bench/plot"
	"golang.org/x/term"
)

// maxBenchConns bounds --conns on the goroutine engine: each connection
// keeps its own latency histogram of about 220 KiB, so 10000 of them
// already take 2 GiB. maxEpollConns bounds it on the epoll engine, whose
// connections cost a few hundred bytes each: past it, the ports of one
// source address (about 28000) and the open-file limit run out first.
const (
	maxBenchConns = 10000
	maxEpollConns = 1000000
)

func benchCommand() *command {
	return &command{
		name:  "bench",
		args:  "[host:port]",
		short: "load a server and measure its throughput and latency",
		long: `Bench loads the server at --addr (or the address given as argument) and
measures it: --conns connections each send --size-byte messages for
--duration, keeping --pipeline messages in flight, and every byte of every
reply is checked against the message upper-cased (--expect=echo for any RFC
862 echo server). It prints throughput (messages/s, MB/s) and latency
percentiles (p50, p90, p99, p99.9, max), or one JSON object with --json;
--plot draws both.

By default each connection sends its next message as soon as a reply is in
(closed loop). With --rate the connections share a fixed schedule of that
many messages per second (open loop), and each latency is measured from the
time its message was meant to be sent, so a server that stalls cannot hide
the stall by slowing the load down (wrk2's correction). Those latencies
include bench's own wake-up delay, some tens of µs on an idle machine.

With --udp each message is one datagram; a reply that does not come within
--timeout is counted lost (UDP does not retransmit), which is reported but
is not a failure.

Through a load balancer: --source=127.0.0.2,127.0.0.3 opens the connections
from these local addresses in turn, so the servers behind it see several
clients (any address of 127.0.0.0/8 works on Linux as it is).
--msgs-per-conn=N ends each connection politely after N messages
(half-close, then every reply read until the server closes) and opens a new
one, so new connections keep arriving as they do from real clients. A TCP
connection that breaks (reset, closed in the middle of a reply) or cannot be
opened is counted and opened again after a back-off, until the run ends;
--json lists each failed connection ("failed_conns": local and remote
address, when, why; the first 1000, and "failed_conns_total") and counts
the connections opened ("conns_opened").

A server that refuses connections is not hammered: while a connection gets
no reply its back-off grows, at random, up to 1 s, and such redials share
one budget for the whole run, whatever --conns: at most 100 at first, then
100 a second; once the server answers again, the others follow within a
second. The report names the likely cause, and --json counts each:
connections the server closed before answering ("closed_before_reply": a
connection limit, such as upcase serve --max-conns-per-ip), dials refused
("dials_refused": nothing listening) and dials that timed out
("dials_timed_out").

The duration reported is the time the counts cover, and the rates are over
it: from the end of --warmup (which starts once the connections are open)
until sending stopped, or until the replies then still in flight came in, if
later ("duration_s"; "sending_s" is the time load was sent, "planned_s" is
--duration). Replies that never come, and closing the connections, are not
in it.

On a terminal a progress line is kept on stderr. The exit status is 1 if any
reply was wrong, a connection could not be opened or broke, or a reply never
came; the result is printed all the same. Ctrl-C (SIGINT) or SIGTERM stops
the run at once and prints the result so far, which says when it stopped
against the --duration planned ("interrupted": true) and covers the time
until then; connections closed because of the stop are not failures (exit
status 130).`,
		setup: func(fs *flag.FlagSet) func(context.Context, stdio, []string) error {
			addr := fs.String("addr", bench.DefaultAddr, "`host:port` of the server")
			conns := fs.Int("conns", bench.DefaultConns, "connections sending at once (UDP: sockets); more connections load more server cores, but on a small machine also queue in the load generator itself")
			size := fs.Int("size", bench.DefaultSize, "`bytes` per message")
			duration := durationFlag(fs, "duration", bench.DefaultDuration, "how long to measure")
			warmup := durationFlag(fs, "warmup", 0, "send load this long before measuring starts; replies are checked but not counted")
			pipeline := fs.Int("pipeline", bench.DefaultPipeline, "messages in flight on each connection")
			rate := fs.Float64("rate", 0, "open loop: send this many messages per second in all, spread over the connections, and measure latency from when each was meant to be sent (0: closed loop, as fast as replies come)")
			expect := bench.ExpectUpper
			fs.TextVar(&expect, "expect", bench.ExpectUpper, "what a reply must be: `upper` (the message upper-cased), echo (unchanged, for any RFC 862 echo server) or none (any bytes, as many as were sent)")
			timeout := durationFlag(fs, "timeout", bench.DefaultTimeout, "how long a reply may take: over UDP a datagram not answered within it is lost; over TCP, replies still missing this long after the end are an error")
			udp := fs.Bool("udp", false, "send each message as one UDP datagram, answered by one datagram")
			source := fs.String("source", "", "open connections (UDP: sockets) from these local `IP,...` addresses in turn, on ports the system picks (empty: any)")
			msgsPerConn := fs.Int("msgs-per-conn", 0, "end each TCP connection politely after this many messages and open a new one (0: keep each for the whole run)")
			asJSON := fs.Bool("json", false, "print the result as one JSON object")
			engine := fs.String("engine", "auto", "how bytes move, over TCP and UDP alike, by `name`: epoll (Linux: one event loop per CPU, a few hundred bytes per connection or socket; over UDP one recvmmsg and one sendmmsg per socket that is ready), goroutine (a goroutine and a latency histogram per connection or socket; any system), or auto: epoll where it can")
			plotFile := fs.String("plot", "", "also draw latency by percentile and throughput over time into this `file` (.png or .svg)")
			return func(ctx context.Context, sio stdio, args []string) error {
				if err := addrArg(addr, args); err != nil {
					return err
				}
				cfg := bench.Config{
					Addr: *addr, UDP: *udp, Conns: *conns, Size: *size, Duration: *duration,
					Warmup: *warmup, Pipeline: *pipeline, Rate: *rate, Expect: expect, Timeout: *timeout,
					MsgsPerConn: *msgsPerConn,
				}
				src, err := parseSources(*source, cfg.Addr)
				if err != nil {
					return err
				}
				cfg.Source = src
				if cfg.Engine, err = bench.ParseEngine(*engine); err != nil {
					return usageError{"--engine: " + err.Error()}
				}
				if err := checkBenchFlags(cfg, *plotFile); err != nil {
					return err
				}
				if *plotFile != "" {
					if err := checkWritable(*plotFile); err != nil {
						return fmt.Errorf("--plot: %w", err)
					}
				}
				if f, ok := sio.err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
					cfg.Progress = func(p bench.Progress) { fmt.Fprintf(sio.err, "\r\x1b[K%s", p) }
				}
				res, err := bench.Run(ctx, cfg)
				if cfg.Progress != nil {
					fmt.Fprint(sio.err, "\r\x1b[K") // the progress line goes; the result stays
				}
				if res == nil {
					return err
				}
				if perr := printBench(sio.out, res, *asJSON); perr != nil {
					return perr
				}
				if *plotFile != "" {
					if perr := plotBench(*plotFile, res); perr != nil {
						return perr
					}
				}
				if err != nil {
					return err // interrupted: the result so far is printed
				}
				return benchFailure(res)
			}
		},
	}
}

// checkBenchFlags refuses values that make no sense, each with one line.
func checkBenchFlags(cfg bench.Config, plotFile string) error {
	for _, f := range []struct {
		name string
		v    int
	}{{"conns", cfg.Conns}, {"size", cfg.Size}, {"pipeline", cfg.Pipeline}} {
		if f.v < 1 {
			return usageError{fmt.Sprintf("--%s must be at least 1, not %d", f.name, f.v)}
		}
	}
	eng, err := cfg.RunsOn()
	if err != nil {
		return usageError{fmt.Sprintf("--engine=%s runs only on Linux", cfg.Engine)}
	}
	switch {
	case eng == bench.EngineGoroutine && cfg.Conns > maxBenchConns:
		return usageError{fmt.Sprintf("--conns must be at most %d on the goroutine engine (each connection keeps a 220 KiB latency histogram)", maxBenchConns)}
	case cfg.Conns > maxEpollConns:
		return usageError{fmt.Sprintf("--conns must be at most %d", maxEpollConns)}
	case cfg.Duration <= 0:
		return usageError{"--duration must be positive"}
	case cfg.Warmup < 0:
		return usageError{"--warmup must not be negative"}
	case cfg.Timeout <= 0:
		return usageError{"--timeout must be positive"}
	case cfg.Rate < 0 || math.IsNaN(cfg.Rate) || math.IsInf(cfg.Rate, 0) || cfg.Rate > 1e9:
		return usageError{fmt.Sprintf("--rate must be a number of messages per second from 0 (closed loop) to 1e9, not %v", cfg.Rate)}
	case cfg.Size > bench.MaxSize:
		return usageError{fmt.Sprintf("--size must be at most %d (1 GiB), not %d", bench.MaxSize, cfg.Size)}
	case cfg.UDP && cfg.Size > bench.MaxDatagram:
		return usageError{fmt.Sprintf("--size must be at most %d with --udp (the most a UDP datagram carries)", bench.MaxDatagram)}
	case cfg.MsgsPerConn < 0:
		return usageError{fmt.Sprintf("--msgs-per-conn must not be negative, not %d", cfg.MsgsPerConn)}
	case cfg.MsgsPerConn > 0 && cfg.UDP:
		return usageError{"--msgs-per-conn is for TCP connections; --udp has none to end"}
	}
	if plotFile != "" {
		switch strings.ToLower(filepath.Ext(plotFile)) {
		case ".png", ".svg":
		default:
			return usageError{fmt.Sprintf("--plot=%s: the file name must end in .png or .svg", plotFile)}
		}
	}
	return nil
}

// parseSources parses --source: comma-separated IP addresses, each of the
// family of addr's host when that is an address.
func parseSources(list, addr string) ([]netip.Addr, error) {
	if list == "" {
		return nil, nil
	}
	var src []netip.Addr
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		a, err := netip.ParseAddr(strings.Trim(f, "[]"))
		if err != nil {
			return nil, usageError{fmt.Sprintf("--source=%s: %q is not an IP address (want IP,... such as 127.0.0.2,127.0.0.3; no port)", list, f)}
		}
		if err := bench.CheckSource(a, addr); err != nil {
			return nil, usageError{fmt.Sprintf("--source=%s: %v", list, err)}
		}
		src = append(src, a)
	}
	return src, nil
}

// printBench writes res for people, or as one JSON object.
func printBench(w io.Writer, res *bench.Result, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(res)
	}
	return res.WriteText(w)
}

// checkWritable makes sure path can be written, before a run that writes it
// only at its end: a file it creates to check is removed, one that exists
// is left as it is.
func checkWritable(path string) error {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	f.Close()
	if errors.Is(statErr, fs.ErrNotExist) {
		os.Remove(path)
	}
	return nil
}

// plotBench draws res into path.
func plotBench(path string, res *bench.Result) error {
	points := make([]plot.Point, len(res.Throughput))
	for i, s := range res.Throughput {
		points[i] = plot.Point{At: s.At, MsgsPerSec: s.MsgsPerSec}
	}
	title := fmt.Sprintf("upcase bench %s (%s): %d conns × pipeline %d, %d B", res.Addr, res.Network, res.Conns, res.Pipeline, res.Size)
	if res.Rate > 0 {
		title += fmt.Sprintf(", %g msgs/s", res.Rate)
	}
	return plot.Write(path, title, res.Latency, points, res.MsgsPerSec)
}

// benchFailure is the one-line error, exit status 1, for a run in which
// anything went wrong; nil when nothing did.
func benchFailure(res *bench.Result) error {
	if !res.Failed() {
		return nil
	}
	var parts []string
	if res.Mismatches > 0 {
		hint := ""
		if res.Expect == bench.ExpectUpper {
			hint = " (an echo server? try --expect=echo)"
		}
		parts = append(parts, fmt.Sprintf("%d of %d replies were not as expected%s", res.Mismatches, res.Messages, hint))
	}
	if res.ConnFailures > 0 {
		tries := int64(res.Conns)
		if res.Network == "tcp" { // failed dials were tried again
			tries = res.ConnsOpened + res.ConnFailures
		}
		why := ""
		switch {
		case res.DialsRefused == res.ConnFailures:
			why = " (refused)"
		case res.DialsTimedOut == res.ConnFailures:
			why = " (timed out)"
		}
		parts = append(parts, fmt.Sprintf("%d of %d connections could not be opened%s", res.ConnFailures, tries, why))
	}
	if res.Errors > 0 {
		why := ""
		if n := res.ClosedBeforeReply; n > 0 {
			why = fmt.Sprintf(" (%d connections closed by the server before answering: a connection limit?)", n)
		}
		parts = append(parts, fmt.Sprintf("%d errors%s", res.Errors, why))
	}
	if res.Silent() {
		parts = append(parts, fmt.Sprintf("not one of %d datagrams was answered within --timeout", res.Sent))
	}
	msg := strings.Join(parts, "; ")
	if res.FirstError != "" {
		msg += "; first: " + res.FirstError
	}
	return errors.New(msg)
}
