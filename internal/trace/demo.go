package trace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// Scenario names one of the demo's scripted conversations.
type Scenario string

// The demo's scenarios.
const (
	// ScenarioNormal: handshake, two exchanges, the client half-closes,
	// the server closes after Demo.CloseDelay.
	ScenarioNormal Scenario = "normal"
	// ScenarioHalfClose: the client sends a line and shuts down its
	// sending side (CloseWrite) before reading; the server reads to the
	// end, waits Demo.CloseDelay, answers, and closes once its answer is
	// acknowledged: data flows after the first FIN, while the connection is
	// half open.
	ScenarioHalfClose Scenario = "halfclose"
	// ScenarioReset: the client aborts after one exchange (SO_LINGER 0),
	// which sends RST instead of FIN.
	ScenarioReset Scenario = "reset"
	// ScenarioRefused: nobody listens on the port, so the SYN is answered
	// by RST.
	ScenarioRefused Scenario = "refused"
	// ScenarioUDP: two datagrams and their replies; no handshake, no
	// teardown.
	ScenarioUDP Scenario = "udp"
	// ScenarioLAN: the normal conversation between two hosts on one
	// subnet, 172.16.10.10/24 and 172.16.10.11/24, joined by a veth pair
	// and captured on the client's link with ARP: the ARP request and
	// reply come before the SYN.
	ScenarioLAN Scenario = "lan"
	// ScenarioGateway: the normal conversation between 192.168.1.2/24 and
	// 192.168.2.2/24 through a router (192.168.1.1 and 192.168.2.1),
	// captured on both of the router's links (DemoResult.Links).
	ScenarioGateway Scenario = "gateway"
)

// Scenarios lists the demo's scenarios, the default first.
var Scenarios = []Scenario{ScenarioNormal, ScenarioHalfClose, ScenarioReset, ScenarioRefused, ScenarioUDP, ScenarioLAN, ScenarioGateway}

// LinkLayer reports whether the scenario runs between hosts on Ethernet
// links (veth pairs) rather than on lo, so that its frames' MAC addresses
// and ARP are worth showing.
func (s Scenario) LinkLayer() bool { return s == ScenarioLAN || s == ScenarioGateway }

// DefaultCloseDelay is how long the demo's server waits after the client's
// FIN before it closes (or, in the halfclose scenario, before it answers):
// longer than Linux's delayed ACK (about 40 ms), so that the server's ACK of
// the FIN goes as a segment of its own, the textbook's four steps.
const DefaultCloseDelay = 200 * time.Millisecond

// MaxCloseDelay bounds Demo.CloseDelay: each side of the demo gives up on
// its connection 5 s after it began, and a longer pause shows nothing new.
const MaxCloseDelay = 2 * time.Second

// UsesCloseDelay reports whether the scenario's server pauses for
// Demo.CloseDelay: the normal conversation (on lo, lan or gateway) before
// it closes, halfclose before it answers.
func (s Scenario) UsesCloseDelay() bool {
	return s == ScenarioNormal || s == ScenarioHalfClose || s.LinkLayer()
}

// Demo is a scripted conversation between a client and an upper-casing
// server on loopback, captured segment by segment. Run it in a network
// namespace of its own (package netns) so that nothing else is on the port.
type Demo struct {
	Scenario Scenario // "" means ScenarioNormal
	IPv6     bool     // on ::1 instead of 127.0.0.1
	// CloseDelay is the server's pause after the client's FIN before it
	// closes (before it answers, in halfclose); zero means none. It is at
	// most MaxCloseDelay.
	CloseDelay time.Duration
	// Timeout bounds the whole demo; zero means 10 s.
	Timeout time.Duration
	// KernelStates also reads each side's TCP state from the kernel itself
	// (see KernelTrace), beside the states inferred from the segments, and
	// attaches them to the steps (Step.Kernel). It needs root in the
	// initial user namespace; where the kernel's states cannot be read the
	// demo goes on with the inferred ones and DemoResult.KernelErr says why.
	KernelStates bool
}

// DemoResult is what a demo captured.
type DemoResult struct {
	Conversation *Conversation
	Frames       []Frame // every frame captured, in order, for a pcap file
	// Kernel are the TCP state changes the kernel reported on the demo's
	// port, in order, when Demo.KernelStates asked for them and they could
	// be read; the conversation's steps carry them too (Step.Kernel).
	Kernel []KernelChange
	// KernelErr says why the kernel's states are missing when
	// Demo.KernelStates asked for them: the steps then have the inferred
	// states alone. It wraps ErrNoKernelStates where they cannot be read
	// at all (not root, no tracefs). It is nil for the UDP scenario, which
	// has no states.
	KernelErr error
	// Links are what each link saw in the lan and gateway scenarios: the
	// client's link first (its conversation and frames are Conversation
	// and Frames), then, for gateway, the server's link beyond the router.
	Links []LinkView `json:",omitempty"`
}

// Run plays the scenario and returns the captured conversation. It needs
// CAP_NET_RAW, which the owner of a network namespace has.
func (d Demo) Run(ctx context.Context) (*DemoResult, error) {
	timeout := d.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host := "127.0.0.1"
	if d.IPv6 {
		host = "::1"
	}
	scenario := d.Scenario
	if scenario == "" {
		scenario = ScenarioNormal
	}
	if d.CloseDelay > MaxCloseDelay {
		return nil, fmt.Errorf("demo: a close delay of %v is longer than %v", d.CloseDelay, MaxCloseDelay)
	}
	delay := max(d.CloseDelay, 0)
	if scenario.LinkLayer() {
		return d.runLinks(ctx, scenario, delay)
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
		if scenario == ScenarioRefused {
			ln.Close() // a port nobody listens on
			serve, shutdown = func() error { return nil }, func() {}
		} else if scenario == ScenarioHalfClose {
			serve = func() error { return serveHalfClose(ctx, ln, delay) }
			shutdown = func() { ln.Close() }
		} else {
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
		kernel    *KernelTrace
		kernelErr error
	)
	if d.KernelStates && scenario != ScenarioUDP {
		if kernel, kernelErr = StartKernelTrace(port); kernelErr == nil {
			defer kernel.Close()
		}
	}

	capture, err := NewCapture(CaptureConfig{Port: port})
	if err != nil {
		return nil, err
	}
	defer capture.Close()
	frames := make(chan Frame, 256)
	capCtx, stopCapture := context.WithCancel(ctx)
	var capErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(frames)
		for {
			f, err := capture.Next(capCtx)
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					capErr = err
				}
				return
			}
			frames <- f
		}
	}()
	defer func() { stopCapture(); wg.Wait() }()

	served := make(chan error, 1)
	go func() { served <- serve() }()
	server := netip.AddrPortFrom(netip.MustParseAddr(host), port)
	client, err := d.script(ctx, scenario, server)
	if err != nil {
		return nil, err
	}
	if err := <-served; err != nil {
		return nil, err
	}

	res := &DemoResult{}
	tr := &Tracker{ServerPort: port}
	want := 4 // UDP: two datagrams and two replies
	for res.Conversation == nil || !finished(res.Conversation, want) {
		select {
		case f, ok := <-frames:
			if !ok {
				if capErr != nil {
					return nil, capErr
				}
				return nil, fmt.Errorf("demo: the capture ended early: %w", ctx.Err())
			}
			res.Frames = append(res.Frames, f)
			ev, err := f.Decode()
			if err != nil || (ev.Src != client && ev.Dst != client) {
				continue
			}
			if c, _, err := tr.Add(ev); err == nil {
				res.Conversation = c
			}
		case <-ctx.Done():
			if res.Conversation != nil {
				res.kernelStates(ctx, kernel, kernelErr)
				return res, nil // show what there is: the end did not come
			}
			return nil, fmt.Errorf("demo: nothing captured on port %d: %w", port, ctx.Err())
		}
	}
	res.inTimeOrder(client, port)
	res.kernelStates(ctx, kernel, kernelErr)
	return res, nil
}

// kernelSettle bounds the wait for the kernel's last state changes after the
// last segment was captured: the receiver changes its state just after the
// segment reaches it, a moment after the capture saw it.
const kernelSettle = 200 * time.Millisecond

// kernelStates reads the state changes the kernel recorded, once they
// include the conversation's end (or after kernelSettle), and attaches them
// to the conversation; or sets KernelErr to why they are missing: startErr,
// the error of starting the trace, when there is no trace.
func (res *DemoResult) kernelStates(ctx context.Context, k *KernelTrace, startErr error) {
	if k == nil {
		res.KernelErr = startErr
		return
	}
	c := res.Conversation
	deadline := time.NewTimer(kernelSettle)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
wait:
	for c.Done() {
		changes, err := k.Changes()
		if err != nil || kernelSettled(c, changes) {
			break
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	changes, err := k.Stop()
	if err != nil {
		res.KernelErr = err
		return
	}
	res.Kernel = changes
	c.AttachKernel(changes)
}

// kernelSettled reports whether changes include the end of c, a finished
// connection: every side the kernel reported on has reached CLOSED (its
// TIME-WAIT is not reported: see KernelTrace).
func kernelSettled(c *Conversation, changes []KernelChange) bool {
	var last [2]*KernelChange
	for i, ch := range changes {
		if client, ok := c.kernelSide(ch); ok {
			if client {
				last[0] = &changes[i]
			} else {
				last[1] = &changes[i]
			}
		}
	}
	if last[0] == nil && last[1] == nil {
		return false
	}
	for _, l := range last {
		if l != nil && l.New != Closed {
			return false
		}
	}
	return true
}

// inTimeOrder redraws the conversation with its frames in the order of
// their timestamps. The capture queue can hand over two frames sent at
// nearly the same moment from different CPUs in the other order; the ladder
// should not show time running backwards. If the state machine refuses the
// timestamp order, the capture's order stays.
func (res *DemoResult) inTimeOrder(client netip.AddrPort, port uint16) {
	frames := slices.Clone(res.Frames)
	slices.SortStableFunc(frames, func(a, b Frame) int { return a.Time.Compare(b.Time) })
	tr := &Tracker{ServerPort: port}
	var conv *Conversation
	for _, f := range frames {
		ev, err := f.Decode()
		if err != nil || (ev.Src != client && ev.Dst != client) {
			continue
		}
		c, _, err := tr.Add(ev)
		if err != nil {
			return
		}
		conv = c
	}
	if conv != nil && len(conv.Steps()) == len(res.Conversation.Steps()) && conv.States() == res.Conversation.States() {
		res.Conversation, res.Frames = conv, frames
	}
}

// finished reports whether the conversation has all the demo waits for.
func finished(c *Conversation, datagrams int) bool {
	if c.Kind() == KindUDP {
		return len(c.Steps()) >= datagrams
	}
	return c.Done()
}

// script plays the client's part and returns its address.
func (d Demo) script(ctx context.Context, scenario Scenario, server netip.AddrPort) (netip.AddrPort, error) {
	var dialer net.Dialer
	if scenario == ScenarioUDP {
		c, err := dialer.DialContext(ctx, "udp", server.String())
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("demo: dial: %w", err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 64)
		for _, msg := range []string{"hello", "second line\n"} {
			if _, err := c.Write([]byte(msg)); err != nil {
				return netip.AddrPort{}, fmt.Errorf("demo: send: %w", err)
			}
			if _, err := c.Read(buf); err != nil {
				return netip.AddrPort{}, fmt.Errorf("demo: receive: %w", err)
			}
		}
		return c.LocalAddr().(*net.UDPAddr).AddrPort(), nil
	}

	if scenario == ScenarioRefused {
		// The client's address is known only from the capture: a refused
		// connect leaves no socket to ask. Bind it first instead.
		la, err := freeLocal(server.Addr())
		if err != nil {
			return netip.AddrPort{}, err
		}
		dialer.LocalAddr = net.TCPAddrFromAddrPort(la)
		_, err = dialer.DialContext(ctx, "tcp", server.String())
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return netip.AddrPort{}, fmt.Errorf("demo: dial a port nobody listens on: got %v, want connection refused", err)
		}
		return la, nil
	}

	nc, err := dialer.DialContext(ctx, "tcp", server.String())
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("demo: dial: %w", err)
	}
	c := nc.(*net.TCPConn)
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	local := c.LocalAddr().(*net.TCPAddr).AddrPort()
	if scenario == ScenarioHalfClose {
		return local, halfCloseClient(ctx, c)
	}
	exchange := func(msg string) error {
		if _, err := c.Write([]byte(msg)); err != nil {
			return fmt.Errorf("demo: send: %w", err)
		}
		if _, err := io.ReadFull(c, make([]byte, len(msg))); err != nil {
			return fmt.Errorf("demo: receive: %w", err)
		}
		return nil
	}
	if err := exchange("hello"); err != nil {
		return local, err
	}
	if scenario == ScenarioReset {
		c.SetLinger(0) // close sends RST, not FIN
		return local, nil
	}
	if err := exchange("second line\n"); err != nil {
		return local, err
	}
	if err := c.CloseWrite(); err != nil {
		return local, fmt.Errorf("demo: half-close: %w", err)
	}
	if _, err := io.Copy(io.Discard, c); err != nil {
		return local, fmt.Errorf("demo: wait for the server's FIN: %w", err)
	}
	return local, nil
}

// freeLocal picks a free local port on addr for the refused scenario.
func freeLocal(addr netip.Addr) (netip.AddrPort, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(addr.String(), "0"))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("demo: pick a client port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).AddrPort(), nil
}

// serveTCP answers one connection, upper-cased, and after the client's FIN
// waits delay before closing.
func serveTCP(ctx context.Context, ln net.Listener, delay time.Duration) error {
	nc, err := ln.Accept()
	if err != nil {
		return fmt.Errorf("demo: accept: %w", err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		n, err := nc.Read(buf)
		if n > 0 {
			upper.ASCII(buf[:n])
			if _, err := nc.Write(buf[:n]); err != nil {
				return nil // the client reset: the reset scenario
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil // the client reset: the reset scenario
		}
	}
	pause(ctx, delay) // the demo's pause, so the ACK and FIN go apart
	return nil
}

// serveUDP answers n datagrams, upper-cased.
func serveUDP(pc net.PacketConn, n int) error {
	pc.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2048)
	for range n {
		m, from, err := pc.ReadFrom(buf)
		if err != nil {
			return fmt.Errorf("demo: receive a datagram: %w", err)
		}
		upper.ASCII(buf[:m])
		if _, err := pc.WriteTo(buf[:m], from); err != nil {
			return fmt.Errorf("demo: answer %s: %w", from, err)
		}
	}
	return nil
}
