//go:build linux

package bench

import (
	"syscall"
	"time"
)

// sleep blocks the calling thread for d in the kernel, precisely, unlike
// time.Sleep (see pace).
func sleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
