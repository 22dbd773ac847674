package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// cBinaries builds the goroutine peer and the C programs (skipping without
// gcc) once per test.
func cBinaries(t *testing.T) binaries {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc")
	}
	bin, err := build(".", filepath.Join("..", ".."), t.TempDir(), map[string]bool{"goroutine": true, refGen: true, refUDPPeer: true})
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// genResult is what the tests read of a load generator's JSON.
type genResult struct {
	Messages, Sent, Errors, Mismatches, Lost, Late float64
	MsgsPerSec                                     float64 `json:"msgs_per_sec"`
	P99us                                          float64 `json:"p99_us"`
}

// runGen runs a C load generator for 300 ms (bounded by 30 s) with cell c
// against addr, plus extra flags, and decodes its JSON.
func runGen(t *testing.T, prog, addr string, c Cell, extra ...string) genResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append(contract(addr, c, 300*time.Millisecond)[0:], extra...)
	out, err := exec.CommandContext(ctx, prog, args...).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("%s %v: %v: %s", prog, args, err, ee.Stderr)
	} else if err != nil {
		t.Fatal(err)
	}
	var r genResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s printed %q: %v", prog, out, err)
	}
	return r
}

// serveTCP serves a TCP server on loopback that answers each read with
// f(bytes), until the test ends.
func serveTCP(t *testing.T, f func([]byte)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			go func() {
				b := make([]byte, 16<<10)
				for {
					n, err := c.Read(b)
					if err != nil {
						return
					}
					f(b[:n])
					if _, err := c.Write(b[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// serveUDP serves a UDP server on loopback that answers each datagram with
// f(bytes), or not at all when f is nil, until the test ends.
func serveUDP(t *testing.T, f func([]byte)) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		b := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(b)
			if err != nil {
				return
			}
			if f != nil {
				f(b[:n])
				_, _ = pc.WriteTo(b[:n], from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// The wrong servers: one echoes unchanged; one upper-cases by clearing bit
// 5 of every byte, right for letters, wrong for digits, punctuation and
// bytes above 0x7f (a load of lowercase letters alone would pass it).
func echo([]byte) {}

func clearBit5(p []byte) {
	for i := range p {
		p[i] &^= 0x20
	}
}

// TestCClient runs the C TCP load generator against the goroutine peer
// (every reply right) and against wrong servers (every reply counted as a
// mismatch), ping-pong and pipelined.
func TestCClient(t *testing.T) {
	bin := cBinaries(t)
	p, _ := makePeer("goroutine", bin, nil)
	s, err := startServer(p, -1, filepath.Join(t.TempDir(), "goroutine.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	wrong := map[string]string{"echo": serveTCP(t, echo), "clear bit 5": serveTCP(t, clearBit5)}
	for _, c := range []Cell{
		{Name: "pp", Conns: 3, Size: 100, Pipeline: 1},
		{Name: "pipe", Conns: 5, Size: 1024, Pipeline: 8},
	} {
		t.Run(c.Name, func(t *testing.T) {
			r := runGen(t, bin.cclient, s.Addr, c)
			if r.Messages == 0 || r.Mismatches != 0 || r.Errors != 0 || r.Sent < r.Messages || r.MsgsPerSec <= 0 || r.P99us <= 0 {
				t.Errorf("against the goroutine peer: %+v", r)
			}
			for name, addr := range wrong {
				r := runGen(t, bin.cclient, addr, c)
				if r.Messages == 0 || r.Mismatches != r.Messages {
					t.Errorf("against %s: %v mismatches in %v messages, want all", name, r.Mismatches, r.Messages)
				}
			}
		})
	}
}

// TestCUDP runs the C UDP load generator against the C batched UDP server
// (every reply right), against wrong servers (every reply a mismatch) and
// against one that never answers (every datagram lost after --timeout).
func TestCUDP(t *testing.T) {
	bin := cBinaries(t)
	p, _ := makePeer(refUDPPeer, bin, nil)
	s, err := startServer(p, -1, filepath.Join(t.TempDir(), "udp.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	for _, k := range []int{1, 8} {
		c := Cell{UDP: true, Conns: 4, Size: 64, Pipeline: k}
		r := runGen(t, bin.cudpclient, s.Addr, c)
		// Loopback may still drop a datagram; what comes back must be right.
		if r.Messages == 0 || r.Mismatches != 0 || r.Errors != 0 || r.Sent != r.Messages+r.Lost {
			t.Errorf("%d in flight, against %s: %+v", k, refUDPPeer, r)
		}
		for name, f := range map[string]func([]byte){"echo": echo, "clear bit 5": clearBit5} {
			r := runGen(t, bin.cudpclient, serveUDP(t, f), c)
			if r.Messages == 0 || r.Mismatches != r.Messages {
				t.Errorf("%d in flight, against %s: %v mismatches in %v messages, want all", k, name, r.Mismatches, r.Messages)
			}
		}
	}
	r := runGen(t, bin.cudpclient, serveUDP(t, nil), Cell{UDP: true, Conns: 2, Size: 16, Pipeline: 3}, "--timeout=50ms")
	if r.Sent == 0 || r.Messages != 0 || r.Lost != r.Sent {
		t.Errorf("against a server that never answers: %+v", r)
	}
}
