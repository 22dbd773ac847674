//go:build aix || linux || solaris || zos

package client

import "golang.org/x/sys/unix"

// The ioctl requests that read and set a terminal's mode.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)
