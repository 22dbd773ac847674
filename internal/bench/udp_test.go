package bench

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// A UDP server that drops every third datagram: the drops are counted lost,
// not as mismatches or errors, and every message is accounted for. With 100
// sockets the losses of many sockets are judged together.
func TestUDPLoss(t *testing.T) {
	for _, tc := range []struct{ conns, p int }{{2, 1}, {2, 4}, {100, 1}} {
		addr := udpServer(t, 3, upper.ASCII)
		res := mustRun(t, Config{Addr: addr, UDP: true, Conns: tc.conns, Pipeline: tc.p, Timeout: 20 * time.Millisecond})
		if res.Lost == 0 {
			t.Errorf("%d sockets, pipeline %d: nothing lost of %d sent; the server dropped a third", tc.conns, tc.p, res.Sent)
		}
		wantClean(t, res)
		// Every message is answered or lost (a late reply is one to a
		// message already counted lost, so it is not counted again).
		if res.Messages+res.Lost != res.Sent {
			t.Errorf("%d sockets, pipeline %d: %d answered + %d lost != %d sent", tc.conns, tc.p, res.Messages, res.Lost, res.Sent)
		}
	}
}

// Over UDP too, an echo server is caught and a correct one passes.
func TestUDPVerifies(t *testing.T) {
	echo := udpServer(t, 0, func([]byte) {})
	if res := mustRun(t, Config{Addr: echo, UDP: true}); res.Mismatches == 0 {
		t.Errorf("expect=upper against a UDP echo server: no mismatch in %d messages", res.Messages)
	}
	wantClean(t, mustRun(t, Config{Addr: echo, UDP: true, Expect: ExpectEcho}))
	wantClean(t, mustRun(t, Config{Addr: udpServer(t, 0, upper.ASCII), UDP: true, Pipeline: 8, Rate: 5000}))
}

// Nobody listening on the UDP port: ICMP port unreachable makes every socket
// a connection failure, and Run fails with one line naming the address.
func TestUDPRefused(t *testing.T) {
	addr := freeAddr(t, "udp")
	res, err := Run(context.Background(), Config{Addr: addr, UDP: true, Conns: 2, Duration: 2 * time.Second})
	if res != nil || !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Run = %v, %v; want nil and connection refused naming %s", res, err, addr)
	}
}

// A UDP server that answers nothing (a firewall that drops, not refuses):
// every datagram is lost, and that is a failure, not a measurement.
func TestUDPNoReplyAtAll(t *testing.T) {
	res := mustRun(t, Config{Addr: udpServer(t, 1, upper.ASCII), UDP: true, Timeout: 20 * time.Millisecond})
	if res.Lost == 0 || res.Lost != res.Sent || !res.Failed() {
		t.Errorf("lost %d of %d, failed %v; want all lost and a failure", res.Lost, res.Sent, res.Failed())
	}
}

// batchServer is a UDP server on 127.0.0.1 for one client socket that
// answers in batches: it gathers up to k datagrams (fewer once none has come
// for a moment, so that the last ones of a run are answered too) and sends
// what answer makes of them, in the order answer gives. answer is called
// with the datagrams received (their own copies) and their running number
// from 0; it is called from one goroutine. The server stops when answer
// returns nil, or when the test ends.
func batchServer(t *testing.T, k int, answer func(first int, batch [][]byte) [][]byte) string {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer pc.Close()
		buf := make([]byte, 64<<10)
		var batch [][]byte
		var from netip.AddrPort
		received := 0
		for {
			if len(batch) > 0 {
				pc.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
			} else {
				pc.SetReadDeadline(time.Time{})
			}
			n, src, err := pc.ReadFromUDPAddrPort(buf)
			if err == nil {
				from = src
				batch = append(batch, bytes.Clone(buf[:n]))
				if len(batch) < k {
					continue
				}
			} else if !errors.Is(err, os.ErrDeadlineExceeded) || len(batch) == 0 {
				return
			}
			replies := answer(received, batch)
			if replies == nil {
				return
			}
			received += len(batch)
			batch = batch[:0]
			for _, r := range replies {
				pc.WriteToUDPAddrPort(r, from)
			}
		}
	})
	t.Cleanup(func() {
		pc.Close()
		wg.Wait()
	})
	return pc.LocalAddr().String()
}

// upperCased is the datagrams upper-cased, in the order given by order
// (indexes into batch), skipping those not listed.
func upperCased(batch [][]byte, order ...int) [][]byte {
	out := make([][]byte, 0, len(order))
	for _, i := range order {
		if i < len(batch) {
			r := bytes.Clone(batch[i])
			upper.ASCII(r)
			out = append(out, r)
		}
	}
	return out
}

// reversed is 0..n-1 backwards.
func reversed(n int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = n - 1 - i
	}
	return order
}

// What a batch of replies holds is judged reply by reply, whatever order
// they come in and however many come at once: each socket keeps 4 in flight
// and the server answers every 4 together.
func TestUDPBatchReplies(t *testing.T) {
	var wrongSent atomic.Int64 // wrong replies the server sent
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		// answer is the server's answer to a batch of datagrams, the
		// first of which is the server's datagram number first.
		answer func(first int, batch [][]byte) [][]byte
		check  func(t *testing.T, res *Result, wrong int64)
	}{
		{
			name: "out of order",
			answer: func(_ int, batch [][]byte) [][]byte {
				return upperCased(batch, reversed(len(batch))...)
			},
			check: func(t *testing.T, res *Result, _ int64) {
				wantClean(t, res)
				if res.Lost != 0 || res.Messages != res.Sent {
					t.Errorf("%d answered, %d lost of %d sent; want all answered", res.Messages, res.Lost, res.Sent)
				}
			},
		},
		{
			name:    "lost amid answered",
			timeout: 50 * time.Millisecond,
			answer: func(_ int, batch [][]byte) [][]byte {
				return upperCased(batch, 3, 2, 0) // the second is dropped
			},
			check: func(t *testing.T, res *Result, _ int64) {
				wantClean(t, res)
				if res.Lost == 0 || res.Messages+res.Lost != res.Sent {
					t.Errorf("%d answered + %d lost, of %d sent; want some lost and the rest answered", res.Messages, res.Lost, res.Sent)
				}
			},
		},
		{
			// The first four are answered only when the fifth comes: the
			// socket sends it only once a message in flight is done with,
			// and none was answered, so all four were counted lost.
			name:    "late after the timeout",
			timeout: 30 * time.Millisecond,
			answer: func() func(int, [][]byte) [][]byte {
				var held [][]byte
				return func(first int, batch [][]byte) [][]byte {
					if first < 4 {
						held = append(held, batch...)
						return [][]byte{} // nothing yet
					}
					late := upperCased(held, reversed(len(held))...)
					held = nil
					return append(late, upperCased(batch, reversed(len(batch))...)...)
				}
			}(),
			check: func(t *testing.T, res *Result, _ int64) {
				wantClean(t, res)
				if res.Late < 4 || res.Lost < 4 {
					t.Errorf("%d late, %d lost; want at least the first 4 lost and their replies late", res.Late, res.Lost)
				}
			},
		},
		{
			name: "wrong reply",
			answer: func() func(int, [][]byte) [][]byte {
				return func(first int, batch [][]byte) [][]byte {
					replies := upperCased(batch, 0, 1, 2, 3) // in order: a wrong one takes its own message
					for i, r := range replies {
						if (first+i)%5 == 4 {
							r[0] ^= 0xff
							wrongSent.Add(1)
						}
					}
					return replies
				}
			}(),
			check: func(t *testing.T, res *Result, wrong int64) {
				if res.Mismatches == 0 || res.Mismatches != wrong {
					t.Errorf("%d mismatches; the server sent %d wrong replies", res.Mismatches, wrong)
				}
				if res.Lost != 0 || res.Messages != res.Sent || res.Errors != 0 {
					t.Errorf("%d answered, %d lost of %d sent, %d errors; want all answered, no error", res.Messages, res.Lost, res.Sent, res.Errors)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wrongSent.Store(0)
			addr := batchServer(t, 4, tc.answer)
			res := mustRun(t, Config{Addr: addr, UDP: true, Conns: 1, Pipeline: 4, Timeout: tc.timeout, Duration: 200 * time.Millisecond})
			tc.check(t, res, wrongSent.Load())
		})
	}
}

// A server that answers, then goes away: the ICMP port unreachable that
// follows is an error of the socket, not a connection failure (it was
// answered), and the run goes on to report it. (The last batch the server
// read is never answered: it is lost, and then the next is refused.)
func TestUDPRefusedAfterReplies(t *testing.T) {
	addr := batchServer(t, 4, func(first int, batch [][]byte) [][]byte {
		if first >= 20 {
			return nil // close
		}
		return upperCased(batch, reversed(len(batch))...)
	})
	res := mustRun(t, Config{Addr: addr, UDP: true, Conns: 1, Pipeline: 4, Timeout: 20 * time.Millisecond, Duration: time.Second})
	if res.Messages < 20 || res.Errors != 1 || res.ConnFailures != 0 || !strings.Contains(res.FirstError, syscall.ECONNREFUSED.Error()) {
		t.Errorf("%d answered, %d errors, %d connection failures, first error %q; want 20 answered, then one error: connection refused",
			res.Messages, res.Errors, res.ConnFailures, res.FirstError)
	}
}
