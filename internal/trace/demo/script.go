package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// script plays the client's part and returns its address.
func (cfg Config) script(ctx context.Context, scenario Scenario, server netip.AddrPort) (netip.AddrPort, error) {
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
