package demo

import (
	"context"
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// waitAcked waits until everything sent on c has been acknowledged, as the
// kernel's count of unacknowledged segments (TCP_INFO) says, or until ctx
// is done. The demo uses it to fix the order of segments that would
// otherwise race on the wire.
func waitAcked(ctx context.Context, c *net.TCPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("demo: wait for the ACK: %w", err)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		var (
			info *unix.TCPInfo
			ierr error
		)
		if err := rc.Control(func(fd uintptr) {
			info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		}); err != nil {
			return fmt.Errorf("demo: wait for the ACK: %w", err)
		}
		if ierr != nil {
			return fmt.Errorf("demo: wait for the ACK: TCP_INFO: %w", ierr)
		}
		if info.Unacked == 0 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("demo: wait for the ACK: %w", ctx.Err())
		}
	}
}
