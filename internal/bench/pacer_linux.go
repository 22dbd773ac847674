package bench

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// preciseTimers sets the calling thread's timer slack to 1ns: Linux lets a
// sleep overshoot by 50µs by default, to batch wake-ups.
func preciseTimers() { unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0) }

// sleep blocks the calling thread for d in the kernel, precisely, unlike
// time.Sleep (see pace).
func sleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for syscall.Nanosleep(&ts, &ts) == syscall.EINTR {
	}
}
