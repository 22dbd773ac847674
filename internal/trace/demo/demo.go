package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/upcase/upcase/internal/pcap"
	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/capture"
	"github.com/upcase/upcase/internal/trace/kstate"
)

// Config is a scripted conversation between a client and an upper-casing
// server, captured segment by segment: on loopback, or between hosts on
// Ethernet links for the lan and gateway scenarios. Run it in a network
// namespace of its own (package netns) so that nothing else is on the port.
type Config struct {
	Scenario Scenario // "" means ScenarioNormal
	IPv6     bool     // on ::1 instead of 127.0.0.1; not with lan or gateway
	// CloseDelay is the server's pause after the client's FIN before it
	// closes (before it answers, in halfclose); zero means none. It is at
	// most MaxCloseDelay.
	CloseDelay time.Duration
	// Timeout bounds the whole demo; zero means 10 s.
	Timeout time.Duration
	// KernelStates also reads each side's TCP state from the kernel itself
	// (package kstate), beside the states inferred from the segments, and
	// attaches them to the steps (Step.Kernel). It needs root in the
	// initial user namespace; where the kernel's states cannot be read the
	// demo goes on with the inferred ones and Result.KernelErr says why.
	KernelStates bool
}

// Result is what a demo captured.
type Result struct {
	// Conversation is the connection (or UDP flow) as the client's link
	// saw it, ARP included on Ethernet.
	Conversation *trace.Conversation
	// Frames are every frame captured on the client's link, in time order,
	// for a pcap file.
	Frames []pcap.Frame
	// Kernel are the TCP state changes the kernel reported on the demo's
	// port, in order, when Config.KernelStates asked for them and they
	// could be read; the conversation's steps carry them too (Step.Kernel).
	Kernel []trace.KernelChange
	// KernelErr says why the kernel's states are missing when
	// Config.KernelStates asked for them: the steps then have the inferred
	// states alone. It wraps kstate.ErrUnavailable where they cannot be
	// read at all (not root, no tracefs). It is nil for the UDP scenario,
	// which has no states, and for lan and gateway, which do not read them.
	KernelErr error
	// Links are what each link saw in the lan and gateway scenarios: the
	// client's link first (its conversation and frames are Conversation
	// and Frames), then, for gateway, the server's link beyond the router.
	Links []trace.LinkView
}

// Run plays the scenario and returns the captured conversation. It needs
// CAP_NET_RAW, which the owner of a network namespace has. When the
// conversation does not end within the timeout, Run returns what was
// captured, if anything was.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	scenario := cfg.Scenario
	if scenario == "" {
		scenario = ScenarioNormal
	}
	if cfg.CloseDelay > MaxCloseDelay {
		return nil, fmt.Errorf("demo: a close delay of %v is longer than %v", cfg.CloseDelay, MaxCloseDelay)
	}
	delay := max(cfg.CloseDelay, 0)
	if scenario.LinkLayer() {
		if cfg.IPv6 {
			return nil, fmt.Errorf("demo: the %s scenario builds IPv4 networks", scenario)
		}
		return cfg.runLinks(ctx, scenario, delay)
	}
	return cfg.runLoopback(ctx, scenario, delay)
}

// runLoopback plays a scenario on lo.
func (cfg Config) runLoopback(ctx context.Context, scenario Scenario, delay time.Duration) (*Result, error) {
	host := "127.0.0.1"
	if cfg.IPv6 {
		host = "::1"
	}
	// The server's socket comes first: the capture filters on its port.
	var (
		port     uint16
		serve    func() error
		shutdown func()
	)
	switch scenario {
	case ScenarioNormal, ScenarioHalfClose, ScenarioReset, ScenarioRefused:
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("demo: listen: %w", err)
		}
		port = uint16(ln.Addr().(*net.TCPAddr).Port)
		switch scenario {
		case ScenarioRefused:
			ln.Close() // a port nobody listens on
			serve, shutdown = func() error { return nil }, func() {}
		case ScenarioHalfClose:
			serve = func() error { return serveHalfClose(ctx, ln, delay) }
			shutdown = func() { ln.Close() }
		default:
			serve = func() error { return serveTCP(ctx, ln, delay) }
			shutdown = func() { ln.Close() }
		}
	case ScenarioUDP:
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("demo: listen: %w", err)
		}
		port = uint16(pc.LocalAddr().(*net.UDPAddr).Port)
		serve = func() error { return serveUDP(pc, 2) }
		shutdown = func() { pc.Close() }
	default:
		return nil, fmt.Errorf("demo: unknown scenario %q", scenario)
	}
	defer shutdown()

	var (
		kernel    *kstate.Trace
		kernelErr error
	)
	if cfg.KernelStates && scenario != ScenarioUDP {
		if kernel, kernelErr = kstate.Start(port); kernelErr == nil {
			defer kernel.Close()
		}
	}

	sock, err := capture.Open(capture.Config{Port: port})
	if err != nil {
		return nil, err
	}
	defer sock.Close()
	frames, stopCapture := captureAll(ctx, []*capture.Socket{sock})
	defer stopCapture()

	served := make(chan error, 1)
	go func() { served <- serve() }()
	server := netip.AddrPortFrom(netip.MustParseAddr(host), port)
	client, err := cfg.script(ctx, scenario, server)
	if err != nil {
		return nil, err
	}
	if err := <-served; err != nil {
		return nil, err
	}

	kind, initial := trace.KindTCP, trace.States{Client: trace.Closed, Server: trace.Listen}
	if scenario == ScenarioUDP {
		kind, initial = trace.KindUDP, trace.States{}
	}
	f := newFollower(func() *trace.Conversation { return trace.NewConversation(kind, client, server, initial) })
	err = collect(ctx, frames, []*follower{f}, func() bool { return finished(f.conv, 4) })
	if err := shown(f.conv, port, err); err != nil {
		return nil, err
	}
	res := &Result{Conversation: f.conv, Frames: f.frames}
	res.kernelStates(ctx, kernel, kernelErr)
	return res, nil
}

// shown decides what becomes of a demo whose capture ended with err: a
// conversation that did not end in time is shown as far as it went; a
// capture that failed, or caught nothing, is an error.
func shown(c *trace.Conversation, port uint16, err error) error {
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled):
		return err
	case len(c.Steps()) == 0:
		return fmt.Errorf("demo: nothing captured on port %d: %w", port, err)
	}
	return nil
}

// finished reports whether the conversation has all the demo waits for:
// its end, or for UDP the datagrams and their replies.
func finished(c *trace.Conversation, datagrams int) bool {
	if c.Kind() == trace.KindUDP {
		return len(c.Steps()) >= datagrams
	}
	return c.Done()
}
