package server

import (
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// reusePort sets SO_REUSEPORT on a socket before it is bound.
func reusePort(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	})
	if err != nil {
		return err
	}
	if serr != nil {
		return os.NewSyscallError("setsockopt SO_REUSEPORT", serr)
	}
	return nil
}

// MigratesOnClose reports whether the kernel moves the connections waiting
// in a closing listener's accept queue to another listener of its
// SO_REUSEPORT group (the sysctl net.ipv4.tcp_migrate_req, Linux 5.14).
// Without it, those few connections are reset when an old process stops
// listening during a restart.
func MigratesOnClose() bool {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_migrate_req")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}
