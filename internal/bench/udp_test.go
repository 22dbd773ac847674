package bench

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
)

// A UDP server that drops every third datagram: the drops are counted lost,
// not as mismatches or errors, and every message is accounted for.
func TestUDPLoss(t *testing.T) {
	for _, p := range []int{1, 4} {
		addr := udpServer(t, 3, upper.ASCII)
		res := mustRun(t, Config{Addr: addr, UDP: true, Pipeline: p, Timeout: 20 * time.Millisecond})
		if res.Lost == 0 {
			t.Errorf("pipeline %d: nothing lost of %d sent; the server dropped a third", p, res.Sent)
		}
		wantClean(t, res)
		// Every message is answered or lost (a late reply is one to a
		// message already counted lost, so it is not counted again).
		if res.Messages+res.Lost != res.Sent {
			t.Errorf("pipeline %d: %d answered + %d lost != %d sent", p, res.Messages, res.Lost, res.Sent)
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
