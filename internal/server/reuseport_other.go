//go:build !linux

package server

import (
	"errors"
	"syscall"
)

func reusePort(network, address string, c syscall.RawConn) error {
	return errors.New("SO_REUSEPORT is supported on Linux only")
}

// MigratesOnClose reports whether the kernel moves a closing listener's
// waiting connections to another listener of its group: never, here.
func MigratesOnClose() bool { return false }
