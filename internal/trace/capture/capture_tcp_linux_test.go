//go:build linux

package capture

import (
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/upcase/upcase/internal/trace"
	"github.com/upcase/upcase/internal/trace/ladder"
	"github.com/upcase/upcase/internal/trace/tracetest"
)

func TestCaptureTCPLoopback(t *testing.T) {
	tracetest.NeedRoot(t)
	for _, network := range []struct{ name, addr string }{{"IPv4", "127.0.0.1:0"}, {"IPv6", "[::1]:0"}} {
		t.Run(network.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", network.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			serverAddr := netip.MustParseAddrPort(ln.Addr().String())
			cp := startCapture(t, Config{Port: serverAddr.Port()})
			tr := trace.Tracker{ServerPort: serverAddr.Port()}
			var conv *trace.Conversation

			accepted := make(chan net.Conn, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					t.Error(err)
				}
				accepted <- c
			}()
			client, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			clientAddr := netip.MustParseAddrPort(client.LocalAddr().String())
			server := <-accepted
			if server == nil {
				t.FailNow()
			}
			defer server.Close()

			cp.until(t, &tr, &conv, clientAddr, "handshake", func(c *trace.Conversation) bool { return c.States() == st(trace.Established, trace.Established) })
			kernelAgrees(t, client, server, conv.States())
			if conv.Client() != clientAddr || conv.Server() != serverAddr {
				t.Errorf("conversation %s-%s, want %s-%s", conv.Client(), conv.Server(), client.LocalAddr(), serverAddr)
			}

			echo(t, client, server, "hello")
			echo(t, client, server, "second line\n")

			// The client half-closes; the server closes only once its ACK of
			// the client's FIN has gone out, so the teardown has four
			// segments.
			if err := client.(*net.TCPConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			if n, err := server.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("server read after the client's FIN: %d, %v; want EOF", n, err)
			}
			cp.until(t, &tr, &conv, clientAddr, "ACK of the client's FIN", func(c *trace.Conversation) bool { return c.States() == st(trace.FinWait2, trace.CloseWait) })
			kernelAgrees(t, client, server, conv.States())
			server.Close()
			if n, err := client.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("client read after the server's FIN: %d, %v; want EOF", n, err)
			}
			cp.until(t, &tr, &conv, clientAddr, "last ACK", func(c *trace.Conversation) bool { return c.Done() })

			checkSegments(t, conv)
			var b strings.Builder
			if err := (&ladder.Renderer{Out: &b}).Render(conv); err != nil {
				t.Fatal(err)
			}
			t.Logf("captured ladder:\n%s", b.String())
		})
	}
}

// checkSegments checks a captured conversation of the test's script: the
// handshake, the data in order, the four-segment teardown, each side's
// numbers never going back, and the states a learner should see.
func checkSegments(t *testing.T, c *trace.Conversation) {
	t.Helper()
	steps := c.Steps()
	type want struct {
		dir   trace.Direction
		flags trace.TCPFlag
		after trace.States
	}
	head := []want{
		{trace.ClientToServer, trace.FlagSYN, st(trace.SynSent, trace.SynReceived)},
		{trace.ServerToClient, trace.FlagSYN | trace.FlagACK, st(trace.Established, trace.SynReceived)},
		{trace.ClientToServer, trace.FlagACK, st(trace.Established, trace.Established)},
	}
	tail := []want{
		{trace.ClientToServer, trace.FlagFIN | trace.FlagACK, st(trace.FinWait1, trace.CloseWait)},
		{trace.ServerToClient, trace.FlagACK, st(trace.FinWait2, trace.CloseWait)},
		{trace.ServerToClient, trace.FlagFIN | trace.FlagACK, st(trace.TimeWait, trace.LastAck)},
		{trace.ClientToServer, trace.FlagACK, st(trace.TimeWait, trace.Closed)},
	}
	if len(steps) < len(head)+4+len(tail) {
		t.Fatalf("got %d segments, want at least %d", len(steps), len(head)+4+len(tail))
	}
	check := func(i int, w want) {
		s := steps[i]
		if s.Dir != w.dir || s.Event.TCP.Flags&^trace.FlagPSH != w.flags || s.After != w.after {
			t.Errorf("segment %d: %s %s, states %+v; want %s [%s], states %+v", i, s.Dir, s.Event, s.After, w.dir, w.flags, w.after)
		}
	}
	for i, w := range head {
		check(i, w)
	}
	for i, w := range tail {
		check(len(steps)-len(tail)+i, w)
	}
	var sent [2]string
	var next [2]uint32
	for i, s := range steps {
		if s.Index != i {
			t.Errorf("segment %d has Index %d", i, s.Index)
		}
		if i > 0 && s.Event.Time.Before(steps[i-1].Event.Time) {
			t.Errorf("segment %d captured before the one ahead of it", i)
		}
		if s.Seq != next[s.Dir] && i > 0 {
			t.Errorf("segment %d: relative seq %d, want %d (out of order or lost?)", i, s.Seq, next[s.Dir])
		}
		next[s.Dir] = s.Seq + uint32(len(s.Event.Payload))
		if s.Event.TCP.Flags.Has(trace.FlagSYN) || s.Event.TCP.Flags.Has(trace.FlagFIN) {
			next[s.Dir]++
		}
		sent[s.Dir] += string(s.Event.Payload)
	}
	if sent[trace.ClientToServer] != "hellosecond line\n" || sent[trace.ServerToClient] != "HELLOSECOND LINE\n" {
		t.Errorf("data: client sent %q, server %q", sent[trace.ClientToServer], sent[trace.ServerToClient])
	}
}

// st abbreviates trace.States in the tables.
func st(client, server trace.State) trace.States { return trace.States{Client: client, Server: server} }
