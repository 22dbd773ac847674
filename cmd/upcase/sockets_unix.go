//go:build unix

package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mustListen refuses a stream socket that is not listening: with Accept=yes
// systemd hands over one connection per process, which net.FileListener
// takes but cannot accept on.
func mustListen(f *os.File) error {
	listening, err := unix.GetsockoptInt(int(f.Fd()), unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	if err == nil && listening == 0 {
		return fmt.Errorf("socket %q is a connection, not a listening socket: use Accept=no in the .socket unit (upcase serves every connection itself)", f.Name())
	}
	return nil
}
