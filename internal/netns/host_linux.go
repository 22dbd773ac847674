//go:build linux

package netns

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Host is a further network namespace, made by this process for one
// simulated machine: a client, a router or a server joined to the others by
// veth pairs. It holds no process: code runs in it through Do, on an OS
// thread that has joined it, and the sockets made there stay in it. The
// namespace, its devices and its addresses vanish once Close has run and
// the last socket made in it is closed.
type Host struct {
	fd int // /proc/thread-self/ns/net of the thread that made it
}

// NewHost makes a new, empty network namespace (only lo, down). It needs
// CAP_SYS_ADMIN in the current user namespace: root, or the child Run
// started.
func NewHost() (*Host, error) {
	type made struct {
		fd  int
		err error
	}
	ch := make(chan made, 1)
	go func() {
		// The thread is never unlocked: once its goroutine ends the runtime
		// ends it, so no other goroutine runs in the new namespace.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			ch <- made{-1, fmt.Errorf("new network namespace: %w", err)}
			return
		}
		fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- made{-1, fmt.Errorf("new network namespace: %w", err)}
			return
		}
		ch <- made{fd, nil}
	}()
	m := <-ch
	if m.err != nil {
		return nil, m.err
	}
	return &Host{fd: m.fd}, nil
}

// Fd is a file descriptor of the namespace, for setns(2) or netlink.
func (h *Host) Fd() int { return h.fd }

// Do runs f on an OS thread that has joined the namespace, and waits for
// it. Sockets f makes (listening, dialling, capturing) belong to the
// namespace and may be used from any goroutine afterwards. f must not start
// goroutines that expect to be in the namespace.
func (h *Host) Do(f func() error) error {
	ch := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: see NewHost
		if err := unix.Setns(h.fd, unix.CLONE_NEWNET); err != nil {
			ch <- fmt.Errorf("join network namespace: %w", err)
			return
		}
		ch <- f()
	}()
	return <-ch
}

// Close lets the namespace go once the sockets made in it are closed.
func (h *Host) Close() error {
	if h.fd < 0 {
		return nil
	}
	err := unix.Close(h.fd)
	h.fd = -1
	return err
}
