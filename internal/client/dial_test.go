package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/server"
	"github.com/upcase/upcase/internal/server/servertest"
)

// freeAddr returns a loopback address nobody listens on: a port the kernel
// handed out and that was closed again at once.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestDialErrors(t *testing.T) {
	refused := freeAddr(t)
	tests := []struct {
		name   string
		addr   string
		want   string // the whole message, or its start when prefix is set
		prefix bool
		is     error // wrapped, when not nil
	}{
		{name: "refused", addr: refused,
			want: "connect to " + refused + ": connection refused (nobody is listening there)",
			is:   syscall.ECONNREFUSED},
		{name: "unresolvable", addr: "nosuch.invalid:80",
			want: `connect to nosuch.invalid:80: cannot resolve "nosuch.invalid": `, prefix: true},
		{name: "missing port", addr: "127.0.0.1",
			want: "connect to 127.0.0.1: missing port in address (want HOST:PORT, e.g. 127.0.0.1:8080)"},
		{name: "empty port", addr: "localhost:",
			want: "connect to localhost:: missing port in address (want HOST:PORT, e.g. 127.0.0.1:8080)"},
		{name: "too many colons", addr: "::1:80",
			want: "connect to ::1:80: too many colons in address (want HOST:PORT, e.g. 127.0.0.1:8080)"},
		{name: "port out of range", addr: "127.0.0.1:99999",
			want: "connect to 127.0.0.1:99999: port 99999 is out of range (want a port from 1 to 65535)"},
		{name: "port zero", addr: "127.0.0.1:0",
			want: "connect to 127.0.0.1:0: port 0 cannot be connected to (want a port from 1 to 65535)"},
		{name: "unknown port name", addr: "127.0.0.1:nosuchservice",
			want: `connect to 127.0.0.1:nosuchservice: unknown port "nosuchservice" (want a port from 1 to 65535)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := Dial(context.Background(), tt.addr, 5*time.Second)
			if err == nil {
				conn.Close()
				t.Fatalf("Dial(%q) succeeded; want an error", tt.addr)
			}
			got := err.Error()
			if tt.prefix && !strings.HasPrefix(got, tt.want) || !tt.prefix && got != tt.want {
				t.Errorf("Dial(%q) error:\ngot  %q\nwant %q", tt.addr, got, tt.want)
			}
			if strings.Contains(got, "\n") || strings.Contains(got, "dial tcp") {
				t.Errorf("Dial(%q) error %q; want one line without the net package's prefixes", tt.addr, got)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Dial(%q) error %q does not wrap %v", tt.addr, got, tt.is)
			}
		})
	}
}

func TestDialUnresolvableWrapsDNSError(t *testing.T) {
	_, err := Dial(context.Background(), "nosuch.invalid:80", 5*time.Second)
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Fatalf("Dial error %v (%T) does not wrap a *net.DNSError", err, err)
	}
	if dnsErr.IsNotFound {
		want := `connect to nosuch.invalid:80: cannot resolve "nosuch.invalid": no such host`
		if got := err.Error(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// blockingDial stands in for a dial to a host that never answers: it waits
// for the context, as a real dial would, and fails the way net does.
func blockingDial(ctx context.Context, network, addr string) (net.Conn, error) {
	<-ctx.Done()
	return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
}

func TestDialGivesUp(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		timeout time.Duration
		want    string
		is      error
	}{
		{"timeout", context.Background(), time.Millisecond,
			"connect to 192.0.2.1:80: timed out after 1ms", context.DeadlineExceeded},
		{"cancelled", cancelled, time.Hour,
			"connect to 192.0.2.1:80: gave up: context canceled", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dial(tt.ctx, "192.0.2.1:80", tt.timeout, blockingDial)
			if err == nil {
				t.Fatal("dial succeeded; want an error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
		})
	}
}

func TestDialTimeoutDefaults(t *testing.T) {
	tests := []struct {
		timeout time.Duration
		want    time.Duration // 0: no deadline
	}{
		{0, DefaultDialTimeout},
		{3 * time.Second, 3 * time.Second},
		{-1, 0},
	}
	for _, tt := range tests {
		var got time.Duration
		probe := func(ctx context.Context, network, addr string) (net.Conn, error) {
			if deadline, ok := ctx.Deadline(); ok {
				got = time.Until(deadline).Round(time.Second)
			}
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		dial(context.Background(), "127.0.0.1:1", tt.timeout, probe)
		if got != tt.want {
			t.Errorf("timeout %v: got a deadline %v ahead, want %v (0: none)", tt.timeout, got, tt.want)
		}
	}
}

func TestDialConnects(t *testing.T) {
	addr := servertest.Start(t, &server.Server{})
	conn, err := Dial(context.Background(), addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 5)
	if _, err := io.ReadFull(conn, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != "HELLO" {
		t.Errorf("got %q, want %q", got, "HELLO")
	}
}

// TestDialFrom: the connection leaves from the address asked for, over TCP
// and UDP; a failure names both ends and keeps Dial's checks and causes.
func TestDialFrom(t *testing.T) {
	ctx := context.Background()
	addr := servertest.Start(t, &server.Server{})
	src := netip.MustParseAddr("127.0.0.2")
	for _, network := range []string{"tcp", "udp"} {
		conn, err := DialFrom(ctx, network, src, addr)
		if err != nil {
			t.Fatalf("%s: %v", network, err)
		}
		local, _ := netip.ParseAddrPort(conn.LocalAddr().String())
		conn.Close()
		if local.Addr() != src {
			t.Errorf("%s: left from %s; want %s", network, local, src)
		}
	}
	dead := freeAddr(t)
	_, err := DialFrom(ctx, "tcp", src, dead)
	if !errors.Is(err, syscall.ECONNREFUSED) || err.Error() != "connect to "+dead+" from 127.0.0.2: connection refused (nobody is listening there)" {
		t.Errorf("refused: %v", err)
	}
	_, err = DialFrom(ctx, "tcp", netip.MustParseAddr("192.0.2.1"), addr)
	if !errors.Is(err, syscall.EADDRNOTAVAIL) || !strings.Contains(err.Error(), "from 192.0.2.1: cannot assign requested address (is 192.0.2.1 an address of this machine?)") {
		t.Errorf("a source not of this machine: %v", err)
	}
	if _, err = DialFrom(ctx, "tcp", src, "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "port 0 cannot be connected to") {
		t.Errorf("port 0: %v; want Dial's own check", err)
	}
}
