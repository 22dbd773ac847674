//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package client

import "golang.org/x/sys/unix"

// The ioctl requests that read and set a terminal's mode.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)
