package bench

import (
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upcase/upcase/internal/upper"
	"golang.org/x/sys/unix"
)

// A socket whose send buffer is full (sendmmsg: EAGAIN, or only some of
// the batch sent) is watched for room and sends the rest then, on the
// event loops: every message is sent once and answered, none lost.
func TestLoopUDPSendBufferFull(t *testing.T) {
	if testEngine == EngineGoroutine {
		t.Skip("the event loops' sends; run in the epoll pass")
	}
	for _, tc := range []struct {
		name string
		// send is what the socket takes of a batch of n, at call k: -1
		// for EAGAIN, else how many.
		send func(k, n int) int
	}{
		{"eagain every other call", func(k, n int) int {
			if k%2 == 0 {
				return -1
			}
			return n
		}},
		{"half a batch, then eagain", func(k, n int) int {
			switch {
			case k%3 == 1:
				return -1
			case n > 1:
				return n / 2
			}
			return n
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saved := loopMmsg
			t.Cleanup(func() { loopMmsg = saved })
			var calls, full atomic.Int64 // the loops, one per CPU, call it at once
			loopMmsg.send = func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
				n := tc.send(int(calls.Add(1)), len(hs))
				if n < 0 {
					full.Add(1)
					return 0, unix.EAGAIN
				}
				if n < len(hs) {
					full.Add(1)
				}
				return saved.send(fd, hs[:n])
			}
			res := mustRun(t, Config{Addr: udpServer(t, 0, upper.ASCII), UDP: true, Engine: EngineEpoll, Pipeline: 8})
			wantClean(t, res)
			if full.Load() == 0 || res.Lost != 0 || res.Messages != res.Sent {
				t.Errorf("%d sends found the buffer full; %d answered, %d lost of %d sent; want some full, all answered", full.Load(), res.Messages, res.Lost, res.Sent)
			}
		})
	}
}

// A socket whose send buffer stays full for longer than the timeout: the
// messages it could not send are not lost, since they never left; they go
// once there is room, and their timeout runs from then. Every message
// counted lost was sent.
func TestLoopUDPSendBufferFullPastTimeout(t *testing.T) {
	if testEngine == EngineGoroutine {
		t.Skip("the event loops' sends; run in the epoll pass")
	}
	const timeout = 20 * time.Millisecond
	saved := loopMmsg
	t.Cleanup(func() { loopMmsg = saved })
	var mu sync.Mutex
	var stalled time.Time // when the first send found the buffer full
	loopMmsg.send = func(fd uintptr, hs []unix.Mmsghdr) (int, syscall.Errno) {
		mu.Lock()
		defer mu.Unlock()
		if stalled.IsZero() {
			stalled = time.Now()
		}
		if time.Since(stalled) < 3*timeout { // full for three timeouts
			return 0, unix.EAGAIN
		}
		return saved.send(fd, hs)
	}
	res := mustRun(t, Config{Addr: udpServer(t, 0, upper.ASCII), UDP: true, Engine: EngineEpoll, Conns: 1, Pipeline: 8, Timeout: timeout})
	if res.Sent == 0 || res.Messages+res.Lost != res.Sent {
		t.Errorf("%d answered and %d lost of %d sent; want some sent, and each answered or lost", res.Messages, res.Lost, res.Sent)
	}
}
